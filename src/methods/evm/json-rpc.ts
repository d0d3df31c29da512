// A minimal Ethereum JSON-RPC client over an injected fetch. Chosen over viem's client because
// the watcher needs a few read methods, exact control of batching and timeouts, no response
// caching (a stale cached block number would hide a reorg) and bigint amounts parsed by us; fetch
// is passed in so tests and benchmarks can point it anywhere.
//
// Calls made in the same event-loop turn are sent as one HTTP batch (what a watcher step asks at
// once costs one request, not one per call). The batch size adapts (request-policy.ts): a batch
// the provider refuses as too large (413, geth's "batch too large", an oversized reply) is split
// and resent, never resent unchanged; it grows back slowly after successes. A request answered
// "slow down" (429, a rate-limit error) waits for the provider's Retry-After (or the policy's
// backoff) and is sent again, a few times, before its callers see the error; every later request
// to the endpoint waits too. Every failure is a JsonRpcError carrying the policy's kind
// (rpc-errors.ts) and the provider's Retry-After.

import { isBodyTooLarge, readCappedBody } from '../../core/capped-body.ts';
import { AdaptiveSize, parseRetryAfter, RemoteFailureKind, RemoteRequestError, RequestPacer } from '../request-policy.ts';
import { RPC_BATCH_MAX, RPC_RATE_LIMIT_RETRIES, RPC_RESPONSE_BYTES_MAX, RPC_TIMEOUT_MS } from './limits.ts';
import { classifyRpcFailure, statedWaitMs } from './rpc-errors.ts';

export class JsonRpcError extends Error {
  override readonly name = 'JsonRpcError';
  readonly code: number | undefined;
  readonly method: string;
  /** The request policy's reading of this failure; null for a real answer (e.g. a revert). */
  readonly kind: RemoteFailureKind | null;
  readonly retryAfterMs: number | null;
  /** The provider's own message (without the method prefix), for stated limits. */
  readonly detail: string;
  constructor(method: string, message: string, code?: number, facts: { httpStatus?: number; retryAfterMs?: number | null; kind?: RemoteFailureKind | null } = {}) {
    super(`${method}: ${message}`);
    this.method = method;
    this.code = code;
    this.detail = message;
    this.kind = facts.kind !== undefined ? facts.kind : classifyRpcFailure({ httpStatus: facts.httpStatus, code, message });
    // A Retry-After header wins; else a wait the provider states in its message (TronGrid).
    this.retryAfterMs = facts.retryAfterMs ?? statedWaitMs(message);
  }
}

export interface RpcCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

interface RpcResponse {
  readonly id?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code?: number; readonly message?: string };
}

interface Pending {
  readonly call: RpcCall;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface JsonRpcClientOptions {
  readonly timeoutMs?: number;
  /** Calls per HTTP batch to start with (a provider preset); adapts between 1 and RPC_BATCH_MAX. */
  readonly batchSize?: number;
  readonly batchMax?: number;
}

export class JsonRpcClient {
  readonly url: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  /** Calls per HTTP request: shrinks on a refused batch, grows back after successes. */
  readonly batchSize: AdaptiveSize;
  /** When the next request may go out (after a rate limit). */
  readonly pacer = new RequestPacer();
  #id = 0;
  #queue: Pending[] = [];
  #flushScheduled = false;
  /** Calls made, for benchmarks and metrics (a batch counts each call). */
  calls = 0;
  /** HTTP requests made. */
  requests = 0;

  constructor(url: string, fetchFn: typeof fetch = fetch, options: JsonRpcClientOptions | number = {}) {
    const o = typeof options === 'number' ? { timeoutMs: options } : options;
    this.url = url;
    this.#fetch = fetchFn;
    this.#timeoutMs = o.timeoutMs ?? RPC_TIMEOUT_MS;
    const max = o.batchMax ?? RPC_BATCH_MAX;
    this.batchSize = new AdaptiveSize({ initial: o.batchSize ?? max, min: 1, max });
  }

