// Options both clients share, resolved once into the transport's settings: the API root,
// `fetch` (passed in; globalThis.fetch by default), timeouts, retry bounds, and the sources of
// time and randomness, replaceable so tests and schedulers can control them.

import { CofferInputError } from './errors.ts';
import { ClientLimits } from './limits.ts';
import { defaultRetrySettings } from './retry-policy.ts';
import type { FetchLike, Sleep, TransportSettings } from './transport.ts';

export interface CommonClientOptions {
  /** The API root: https://coffer.example.com/v2 for the customer API, .../admin for the operator API. */
  readonly baseUrl: string;
  /** Default: globalThis.fetch. */
  readonly fetch?: FetchLike;
  /** Per attempt, in ms; default 30 000. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt; default 2, at most 10. */
  readonly maxRetries?: number;
  /** First backoff step in ms (doubling per retry, with jitter); default 500. */
  readonly retryInitialDelayMs?: number;
  /** Largest backoff step in ms; default 8 000. */
  readonly retryMaxDelayMs?: number;
  /** A Retry-After longer than this (ms) is handed to the caller instead of waited out; default 60 000. */
  readonly maxRetryAfterMs?: number;
  /** Extra headers on every request (e.g. a tracing header). */
  readonly headers?: Readonly<Record<string, string>>;
  /** How the client waits between attempts and polls; default: a timer. */
  readonly sleep?: Sleep;
  /** Jitter source in [0, 1); default Math.random. */
  readonly random?: () => number;
}

export function transportSettings(options: CommonClientOptions, authorization: string | null): TransportSettings {
  return {
    baseUrl: apiRoot(options.baseUrl), authorization,
    fetch: options.fetch ?? defaultFetch(),
    timeoutMs: boundedInt(options.timeoutMs ?? ClientLimits.timeoutMsDefault, 1, ClientLimits.timeoutMsMax, 'timeoutMs'),
    retry: {
      maxRetries: boundedInt(options.maxRetries ?? defaultRetrySettings.maxRetries, 0, ClientLimits.maxRetriesMax, 'maxRetries'),
      initialDelayMs: nonNegative(options.retryInitialDelayMs ?? defaultRetrySettings.initialDelayMs, 'retryInitialDelayMs'),
      maxDelayMs: nonNegative(options.retryMaxDelayMs ?? defaultRetrySettings.maxDelayMs, 'retryMaxDelayMs'),
      maxRetryAfterMs: nonNegative(options.maxRetryAfterMs ?? defaultRetrySettings.maxRetryAfterMs, 'maxRetryAfterMs'),
    },
    sleep: options.sleep ?? timerSleep,
    random: options.random ?? Math.random,
    randomUuid: defaultUuid,
    headers: lowerCaseKeys(options.headers ?? {}),
  };
}

/** HTTP Basic for business accounts: base64 of the UTF-8 bytes of "id:secret". */
export function basicAuthorization(id: string, secret: string): string {
  if (id.includes(':')) throw new CofferInputError('apiId must not contain ":"', 'apiId');
  const bytes = new TextEncoder().encode(`${id}:${secret}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

export function bearerAuthorization(token: string, field: string): string {
  if (token.length === 0 || /[\s]/.test(token)) throw new CofferInputError(`${field} must be a non-empty token without spaces`, field);
  return `Bearer ${token}`;
}

function apiRoot(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new CofferInputError(`baseUrl must be an absolute URL such as https://coffer.example.com/v2, got ${JSON.stringify(baseUrl)}`, 'baseUrl');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CofferInputError('baseUrl must be an http(s) URL', 'baseUrl');
  if (url.search || url.hash) throw new CofferInputError('baseUrl must not carry a query or fragment', 'baseUrl');
  return url.toString().replace(/\/+$/, '');
}

function defaultFetch(): FetchLike {
  const f = (globalThis as { fetch?: FetchLike }).fetch;
  if (typeof f !== 'function') throw new CofferInputError('No global fetch in this runtime: pass options.fetch', 'fetch');
  return (url, init) => f(url, init);
}

function defaultUuid(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof c?.randomUUID !== 'function') throw new CofferInputError('No crypto.randomUUID in this runtime: pass idempotencyKey on each POST', 'idempotencyKey');
  return c.randomUUID();
}

function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(timer); reject(signal?.reason); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function nonNegative(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0) throw new CofferInputError(`${field} must be a non-negative number of ms`, field);
  return value;
}

function boundedInt(value: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new CofferInputError(`${field} must be an integer from ${min} to ${max}`, field);
  return value;
}

/** Header names are case-insensitive; lower-casing them lets the client's own headers replace, not join, a caller's. */
function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
