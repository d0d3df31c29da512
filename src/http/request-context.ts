// Per-request facts the hooks establish: the raw body (for idempotency hashes), the exact text
// of every JSON number by JSON Pointer (exact-decimal.ts, edge-input.ts), and the authenticated principal.

import type { FastifyRequest } from 'fastify';
import { CofferError } from '../core/errors.ts';
import type { Principal } from '../usecases/manage-accounts.ts';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
    /** Source text of every number in the JSON body, by JSON Pointer ("/amount", "/items/0/amount"). */
    exactNumbers?: Map<string, string>;
    principal?: Principal;
  }
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new CofferError('unauthorized', 'Authentication required');
  return request.principal;
}

/**
 * A decimal body field as exact text, for handlers whose body is not yet typed through the TypeBox
 * provider (admin-routes.ts). A schema field declared with `requestDecimal` already arrives as its
 * exact text; a bare number is looked up by its JSON Pointer.
 */
export function decimalField(request: FastifyRequest, body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  const text = typeof value === 'number' ? request.exactNumbers?.get(`/${field}`) : undefined;
  if (text === undefined) throw new CofferError('invalid_param', `${field} must be a number or a decimal string`, { field });
  return text;
}
