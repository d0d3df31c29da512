// The OpenAPI 3.1 document at /v2/openapi.json, generated from the routes' own TypeBox schemas
// (the same objects Fastify validates with and types the handlers from). Named wire objects (a
// schema with a `title`, e.g. Invoice) become components/schemas entries referenced by $ref, so
// the SDK's generator (scripts/gen-client-wire-types.ts) can name its types after them.
// OpenAPI 3.1 (JSON Schema 2020-12 schemas, `x-` extensions allowed): https://spec.openapis.org/oas/v3.1.0

import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorResponse } from './schemas.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface CollectedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: JsonObject;
}

/** A schema as plain JSON: TypeBox keeps its own markers as non-enumerable keys, which this drops. */
export function plainJson(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value ?? {})) as JsonObject;
}

/** Records every /v2 route's schema as it is registered; the returned list fills in later. */
export function collectOpenApi(app: FastifyInstance): CollectedRoute[] {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/v2/')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({ method: method.toLowerCase(), url: route.url, schema: plainJson(route.schema) });
    }
  });
  return routes;
}

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Moves every titled object schema into `components` and leaves a $ref in its place. */
export function hoistNamed(schema: Json, components: Record<string, Json>): Json {
  if (Array.isArray(schema)) return schema.map((item) => hoistNamed(item, components));
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) out[key] = hoistNamed(value, components);
  const title = schema['title'];
  if (typeof title !== 'string' || schema['type'] !== 'object') return out;
  const known = components[title];
  if (known !== undefined && JSON.stringify(known) !== JSON.stringify(out)) throw new Error(`two different schemas are titled ${title}`);
  components[title] = out;
  return { $ref: `#/components/schemas/${title}` };
}

function parametersOf(schema: JsonObject): Json[] {
  const parameters: Json[] = [];
  for (const [part, where] of [['params', 'path'], ['querystring', 'query']] as const) {
    const object = schema[part];
    if (!isObject(object) || !isObject(object['properties'])) continue;
    const required = Array.isArray(object['required']) ? object['required'] : [];
    for (const [name, s] of Object.entries(object['properties'])) {
      // A parameter with a default is optional to the client, though the handler always sees it.
      const needed = where === 'path' || (required.includes(name) && !(isObject(s) && 'default' in s));
      parameters.push({ name, in: where, required: needed, schema: s });
    }
  }
  return parameters;
}

function operationOf(route: CollectedRoute, components: Record<string, Json>): JsonObject {
  const { schema } = route;
  const response = isObject(schema['response']) ? schema['response']['200'] ?? schema['response']['201'] : undefined;
  return {
    parameters: parametersOf(schema),
    ...(schema['body'] ? { requestBody: { required: true, content: { 'application/json': { schema: hoistNamed(schema['body'], components) } } } } : {}),
    responses: {
      200: { description: 'Success', content: { 'application/json': { schema: hoistNamed(response ?? { type: 'object' }, components) } } },
      default: { description: 'Error', content: { 'application/json': { schema: hoistNamed(plainJson(errorResponse), components) } } },
    },
    security: Array.isArray(schema['security']) ? schema['security'] : [{ basic: [] }, { bearer: [] }],
  };
}

export function buildOpenApi(routes: readonly CollectedRoute[]): JsonObject {
  const paths: Record<string, Record<string, Json>> = {};
  const components: Record<string, Json> = {};
  for (const route of routes) {
    const path = route.url.replace(/^\/v2/, '').replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path]![route.method] = operationOf(route, components);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Coffer /v2 API (Bitrefill v2 account endpoints compatible)', version: '0.1.0' },
    servers: [{ url: '/v2' }],
    components: { schemas: components, securitySchemes: { basic: { type: 'http', scheme: 'basic' }, bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
