// One check, at the edge, of every string and integer a request brings in, before any route's
// schema or handler sees it (issue 15, findings 3 and 4; ADVERSARIAL 30):
// - text: no C0 control character other than tab, LF and CR, no DEL, no lone UTF-16 surrogate.
//   PostgreSQL refuses NUL in text ("invalid byte sequence for encoding UTF8: 0x00") and the
//   driver turns a lone surrogate into U+FFFD, so such a value would be a 5xx on one database
//   and silently stored or changed on the other. Path params, query, JSON bodies and form fields
//   (keys and values, at any depth) are checked here; headers used as data by their readers.
// - integers in query strings and JSON bodies: decimal digits only and at most
//   Limits.inputIntegerDigitsMax of them. Ajv's coercion would take "0x10", "1e3", "Infinity"
//   or 400 nines as numbers, and the JSON parser reads 1e400 as Infinity.
// Installed once as an onRoute hook, so every route of every plugin gets it, with the integer
// fields of its schema found once at registration, not per request.

import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import { CofferError } from '../core/errors.ts';
import { Limits } from '../core/limits.ts';
import { pointerSegment } from './exact-decimal.ts';

// eslint-disable-next-line no-control-regex
const BAD_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DECIMAL_INTEGER = new RegExp(`^[0-9]{1,${Limits.inputIntegerDigitsMax}}$`);

/** Whether a string holds only characters that make sense in an input: see the file comment. */
export function isCleanText(text: string): boolean {
  return !BAD_TEXT.test(text);
}

function invalid(field: string, what: string): CofferError {
  return new CofferError('invalid_param', `${field || 'The request'} ${what}`, { field });
}

const TEXT_RULE = 'contains a control character or an invalid Unicode sequence';

/** Checks every string (keys included) in a parsed value; JSON depth is already bounded by the parser. */
function checkStrings(value: unknown, field: string, depth: number): void {
  if (typeof value === 'string') {
    if (BAD_TEXT.test(value)) throw invalid(field, TEXT_RULE);
    return;
  }
  if (value === null || typeof value !== 'object' || depth > Limits.inputDepthMax) {
    if (depth > Limits.inputDepthMax) throw invalid(field, 'is nested too deeply');
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkStrings(value[i], field, depth + 1);
    return;
  }
  for (const key in value) {
    if (BAD_TEXT.test(key)) throw invalid('', `has a field name that ${TEXT_RULE}`);
    checkStrings((value as Record<string, unknown>)[key], key, depth + 1);
  }
}

interface IntegerFields {
  readonly query: readonly string[];
  readonly body: readonly string[];
}

function integerProperties(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties;
  if (!properties) return [];
  return Object.keys(properties).filter((name) => {
    const type = properties[name]?.type;
    return type === 'integer' || (Array.isArray(type) && type.includes('integer'));
  });
}

/** A parsed query string or JSON object body (this hook runs before the route's schema has checked it). */
function isFieldMap(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkQueryIntegers(query: unknown, fields: readonly string[]): void {
  if (!isFieldMap(query)) return;
  for (const name of fields) {
    const raw = query[name];
    if (raw === undefined) continue;
    if (typeof raw !== 'string' || !DECIMAL_INTEGER.test(raw)) throw invalid(name, `must be a whole number written in decimal digits (at most ${Limits.inputIntegerDigitsMax})`);
  }
}

function checkBodyIntegers(request: FastifyRequest, fields: readonly string[]): void {
  const body = request.body;
  if (!isFieldMap(body)) return;
  for (const name of fields) {
    if (typeof body[name] !== 'number') continue; // absent, or a wrong type the schema reports
    const text = request.exactNumbers?.get(`/${pointerSegment(name)}`);
    if (text === undefined || !DECIMAL_INTEGER.test(text)) throw invalid(name, `must be a whole number written in decimal digits (at most ${Limits.inputIntegerDigitsMax})`);
  }
}

function edgeCheck(fields: IntegerFields) {
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    try {
      checkStrings(request.params, '', 0);
      checkStrings(request.query, '', 0);
      if (request.body !== undefined) checkStrings(request.body, '', 0);
      if (fields.query.length > 0) checkQueryIntegers(request.query, fields.query);
      if (fields.body.length > 0) checkBodyIntegers(request, fields.body);
      const key = request.headers['idempotency-key'];
      if (typeof key === 'string' && BAD_TEXT.test(key)) throw invalid('Idempotency-Key', TEXT_RULE);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };
}

/** Adds the edge check to every route registered after this call, in every plugin. */
export function installEdgeChecks(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as { querystring?: unknown; body?: unknown } | undefined;
    const hook = edgeCheck({ query: integerProperties(schema?.querystring), body: integerProperties(schema?.body) });
    const existing = route.preValidation;
    route.preValidation = existing === undefined ? hook : [hook, ...(Array.isArray(existing) ? existing : [existing])];
  });
}
