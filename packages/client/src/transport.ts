// One HTTP exchange with retries. Every POST carries an Idempotency-Key, generated once per call
// and reused by every retry of that call, so a retry after a lost answer replays the first
// result instead of repeating its effect. Each attempt has its own timeout; the caller's
// AbortSignal cancels the whole call, including a wait between attempts.

import { CofferConnectionError, CofferInputError, CofferInvalidResponseError, CofferTimeoutError, apiErrorFor } from './errors.ts';
import { isJsonObject, parseExactJson } from './exact-json.ts';
import type { JsonObject } from './exact-json.ts';
import { writeBody } from './json-body.ts';
import type { Body } from './json-body.ts';
import { ClientLimits } from './limits.ts';
import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs, retryAfterDelayMs } from './retry-policy.ts';
import type { RetrySettings } from './retry-policy.ts';

/** What the client needs of `fetch`; `globalThis.fetch` fits, and so does any compatible function. */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;
export interface FetchInit {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal: AbortSignal;
  readonly redirect: 'manual';
}
export interface FetchResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null; forEach(callback: (value: string, key: string) => void): void };
  text(): Promise<string>;
}

/** Waits `ms`; rejects when `signal` aborts. Replaceable so tests and schedulers control time. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface TransportSettings {
  /** Absolute API root without a trailing slash, e.g. https://coffer.example.com/v2. */
  readonly baseUrl: string;
  readonly authorization: string | null;
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly retry: RetrySettings;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly randomUuid: () => string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Per-call options every method accepts. */
export interface CallOptions {
  /** Cancels the call, including waits between retries. */
  readonly signal?: AbortSignal;
  /** Timeout of each attempt, in ms. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (0 turns retrying off for this call). */
  readonly maxRetries?: number;
  /** Your own Idempotency-Key for a POST (e.g. your order id); default: a random UUID per call. */
  readonly idempotencyKey?: string;
  /** Sent as X-Request-Id so your logs and the server's share an id. */
  readonly requestId?: string;
}

export interface ApiRequest {
  readonly method: 'GET' | 'POST';
  /** Path below the base URL, starting with '/'. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: Body;
  /** A status ≥ 400 carrying a data envelope is an answer, not an error (ledger verify reports drift with 500). */
  readonly dataOnErrorStatus?: boolean;
}

export interface ApiResponse {
  readonly status: number;
  readonly requestId: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly envelope: JsonObject;
  readonly idempotencyKey: string | null;
  readonly attempts: number;
}

type Attempt =
  | { readonly kind: 'response'; readonly status: number; readonly headers: Record<string, string>; readonly text: string; readonly envelope: JsonObject | null }
  | { readonly kind: 'failure'; readonly error: CofferConnectionError };

const KEY_RE = /^[\x21-\x7e]+$/;

export class Transport {
  readonly settings: TransportSettings;

  constructor(settings: TransportSettings) {
    this.settings = settings;
  }

  async send(request: ApiRequest, options: CallOptions = {}): Promise<ApiResponse> {
    const idempotencyKey = request.method === 'POST' ? checkedKey(options.idempotencyKey ?? this.settings.randomUuid()) : null;
    const body = request.body === undefined ? undefined : writeBody(request.body);
    const init = { method: request.method, headers: this.headersFor(body !== undefined, idempotencyKey, options.requestId), ...(body === undefined ? {} : { body }) };
    const url = this.urlFor(request);
    const idempotent = request.method === 'GET' || idempotencyKey !== null;
    const maxRetries = bounded(options.maxRetries ?? this.settings.retry.maxRetries, 0, ClientLimits.maxRetriesMax, 'maxRetries');
    const timeoutMs = bounded(options.timeoutMs ?? this.settings.timeoutMs, 1, ClientLimits.timeoutMsMax, 'timeoutMs');
    for (let retry = 0; ; retry++) {
      const attempt = await this.attempt(url, init, timeoutMs, options.signal);
      const delayMs = retry < maxRetries ? this.retryDelayMs(attempt, idempotent, retry, request.dataOnErrorStatus === true) : null;
      if (delayMs === null) return finish(attempt, request, idempotencyKey, retry + 1);
      await this.settings.sleep(delayMs, options.signal);
    }
  }

