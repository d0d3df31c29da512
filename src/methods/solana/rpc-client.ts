// A small Solana JSON-RPC client over an injected fetch, for the five read methods the rail uses.
// Every failure is classified for the shared request policy (methods/request-policy.ts):
// HTTP 429 → rate_limited with the provider's Retry-After; a refused `limit` ("Invalid limit;
// max N", agave rpc.rs get_signatures_for_address) or a 413 → too_large; no answer in time →
// timeout; an answer over RPC_RESPONSE_BYTES_MAX → too_large; unreachable, 5xx, garbage, other
// JSON-RPC errors → unavailable.

import { isBodyTooLarge, readCappedBody } from '../../core/capped-body.ts';
import type { BodyTooLarge } from '../../core/capped-body.ts';
import { parseRetryAfter, RemoteFailureKind, RemoteRequestError } from '../request-policy.ts';
import { RPC_RESPONSE_BYTES_MAX, RPC_TIMEOUT_MS } from './limits.ts';

/** JSON-RPC 2.0 "invalid params": what agave answers to a limit over its maximum. */
const INVALID_PARAMS = -32602;

interface RpcReply {
  readonly result?: unknown;
  readonly error?: { code?: number; message?: string };
}

export interface SolanaRpcOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export class SolanaRpc {
  readonly url: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #id = 0;
  /** Requests sent, for benchmarks and tests. */
  requests = 0;

  constructor(url: string, options: SolanaRpcOptions = {}) {
    this.url = url;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? RPC_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
  }

  async call(method: string, params: readonly unknown[]): Promise<unknown> {
    this.requests += 1;
    let response: Response;
    try {
      response = await this.#fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.#id, method, params }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new RemoteRequestError(timedOut ? RemoteFailureKind.timeout : RemoteFailureKind.unavailable,
        `${method}: node unreachable (${(error as Error).message})`, null, { cause: error });
    }
    if (response.status === 429) {
      throw new RemoteRequestError(RemoteFailureKind.rateLimited, `${method}: HTTP 429`,
        parseRetryAfter(response.headers.get('retry-after'), this.#now()));
    }
    if (response.status === 413) throw new RemoteRequestError(RemoteFailureKind.tooLarge, `${method}: HTTP 413`);
    if (!response.ok) throw new RemoteRequestError(RemoteFailureKind.unavailable, `${method}: HTTP ${response.status}`);
    const body = await this.#readJson(method, response);
    if (body.error !== undefined && body.error !== null) throw classifyRpcError(method, body.error);
    if (!('result' in body)) throw new RemoteRequestError(RemoteFailureKind.unavailable, `${method}: response has no result`);
    return body.result;
  }

  /** The answer parsed, read up to RPC_RESPONSE_BYTES_MAX: a larger one is too large (the page shrinks). */
  async #readJson(method: string, response: Response): Promise<RpcReply> {
    const notJson = (): RemoteRequestError => new RemoteRequestError(RemoteFailureKind.unavailable, `${method}: response is not JSON`);
    let reply: Uint8Array | BodyTooLarge;
    try {
      reply = await readCappedBody(response, RPC_RESPONSE_BYTES_MAX);
    } catch {
      throw notJson(); // the body broke off (a timeout while reading): as response.json() failed before
    }
    if (isBodyTooLarge(reply)) {
      throw new RemoteRequestError(RemoteFailureKind.tooLarge, `${method}: response larger than ${RPC_RESPONSE_BYTES_MAX} bytes`);
    }
    try {
      return JSON.parse(new TextDecoder().decode(reply)) as RpcReply;
    } catch {
      throw notJson();
    }
  }
}

function classifyRpcError(method: string, error: { code?: number; message?: string }): RemoteRequestError {
  const message = `${method}: ${error.message ?? 'error'} (${error.code ?? 'no code'})`;
  if (error.code === INVALID_PARAMS && /limit/i.test(error.message ?? '')) {
    return new RemoteRequestError(RemoteFailureKind.tooLarge, message);
  }
  if (/too many requests|rate limit/i.test(error.message ?? '')) return new RemoteRequestError(RemoteFailureKind.rateLimited, message);
  return new RemoteRequestError(RemoteFailureKind.unavailable, message);
}

/** The largest limit a "max N" refusal names, so the page size is capped there, or null. */
export function statedLimit(error: unknown): number | null {
  if (!(error instanceof RemoteRequestError) || error.kind !== RemoteFailureKind.tooLarge) return null;
  const match = /max\D{0,3}(\d{1,7})/i.exec(error.message);
  return match === null ? null : Number(match[1]);
}

export function failureKind(error: unknown): RemoteFailureKind | null {
  return error instanceof RemoteRequestError ? error.kind : null;
}
