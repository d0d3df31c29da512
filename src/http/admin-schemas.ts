// Response schemas of the operator API (/admin), TypeBox like schemas.ts, with enumerations from
// core. test/response-schemas.test.ts checks real admin responses against them field by field.
// `adminResponseSchemas` names each route's response schemas; admin-routes.ts puts them in the
// routes' `schema.response` (typing each handler's reply), and the SDK's wire types are generated
// from them (scripts/gen-client-wire-types.ts). Request schemas are at the end of this file.
// GET /ledger/transfers.csv answers text/csv (a streamed file, not JSON), so it has no response
// schema: its columns are documented in docs/operator-console.md and by usecases/admin-ledger.ts.

import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { AccountStatuses, AccountTypes, CredentialKinds, SettableAccountStatuses } from '../core/account.ts';
import { BalanceCurrencies } from '../core/assets.ts';
import { HoldActions, InvoiceStatuses } from '../core/invoice.ts';
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

/** One row of the operator's invoice search (GET /invoices). */
export const AdminInvoiceSummaryWire = Type.Object({
  id: Type.String(),
  account_id: Type.String(),
  status: stringEnum(InvoiceStatuses),
  payment_method: Type.String(),
  currency: stringEnum(BalanceCurrencies),
  amount: Type.Optional(wireDecimal('Absent on a flexible-amount invoice.')),
  address: Type.String(),
  created_time: isoTime(),
}, { title: 'AdminInvoiceSummary' });

/** A payment held for an operator's decision (GET /holds). */
export const HeldPaymentWire = Type.Object({
  payment_id: Type.String(),
  invoice_id: Type.String(),
  account_id: Type.String(),
  payment_method: Type.String(),
  txid: Type.String(),
  amount_units: Type.String({ description: 'The amount paid in the asset\'s smallest unit, as a decimal integer string.' }),
  held_reason: Type.String(),
  why: Type.String({ description: 'The reason in words.' }),
  first_seen_time: isoTime(),
}, { title: 'HeldPayment' });

export const ResolvedHoldWire = Type.Object({
  payment_id: Type.String(),
  invoice_id: Type.String(),
  action: stringEnum(HoldActions),
  invoice_status: Type.String(),
  currency: stringEnum(BalanceCurrencies),
  credited_amount: Type.Optional(Type.String({ description: 'action credit: the amount credited in `currency`, as a decimal string.' })),
}, { title: 'ResolvedHold' });

const jsonTextOrNull = (description: string) => Type.Unsafe<string | null>({ type: ['string', 'null'], description });

export const AuditEntryWire = Type.Object({
  seq: Type.Integer({ description: 'Pass as `before` for the next page.' }),
  actor: Type.String(),
  actor_id: Type.String(),
  action: Type.String(),
  target: Type.String(),
  before: jsonTextOrNull('JSON text of the state before, or null.'),
  after: jsonTextOrNull('JSON text of the state after, or null.'),
  time: isoTime(),
}, { title: 'AuditEntry' });

const wrap = <T extends TSchema>(data: T) => Type.Object({ meta, data });
const invoicePageMeta = Type.Object({
  ...meta.properties,
  next_before: Type.Optional(Type.Integer({ description: 'Pass as `before` for the next page; absent when no row was found.' })),
});

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
  'GET /accounts': { 200: wrap(Type.Array(AdminAccountWire)) },
  'GET /invoices': { 200: Type.Object({ meta: invoicePageMeta, data: Type.Array(AdminInvoiceSummaryWire) }) },
  'GET /holds': { 200: wrap(Type.Array(HeldPaymentWire)) },
  'POST /holds/:id/resolve': { 200: wrap(ResolvedHoldWire) },
  'GET /audit': { 200: wrap(Type.Array(AuditEntryWire)) },
  'GET /ledger/verify': { 200: wrap(LedgerReportWire), 500: wrap(LedgerReportWire) },
} as const;

// Request schemas of the operator routes that only /admin has (charge, refund and account bodies
// are in schemas.ts beside the /v2 ones they share helpers with). Limits are unchanged from the
// untyped literals they replace, so error codes and messages are too.

export const accountStatusBody = Type.Object({ status: stringEnum(SettableAccountStatuses) });

export const accountSearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

const searchText = () => Type.Optional(Type.String({ maxLength: 2000 }));
/** The console's invoice search as typed (usecases/admin-invoices.ts parses and checks each field). */
export const invoiceSearchQuery = Type.Object({
  id: searchText(), account: searchText(), target: searchText(), txid: searchText(), status: searchText(),
  method: searchText(), from: searchText(), to: searchText(), before: searchText(),
}, { additionalProperties: false });

export const resolveHoldBody = Type.Object({
  action: stringEnum(HoldActions),
  rate: Type.Optional(Type.String({ maxLength: 60 })),
  rate_source: Type.Optional(Type.String({ maxLength: 500 })),
  note: Type.String({ maxLength: 500 }),
}, { additionalProperties: false });

export const auditQuery = Type.Object({
  target: Type.Optional(Type.String({ maxLength: 200 })),
  before: Type.Optional(Type.Integer({ minimum: 1 })),
});
