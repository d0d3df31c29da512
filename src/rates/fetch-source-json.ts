// One bounded GET of a price source's JSON: a timeout covering connect, headers and body, a
// body size cap, no redirects, and the body parsed with numbers kept as text.

import { isBodyTooLarge, readCappedBody } from '../core/capped-body.ts';
import { parseExactJson } from '../core/exact-json.ts';
import type { JsonValue } from '../core/exact-json.ts';
import { RATE_RESPONSE_BYTES_MAX } from './limits.ts';
import { RateSourceError } from './rate-source.ts';
import type { HttpSourceOptions } from './rate-source.ts';

export async function fetchSourceJson(
  source: string,
  options: HttpSourceOptions,
  pathAndQuery: string,
  signal?: AbortSignal,
  headers: Readonly<Record<string, string>> = {},
): Promise<JsonValue> {
  const url = options.baseUrl.replace(/\/+$/, '') + pathAndQuery;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const combined = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
  let text: string;
  try {
    const response = await options.fetch(url, {
      method: 'GET',
      headers: { accept: 'application/json', ...headers },
      redirect: 'error',
      signal: combined,
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new RateSourceError(source, `HTTP ${response.status}`);
    }
    text = await readCapped(source, response);
  } catch (error) {
    if (error instanceof RateSourceError) throw error;
    if (timeout.aborted) throw new RateSourceError(source, `no answer within ${options.timeoutMs} ms`);
    if (signal?.aborted) throw new RateSourceError(source, 'request cancelled');
    throw new RateSourceError(source, `request failed: ${describe(error)}`);
  }
  try {
    return parseExactJson(text);
  } catch (error) {
    throw new RateSourceError(source, `malformed JSON: ${describe(error)}`);
  }
}

async function readCapped(source: string, response: Response): Promise<string> {
  const body = await readCappedBody(response, RATE_RESPONSE_BYTES_MAX);
  if (isBodyTooLarge(body)) throw new RateSourceError(source, `response larger than ${RATE_RESPONSE_BYTES_MAX} bytes`);
  return new TextDecoder('utf-8', { fatal: true }).decode(body);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`.slice(0, 200);
  }
  return String(error).slice(0, 200);
}
