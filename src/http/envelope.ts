// Bitrefill's response envelope: `{meta: {_endpoint, ...}, data}` on success and
// `{meta: {_endpoint}, message, error_code}` on error.

import type { FastifyRequest } from 'fastify';

/** The public base URL when none is configured: config's default HOST and PORT. */
export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:3000';

/**
 * The path part of a request target. An absolute-form target (`GET http://evil.example/v2/x`,
 * RFC 9112 §3.2.2) arrives whole in request.url; only its path is ever written back.
 */
export function pathOf(target: string): string {
  let path = target;
  if (!path.startsWith('/')) {
    const authority = path.indexOf('//');
    const slash = authority < 0 ? -1 : path.indexOf('/', authority + 2);
    path = slash < 0 ? '/' : path.slice(slash);
  }
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
}

/**
 * meta._endpoint: the matched route's path without the /v2 prefix (`/invoices/:id`), never the
 * request target as sent; for a request that matched no route, the path of its target.
 */
export function endpointOf(request: FastifyRequest): string {
  const path = request.routeOptions.url ?? pathOf(request.url);
  return path.startsWith('/v2/') ? path.slice(3) : path;
}

/** The success envelope; typed, so a route's reply is checked against its response schema. */
export function ok<T, M extends object = Record<never, never>>(request: FastifyRequest, data: T, meta?: M): { meta: { _endpoint: string } & M; data: T } {
  return { meta: { _endpoint: endpointOf(request), ...(meta as M) }, data };
}

export function errorBody(request: FastifyRequest, code: string, message: string): Record<string, unknown> {
  return { meta: { _endpoint: endpointOf(request) }, message, error_code: code };
}
