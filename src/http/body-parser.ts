// JSON bodies are parsed by the exact parser: numbers become JS numbers for schema validation,
// and the source text of every number, at any depth, is kept by JSON Pointer, so amounts are read
// exactly (exact-decimal.ts) and integers are checked as written (edge-input.ts).

import type { FastifyInstance } from 'fastify';
import { CofferError } from '../core/errors.ts';
import { JsonNumber, parseExactJson } from '../core/exact-json.ts';
import type { JsonValue } from '../core/exact-json.ts';
import { Limits } from '../core/limits.ts';
import { pointerSegment, rememberExactNumbers } from './exact-decimal.ts';

/** The value as JSON.parse would give it; every number's source text goes into `numbers` by pointer. */
function toPlain(value: JsonValue, pointer: string, numbers: Map<string, string>): unknown {
  if (value instanceof JsonNumber) {
    numbers.set(pointer, value.text);
    return Number(value.text);
  }
  if (Array.isArray(value)) return value.map((item: JsonValue, i) => toPlain(item, `${pointer}/${i}`, numbers));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toPlain(item as JsonValue, `${pointer}/${pointerSegment(key)}`, numbers);
    return out;
  }
  return value;
}

export function registerJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json'], { parseAs: 'string', bodyLimit: Limits.httpBodyBytesMax }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    if (text.trim().length === 0) return done(null, undefined);
    try {
      const numbers = new Map<string, string>();
      const plain = toPlain(parseExactJson(text), '', numbers);
      request.exactNumbers = numbers;
      rememberExactNumbers(plain, numbers);
      done(null, plain);
    } catch (error) {
      done(new CofferError('parse_error', `The request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
}
