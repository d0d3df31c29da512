// The website's and the operator console's one parser of HTML form bodies
// (application/x-www-form-urlencoded): bounded in bytes and in fields.

import type { FastifyInstance } from 'fastify';
import { WebLimits } from '../core/limits.ts';


export function parseForm(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const [key, value] of new URLSearchParams(text)) {
    if (++count > WebLimits.formFieldsMax) break;
    // The first value of a repeated field wins; a later one cannot override a checked one.
    if (!(key in out)) out[key] = value;
  }
  return out;
}

/** Registers the form parser in this (encapsulated) plugin scope. */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: WebLimits.formBodyBytesMax }, (_request, body, done) => {
    done(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')));
  });
}