  urlFor(request: Pick<ApiRequest, 'path' | 'query'>): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) search.set(key, value);
    const query = search.toString();
    return `${this.settings.baseUrl}${request.path}${query ? `?${query}` : ''}`;
  }

  private headersFor(hasBody: boolean, idempotencyKey: string | null, requestId: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { ...this.settings.headers, accept: 'application/json' };
    if (this.settings.authorization !== null) headers['authorization'] = this.settings.authorization;
    if (hasBody) headers['content-type'] = 'application/json';
    if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    return headers;
  }

  private async attempt(url: string, init: Omit<FetchInit, 'signal' | 'redirect'>, timeoutMs: number, signal: AbortSignal | undefined): Promise<Attempt> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // Redirects are not followed: the API never redirects, and following one could turn a
      // POST into a GET or carry credentials elsewhere. A 3xx surfaces as an error instead.
      const response = await this.settings.fetch(url, { ...init, signal: controller.signal, redirect: 'manual' });
      const text = await response.text();
      return { kind: 'response', status: response.status, headers: headerRecord(response.headers), text, envelope: envelopeOf(text) };
    } catch (error) {
      signal?.throwIfAborted();
      if (timedOut) return { kind: 'failure', error: new CofferTimeoutError(timeoutMs) };
      const reason = error instanceof Error ? error.message : String(error);
      return { kind: 'failure', error: new CofferConnectionError(`Could not reach ${new URL(url).origin}: ${reason}`, { cause: error }) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The wait before the next attempt, or null when this attempt's outcome is final. */
  private retryDelayMs(attempt: Attempt, idempotent: boolean, retry: number, dataOnErrorStatus: boolean): number | null {
    const { retry: settings, random } = this.settings;
    if (attempt.kind === 'failure') return idempotent ? backoffDelayMs(retry, settings, random) : null;
    if (attempt.status < 400 || !isRetryableStatus(attempt.status, idempotent)) return null;
    if (dataOnErrorStatus && isDataEnvelope(attempt.envelope)) return null;
    const retryAfterMs = parseRetryAfterMs(attempt.headers['retry-after'] ?? null, Date.now());
    if (retryAfterMs !== null) return retryAfterDelayMs(retryAfterMs, settings, random);
    return backoffDelayMs(retry, settings, random);
  }
}

function finish(attempt: Attempt, request: ApiRequest, idempotencyKey: string | null, attempts: number): ApiResponse {
  if (attempt.kind === 'failure') throw attempt.error;
  const { status, headers, envelope, text } = attempt;
  const requestId = headers['x-request-id'] ?? null;
  const answered = (status >= 200 && status < 300) || (request.dataOnErrorStatus === true && isDataEnvelope(envelope));
  if (answered) {
    if (envelope === null || !('data' in envelope)) throw new CofferInvalidResponseError(`HTTP ${status} without Coffer's JSON envelope`, status, requestId);
    return { status, requestId, headers, envelope, idempotencyKey, attempts };
  }
  const meta = envelope?.['meta'];
  const code = envelope?.['error_code'];
  const message = envelope?.['message'];
  throw apiErrorFor({
    status, requestId, headers, body: text.slice(0, ClientLimits.errorBodyCharsMax),
    errorCode: typeof code === 'string' ? code : null,
    message: typeof message === 'string' ? message : status >= 300 && status < 400 ? `HTTP ${status}: the API does not redirect; check baseUrl (http vs https, path)` : `HTTP ${status}`,
    endpoint: isJsonObject(meta) && typeof meta['_endpoint'] === 'string' ? meta['_endpoint'] : null,
  });
}

function envelopeOf(text: string): JsonObject | null {
  try {
    const value = parseExactJson(text);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

function isDataEnvelope(envelope: JsonObject | null): boolean {
  return envelope !== null && 'data' in envelope && !('error_code' in envelope);
}

function headerRecord(headers: FetchResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => { out[key.toLowerCase()] = value; });
  return out;
}

function checkedKey(key: string): string {
  if (key.length === 0 || key.length > ClientLimits.idempotencyKeyLengthMax || !KEY_RE.test(key)) {
    throw new CofferInputError(`idempotencyKey must be 1 to ${ClientLimits.idempotencyKeyLengthMax} printable ASCII characters`, 'idempotencyKey');
  }
  return key;
}

function bounded(value: number, min: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new CofferInputError(`${name} must be an integer from ${min} to ${max}`, name);
  return value;
}
