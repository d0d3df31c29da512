// Response schemas of the operator API (/admin), TypeBox like schemas.ts, with enumerations from
// core. test/response-schemas.test.ts checks real admin responses against them field by field.
// admin-routes.ts is being rewritten on another branch; `adminResponseSchemas` names each
// route's 2xx schema so that rewrite can put them in the routes' `schema.response`.

import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { AccountStatuses, AccountTypes, CredentialKinds } from '../core/account.ts';
import { BalanceCurrencies } from '../core/assets.ts';
import { InvoiceWire, isoTime, stringEnum, wireDecimal } from '../core/wire-schema.ts';
import { meta } from './schemas.ts';

export const AdminAccountWire = Type.Object({
  id: Type.String(),
  type: stringEnum(AccountTypes),
  currency: stringEnum(BalanceCurrencies, { description: 'The account\'s main currency.' }),
  status: stringEnum(AccountStatuses),
  label: Type.Optional(Type.String()),
  created_time: isoTime(),
}, { title: 'AdminAccount' });

export const IssuedCredentialWire = Type.Object({
  credential_id: Type.String(),
  kind: stringEnum(CredentialKinds),
  api_id: Type.Optional(Type.String({ description: 'Business accounts: HTTP Basic id.' })),
  api_secret: Type.Optional(Type.String({ description: 'Business accounts: HTTP Basic secret, shown once.' })),
  api_key: Type.Optional(Type.String({ description: 'Personal accounts: the Bearer key, shown once.' })),
}, { title: 'IssuedCredential' });

export const CreatedAccountWire = Type.Object({ ...AdminAccountWire.properties, credential: IssuedCredentialWire }, { title: 'CreatedAccount' });

export const AccountWithBalancesWire = Type.Object({
  ...AdminAccountWire.properties,
  balances: Type.Array(Type.Object({ currency: stringEnum(BalanceCurrencies), balance: wireDecimal() })),
}, { title: 'AccountWithBalances' });

export const ChargeWire = Type.Object({
  id: Type.String(),
  account_id: Type.String(),
  currency: stringEnum(BalanceCurrencies),
  amount: wireDecimal(),
  refunded_amount: wireDecimal(),
  description: Type.Optional(Type.String()),
  created_time: isoTime(),
  balance: wireDecimal('The account\'s balance in `currency` after this charge or refund.'),
}, { title: 'Charge' });

export const RevokedCredentialWire = Type.Object({ credential_id: Type.String(), revoked: Type.Literal(true) }, { title: 'RevokedCredential' });

export const AdminInvoiceWire = Type.Object({ ...InvoiceWire.properties, account_id: Type.String() }, { title: 'AdminInvoice' });

export const LedgerReportWire = Type.Object({
  transfers: Type.Integer(),
  accounts: Type.Integer(),
  drift: Type.Array(Type.Object({ ledgerAccount: Type.String(), stored: Type.String(), computed: Type.String() })),
  imbalance: Type.Array(Type.Object({ currency: Type.String(), sum: Type.String() })),
  negative: Type.Array(Type.Object({ ledgerAccount: Type.String(), balance: Type.String() })),
  ok: Type.Boolean(),
}, { title: 'LedgerReport' });

const wrap = <T extends TSchema>(data: T) => Type.Object({ meta, data });

/** Each admin route's success response, by `METHOD url` as the route is registered under /admin. */
export const adminResponseSchemas = {
  'POST /accounts': { 201: wrap(CreatedAccountWire) },
  'GET /accounts/:id': { 200: wrap(AccountWithBalancesWire) },
  'POST /accounts/:id/status': { 200: wrap(AdminAccountWire) },
  'POST /accounts/:id/credentials': { 201: wrap(IssuedCredentialWire) },
  'POST /credentials/:id/revoke': { 200: wrap(RevokedCredentialWire) },
  'POST /accounts/:id/charges': { 200: wrap(ChargeWire), 201: wrap(ChargeWire) },
  'POST /charges/:id/refunds': { 200: wrap(ChargeWire), 201: wrap(ChargeWire) },
  'GET /invoices/:id': { 200: wrap(AdminInvoiceWire) },
  'GET /ledger/verify': { 200: wrap(LedgerReportWire), 500: wrap(LedgerReportWire) },
} as const;
