// Bitrefill's response envelope: `{meta: {_endpoint, ...}, data}` on success and
// `{meta: {_endpoint}, message, error_code}` on error.

import type { FastifyRequest } from 'fastify';

/** The endpoint path as Bitrefill reports it: the route without the /v2 prefix or query. */
export function endpointOf(request: FastifyRequest): string {
  const path = (request.url.split('?')[0] ?? '/');
  return path.startsWith('/v2/') ? path.slice(3) : path;
}

export function ok(request: FastifyRequest, data: unknown, meta: Record<string, unknown> = {}): Record<string, unknown> {
  return { meta: { _endpoint: endpointOf(request), ...meta }, data };
}

export function errorBody(request: FastifyRequest, code: string, message: string): Record<string, unknown> {
  return { meta: { _endpoint: endpointOf(request) }, message, error_code: code };
}
