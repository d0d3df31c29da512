// A minimal Ethereum JSON-RPC client over an injected fetch. Chosen over viem's client because
// the watcher needs six read methods, exact control of batching and timeouts, no response caching
// (a stale cached block number would hide a reorg) and bigint amounts parsed by us; fetch is
// passed in so tests and benchmarks can point it anywhere.

import { RPC_BATCH_MAX, RPC_TIMEOUT_MS } from './limits.ts';

export class JsonRpcError extends Error {
  override readonly name = 'JsonRpcError';
  readonly code: number | undefined;
  readonly method: string;
  constructor(method: string, message: string, code?: number) {
    super(`${method}: ${message}`);
    this.method = method;
    this.code = code;
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

export class JsonRpcClient {
  readonly url: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  #id = 0;
  /** Calls made, for benchmarks and metrics (a batch counts each call). */
  calls = 0;
  requests = 0;

  constructor(url: string, fetchFn: typeof fetch = fetch, timeoutMs = RPC_TIMEOUT_MS) {
    this.url = url;
    this.#fetch = fetchFn;
    this.#timeoutMs = timeoutMs;
  }

  async call(method: string, params: readonly unknown[] = []): Promise<unknown> {
    const [result] = await this.batch([{ method, params }]);
    return result;
  }

  /** Runs calls in HTTP batches of at most RPC_BATCH_MAX; results in call order; any error throws. */
  async batch(calls: readonly RpcCall[]): Promise<unknown[]> {
    const results: unknown[] = [];
    for (let i = 0; i < calls.length; i += RPC_BATCH_MAX) {
      results.push(...(await this.#send(calls.slice(i, i + RPC_BATCH_MAX))));
    }
    return results;
  }

  async #send(calls: readonly RpcCall[]): Promise<unknown[]> {
    if (calls.length === 0) return [];
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
      throw new JsonRpcError(label, `node unreachable (${(error as Error).message})`);
    }
    if (!response.ok) throw new JsonRpcError(label, `HTTP ${response.status}`);
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      throw new JsonRpcError(label, 'response is not JSON');
    }
    const list: RpcResponse[] = Array.isArray(parsed) ? (parsed as RpcResponse[]) : [parsed as RpcResponse];
    // Batch answers may come back in any order: match them to calls by id.
    const byId = new Map<number, RpcResponse>();
    for (const r of list) if (typeof r?.id === 'number') byId.set(r.id, r);
    return calls.map((c, i) => {
      const r = byId.get(first + i);
      if (r === undefined) throw new JsonRpcError(c.method, 'no response for call');
      if (r.error !== undefined && r.error !== null) {
        throw new JsonRpcError(c.method, r.error.message ?? 'error', r.error.code);
      }
      if (!('result' in r)) throw new JsonRpcError(c.method, 'response has no result');
      return r.result;
    });
  }
}
