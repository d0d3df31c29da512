// The wire objects Coffer presents (API.md), declared once with TypeBox: the declaration is the
// JSON Schema the HTTP layer documents in its OpenAPI document, and the TypeScript type
// (`Static<...>`) that wire-format.ts returns and the route handlers are checked against. The SDK's
// types are generated from the served document (scripts/gen-client-wire-types.ts), so the server,
// its document and the SDK cannot drift. Enumerations come from core's `as const` lists.
// TypeBox: https://github.com/sinclairzx81/typebox (Type.Object, Type.Optional, Type.Enum, Type.Unsafe).

import { Type } from 'typebox';
import type { Static } from 'typebox';
import { BalanceCurrencies } from './assets.ts';
import { InvoiceStatuses, PaymentStatuses } from './invoice.ts';
import type { JsonDecimal } from './json-writer.ts';
import { TransferKinds } from './ledger.ts';

/** A string enumeration from one of core's `as const` lists: `{type: 'string', enum: [...]}`. */
export function stringEnum<const Values extends readonly string[]>(values: Values, options: { description?: string } = {}) {
  return Type.Unsafe<Values[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * An amount as the server writes it: an exact JSON number (JsonDecimal) produced from bigint units,
 * never a binary float. Clients should read it exactly (the SDK turns every non-integer number into
 * a decimal string).
 */
export function wireDecimal(description?: string) {
  return Type.Unsafe<JsonDecimal>({ type: 'number', ...(description ? { description } : {}) });
}

export const isoTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });

/** Statuses of one payment seen for an invoice (`payment.transactions[].status`). */
export const PaymentTransactionStatuses = ['pending', 'confirmed', 'credited', 'held', 'gone', 'reversed'] as const;
export type PaymentTransactionStatus = (typeof PaymentTransactionStatuses)[number];

export const PaymentTransactionWire = Type.Object({
  id: Type.String(),
  amount: Type.String({ description: 'Received, in the payment currency (e.g. "0.02" BTC), exact.' }),
  method: Type.Optional(Type.String({ description: 'Present when this payment used another method than the invoice\'s.' })),
  confirmations: Type.Integer(),
  status: stringEnum(PaymentTransactionStatuses),
  late: Type.Boolean(),
  credited_amount: Type.Optional(wireDecimal('What this payment credited, in the invoice currency.')),
  credited_balance_amount: Type.Optional(wireDecimal('On a converted invoice: what that credit came to in the account\'s currency (`conversion.currency`).')),
}, { title: 'PaymentTransaction' });

export const InvoicePaymentWire = Type.Object({
  method: Type.String(),
  address: Type.String(),
  price: wireDecimal('The crypto amount to send; 0 for a flexible invoice.'),
  currency: Type.String(),
  commission: wireDecimal('Bitrefill\'s fee in the payment currency; Coffer takes none (0).'),
  status: stringEnum(PaymentStatuses),
  uri: Type.String(),
  lightning_invoice: Type.Optional(Type.String()),
  network: Type.Optional(Type.String()),
  chain_id: Type.Optional(Type.Integer()),
  contract_address: Type.Optional(Type.String()),
  rate: Type.Optional(Type.String({ description: 'Locked rate, invoice currency per one crypto unit.' })),
  received: Type.String({ description: 'Total received so far, in the payment currency.' }),
  confirmations_required: Type.Integer(),
  monitoring_until: Type.Optional(isoTime('The target is watched until then; later payments still credit, marked late.')),
  transactions: Type.Array(PaymentTransactionWire),
}, { title: 'InvoicePayment' });

// Coffer's own (issue 15, 8c): present when the invoice's `currency` is not the account's.
export const InvoiceConversionWire = Type.Object({
  currency: stringEnum(BalanceCurrencies, { description: 'The balance currency credited.' }),
  rate: Type.String({ description: '`currency` per one unit of the invoice currency, for reading (18 decimals, rounded down).' }),
  credit_rate: Type.String({ description: '`currency` per one unit of `payment.currency`.' }),
  invoice_rate: Type.String({ description: 'The invoice currency per one unit of `payment.currency`.' }),
  rate_sources: Type.Array(Type.String()),
  rate_time: isoTime(),
  amount: Type.Union([wireDecimal(), Type.Null()], { description: 'The requested amount converted; null for a flexible invoice.' }),
  credited_amount: wireDecimal('Credited to the balance so far, in `currency`.'),
}, {
  title: 'InvoiceConversion',
  description: 'The account currency this invoice credits instead of `currency`: credit_rate ÷ invoice_rate (both per 1 payment.currency, locked at creation), each credit rounded down once.',
});
export type InvoiceConversionWire = Static<typeof InvoiceConversionWire>;

export const InvoiceWire = Type.Object({
  id: Type.String({ format: 'uuid' }),
  created_time: isoTime(),
  completed_time: Type.Optional(isoTime('Present once complete, absent before (never null).')),
  expiration_time: isoTime(),
  status: stringEnum(InvoiceStatuses),
  user: Type.Optional(Type.Object({ id: Type.String(), email: Type.String() }, {
    description: 'The account the invoice belongs to, and its website login email (\'\' without one).',
  })),
  type: stringEnum(['deposit'] as const),
  amount: Type.Union([wireDecimal(), Type.Null()], { description: 'Requested amount in `currency`; null for a flexible invoice.' }),
  currency: stringEnum(BalanceCurrencies),
  credited_amount: wireDecimal('Credited so far, in `currency` (see `conversion` for the balance currency it landed in).'),
  payment: InvoicePaymentWire,
  orders: Type.Array(Type.Never(), { maxItems: 0, description: 'Bitrefill\'s orders paid from the invoice; always empty.' }),
  conversion: Type.Optional(InvoiceConversionWire),
}, { title: 'Invoice' });
export type InvoiceWire = Static<typeof InvoiceWire>;

export const TransactionWire = Type.Object({
  id: Type.String(),
  created_time: isoTime(),
  type: stringEnum(TransferKinds),
  currency: Type.String(),
  amount: wireDecimal('Signed: positive into the balance, negative out of it.'),
  invoice_id: Type.Optional(Type.String()),
  charge_id: Type.Optional(Type.String()),
  reverses: Type.Optional(Type.String({ description: 'The transfer this one reverses.' })),
  description: Type.Optional(Type.String()),
}, { title: 'Transaction' });
export type TransactionWire = Static<typeof TransactionWire>;

export const CurrencyBalanceWire = Type.Object({
  currency: stringEnum(BalanceCurrencies),
  balance: wireDecimal(),
  pending: wireDecimal('Detected or confirmed but not yet credited.'),
}, { title: 'CurrencyBalance' });

export const BalanceWire = Type.Object({
  balance: wireDecimal('The account\'s main currency balance (Bitrefill\'s field).'),
  currency: stringEnum(BalanceCurrencies),
  balances: Type.Array(CurrencyBalanceWire, { description: 'Every currency the account holds.' }),
}, { title: 'Balance' });
export type BalanceWire = Static<typeof BalanceWire>;
