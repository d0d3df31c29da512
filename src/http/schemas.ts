// Request and response schemas, declared once with TypeBox and used through Fastify's TypeBox type
// provider (@fastify/type-provider-typebox): each declaration validates the request (Ajv, app.ts),
// types `request.body/params/query` and the handler's reply in TypeScript, and is the route's entry
// in the OpenAPI document (openapi.ts). Responses are written by the exact-number JSON writer (so
// no field is ever dropped by a serializer) and checked against these schemas in the test suite.
// The wire objects shared with webhooks (Invoice, Transaction, Balance) live in core/wire-schema.ts.
// Enumerations come from core's `as const` lists, never copied.

import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { AccountTypes } from '../core/account.ts';
import { BalanceCurrencies } from '../core/assets.ts';
import { Limits } from '../core/limits.ts';
import { BalanceWire, InvoiceWire, stringEnum, TransactionWire } from '../core/wire-schema.ts';
import { requestDecimal } from './exact-decimal.ts';

export { BalanceWire as balanceSchema, InvoiceWire as invoiceSchema, TransactionWire as transactionSchema };

/** Bitrefill's `meta`: the endpoint, and id / paging facts where they apply. */
export const meta = Type.Object({
  _endpoint: Type.String({ description: 'The matched route without the /v2 prefix, e.g. /invoices/:id.' }),
  id: Type.Optional(Type.String()),
  _next: Type.Optional(Type.String({ description: 'Absolute URL of the next page; absent on the last page.' })),
  start: Type.Optional(Type.Integer()),
  limit: Type.Optional(Type.Integer()),
  txid: Type.Optional(Type.String({ description: 'Sandbox payments: the simulated payment\'s id.' })),
}, { title: 'Meta' });

export const errorResponse = Type.Object({
  meta: Type.Object({ _endpoint: Type.String() }),
  message: Type.String(),
  error_code: Type.String({ description: 'Stable code, listed in docs/error-codes.md.' }),
}, { title: 'ErrorResponse' });

/** The success envelope `{meta, data}` around a route's data schema. */
export function envelope<T extends TSchema>(data: T) {
  return Type.Object({ meta, data });
}

export const pingResponse = Type.Object({ meta, data: Type.Object({ message: Type.String() }), message: Type.String() });

const timeFilter = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$', description: 'YYYY-MM-DD HH:MM:SS, UTC' });

// `start` and `limit` carry defaults, which Ajv fills in (useDefaults), so handlers always see them.
export const pageQuery = Type.Object({
  start: Type.Integer({ minimum: 0, maximum: Limits.pageStartMax, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: Limits.pageLimitMax, default: Limits.pageLimitDefault }),
  after: Type.Optional(timeFilter),
  before: Type.Optional(timeFilter),
}, { additionalProperties: false });

export const idParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

export const depositBody = Type.Object({
  currency: Type.String({ maxLength: 10, description: `${BalanceCurrencies.join(', ')}` }),
  payment_method: Type.String({ maxLength: 40 }),
  amount: Type.Optional(requestDecimal('Absent: a flexible-amount invoice that credits whatever arrives.')),
  webhook_url: Type.Optional(Type.String({ maxLength: 2048, description: 'POSTed the full invoice when it reaches a final status.' })),
});

export const sandboxPayBody = Type.Object({
  amount: Type.Optional(requestDecimal()),
  confirmations: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  txid: Type.Optional(Type.String({ maxLength: 200 })),
  gone: Type.Optional(Type.Boolean()),
  method: Type.Optional(Type.String({ maxLength: 64 })),
});

export const chargeBody = Type.Object({
  amount: requestDecimal(),
  currency: Type.String({ maxLength: 10 }),
  idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
});

export const refundBody = Type.Object({
  amount: Type.Optional(requestDecimal()),
  idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

export const accountBody = Type.Object({
  type: stringEnum(AccountTypes),
  currency: stringEnum(BalanceCurrencies),
  label: Type.Optional(Type.String({ maxLength: 200 })),
});

