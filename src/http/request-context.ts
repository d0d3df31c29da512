// Per-request facts the hooks establish: the raw body (for idempotency hashes), the exact text
// of top-level JSON numbers (amounts), and the authenticated principal.

import type { FastifyRequest } from 'fastify';
import { CofferError } from '../core/errors.ts';
import type { Principal } from '../usecases/manage-accounts.ts';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
    exactNumbers?: Map<string, string>;
    principal?: Principal;
  }
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new CofferError('unauthorized', 'Authentication required');
  return request.principal;
}

/** A decimal body field as exact text: JSON numbers keep their source text, strings are taken as written. */
export function decimalField(request: FastifyRequest, body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') {
    const text = request.exactNumbers?.get(field);
    if (text === undefined) throw new CofferError('invalid_param', `${field} must be a decimal number`, { field });
    return text;
  }
  if (typeof value === 'string') return value;
  throw new CofferError('invalid_param', `${field} must be a number or a decimal string`, { field });
}
