// Path-param and query-string schemas of the website's and the console's pages. Through Fastify's
// TypeBox type provider they type request.params and request.query (no casts in handlers). They
// accept every value a URL can carry, on purpose: a page answers a value it cannot use the way it
// always has — an unknown id is the 404 page, an unreadable page number is page 1, an unknown
// notice is no notice — and never with a validation error. Form bodies are not described here:
// they come through form-body.ts and are read with forms.ts field().

import { Type } from 'typebox';
import type { Static } from 'typebox';

/** A query value as Fastify's query-string parser gives it: text, or a list when the key repeats. */
const QueryValue = Type.Union([Type.String(), Type.Array(Type.String())]);
export type QueryValue = Static<typeof QueryValue>;

/** The value when it is given once; a repeated key counts as not given. */
export function queryText(value: QueryValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const optional = Type.Optional(QueryValue);

export const IdParams = Type.Object({ id: Type.String() });
export const TokenParams = Type.Object({ token: Type.String() });

// Other keys in a query string are allowed and ignored.
export const SignInQuery = Type.Object({ next: optional, signed_out: optional, reset: optional });
export const DashboardQuery = Type.Object({ page: optional, confirmation_sent: optional, confirmation_limited: optional });
export const PageQuery = Type.Object({ page: optional });
export const PasswordQuery = Type.Object({ changed: optional });
export const KeysQuery = Type.Object({ revoked: optional });

export const InvoiceSearchQuery = Type.Object({
  id: optional, account: optional, target: optional, txid: optional, status: optional, method: optional, from: optional, to: optional, before: optional,
});
export const AccountSearchQuery = Type.Object({ q: optional });
export const LedgerQuery = Type.Object({ verify: optional });
export const AuditQuery = Type.Object({ target: optional, before: optional });