  call(method: string, params: readonly unknown[] = []): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ call: { method, params }, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // After the current turn's microtasks: every call a step issues in parallel joins.
        setImmediate(() => { void this.#flush(); });
      }
    });
  }

  /** Results in call order; any error throws (the first one). */
  batch(calls: readonly RpcCall[]): Promise<unknown[]> {
    return Promise.all(calls.map((c) => this.call(c.method, c.params)));
  }

  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    let i = 0;
    let rateLimited = 0;
    while (i < queue.length) {
      const size = this.batchSize.value;
      const chunk = queue.slice(i, i + size);
      try {
        const delayMs = this.pacer.delayMs(Date.now());
        if (delayMs > 0) await sleep(delayMs);
        const answers = await this.#send(chunk.map((p) => p.call));
        this.batchSize.succeeded();
        this.pacer.succeeded();
        rateLimited = 0;
        for (const [j, p] of chunk.entries()) {
          const a = answers[j] as unknown[] | JsonRpcError;
          if (a instanceof JsonRpcError) p.reject(a);
          else p.resolve(a[0]);
        }
        i += chunk.length;
      } catch (error) {
        const e = error as JsonRpcError;
        if (e.kind === RemoteFailureKind.rateLimited && rateLimited < RPC_RATE_LIMIT_RETRIES) {
          // Same request again once the provider's wait is over (the pacer holds every request).
          rateLimited += 1;
          this.pacer.failed(new RemoteRequestError(e.kind, e.message, e.retryAfterMs), Date.now());
          continue;
        }
        // A refused batch of several calls is split and resent; one call alone gets the error
        // (its caller splits what it asked for: a range, say).
        if (chunk.length > 1 && (e.kind === RemoteFailureKind.tooLarge || e.kind === RemoteFailureKind.timeout)) {
          this.batchSize.shrinkTo(Math.max(1, Math.floor(chunk.length / 2)));
          continue;
        }
        for (const p of chunk) p.reject(e);
        i += chunk.length;
      }
    }
  }

  /** One HTTP request; per-call answers are [result] or a JsonRpcError; whole-request failures throw. */
  async #send(calls: readonly RpcCall[]): Promise<([unknown] | JsonRpcError)[]> {
    const first = this.#id + 1;
    const body = calls.map((c) => ({ jsonrpc: '2.0', id: ++this.#id, method: c.method, params: c.params }));
    const label = calls.length === 1 ? (calls[0] as RpcCall).method : `batch(${calls.length})`;
    this.calls += calls.length;
    this.requests += 1;
    let response: Response;
    try {
      response = await this.#fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(calls.length === 1 ? body[0] : body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new JsonRpcError(label, timedOut ? `no answer in ${this.#timeoutMs} ms` : `node unreachable (${(error as Error).message})`,
        undefined, { kind: timedOut ? RemoteFailureKind.timeout : RemoteFailureKind.unavailable });
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    const reply = await readCappedBody(response, RPC_RESPONSE_BYTES_MAX);
    if (isBodyTooLarge(reply)) {
      throw new JsonRpcError(label, `response larger than ${RPC_RESPONSE_BYTES_MAX} bytes`, undefined, { kind: RemoteFailureKind.tooLarge });
    }
    const text = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength).toString('utf8');
    if (!response.ok) {
      throw new JsonRpcError(label, `HTTP ${response.status}${text.length > 0 ? ` ${text.slice(0, 200)}` : ''}`, undefined,
        { httpStatus: response.status, retryAfterMs });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new JsonRpcError(label, `response is not JSON (${text.slice(0, 80)})`, undefined, { kind: RemoteFailureKind.unavailable });
    }
    // One error object for a whole batch (geth's "batch too large", a provider's limit page).
    if (calls.length > 1 && !Array.isArray(parsed)) {
      const err = (parsed as RpcResponse | null)?.error;
      const message = typeof err?.message === 'string' ? err.message : 'batch answered with a single object';
      throw new JsonRpcError(label, message, err?.code, { retryAfterMs });
    }
    const list: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
    // Batch answers may come back in any order: match them to calls by id.
    const byId = new Map<number, RpcResponse>();
    for (const r of list) {
      if (typeof r === 'object' && r !== null && typeof (r as RpcResponse).id === 'number') byId.set((r as RpcResponse).id as number, r as RpcResponse);
    }
    return calls.map((c, i): [unknown] | JsonRpcError => {
      const r = byId.get(first + i);
      if (r === undefined) return new JsonRpcError(c.method, 'no response for call', undefined, { kind: RemoteFailureKind.unavailable });
      if (r.error !== undefined && r.error !== null) {
        const message = typeof r.error.message === 'string' ? r.error.message : 'error';
        return new JsonRpcError(c.method, message, typeof r.error.code === 'number' ? r.error.code : undefined, { retryAfterMs });
      }
      if (!('result' in r)) return new JsonRpcError(c.method, 'response has no result', undefined, { kind: RemoteFailureKind.unavailable });
      return [r.result];
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
