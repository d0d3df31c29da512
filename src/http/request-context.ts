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
