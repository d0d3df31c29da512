// The OpenAPI 3.1 document at /v2/openapi.json, generated from the routes' own schemas.

import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorResponse } from './schemas.ts';

export interface CollectedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: Record<string, unknown>;
}

/** Records every /v2 route's schema as it is registered; the returned list fills in later. */
export function collectOpenApi(app: FastifyInstance): CollectedRoute[] {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/v2/') || route.url.endsWith('/openapi.json')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({ method: method.toLowerCase(), url: route.url, schema: (route.schema ?? {}) as Record<string, unknown> });
    }
  });
  return routes;
}

function parametersOf(url: string, schema: Record<string, unknown>): unknown[] {
  const parameters: unknown[] = [];
  for (const name of url.match(/:(\w+)/g) ?? []) parameters.push({ name: name.slice(1), in: 'path', required: true, schema: { type: 'string' } });
  const query = schema['querystring'] as { properties?: Record<string, unknown> } | undefined;
  for (const [name, s] of Object.entries(query?.properties ?? {})) parameters.push({ name, in: 'query', required: false, schema: s });
  return parameters;
}

export function buildOpenApi(routes: readonly CollectedRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/^\/v2/, '').replace(/:(\w+)/g, '{$1}');
    const response = (route.schema['response'] as Record<string, unknown> | undefined)?.['200'] ?? { type: 'object' };
    paths[path] ??= {};
    paths[path]![route.method] = {
      parameters: parametersOf(route.url, route.schema),
      ...(route.schema['body'] ? { requestBody: { required: true, content: { 'application/json': { schema: route.schema['body'] } } } } : {}),
      responses: {
        200: { description: 'Success', content: { 'application/json': { schema: response } } },
        default: { description: 'Error', content: { 'application/json': { schema: errorResponse } } },
      },
      security: path === '/ping' ? [] : [{ basic: [] }, { bearer: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Coffer /v2 API (Bitrefill v2 account endpoints compatible)', version: '0.1.0' },
    servers: [{ url: '/v2' }],
    components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' }, bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
