// JSON bodies are parsed by the exact parser: numbers become JS numbers for schema validation,
// and the source text of each top-level number is kept so amounts are read exactly.

import type { FastifyInstance } from 'fastify';
import { CofferError } from '../core/errors.ts';
import { JsonNumber, parseExactJson } from '../core/exact-json.ts';
import type { JsonValue } from '../core/exact-json.ts';
import { Limits } from '../core/limits.ts';

function toPlain(value: JsonValue): unknown {
  if (value instanceof JsonNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toPlain(item as JsonValue);
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
      const parsed = parseExactJson(text);
      const numbers = new Map<string, string>();
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && !(parsed instanceof JsonNumber)) {
        for (const [key, item] of Object.entries(parsed)) if (item instanceof JsonNumber) numbers.set(key, item.text);
      }
      request.exactNumbers = numbers;
      done(null, toPlain(parsed));
    } catch (error) {
      done(new CofferError('parse_error', `The request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
}
