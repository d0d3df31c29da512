// A Bitcoin Core JSON-RPC client: `fetch` is passed in (tests and the bench use the real one
// against a local node), credentials come from the URL (user:password) or a cookie file, and
// calls can be batched (one HTTP request, many calls) where a watcher needs many answers at once.

import { readFile } from 'node:fs/promises';
import { RPC_RESPONSE_MAX_BYTES, RPC_TIMEOUT_MS } from './limits.ts';

export type RpcFailureKind = 'unreachable' | 'unauthorized' | 'rpc' | 'protocol';

export class BitcoinRpcError extends Error {
  override readonly name = 'BitcoinRpcError';
  readonly kind: RpcFailureKind;
  /** JSON-RPC error code when the node answered with one (e.g. -5 not found, -8 out of range). */
  readonly code: number | null;

  constructor(kind: RpcFailureKind, message: string, code: number | null = null) {
    super(message);
    this.kind = kind;
    this.code = code;
  }
}

export interface RpcCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

export type RpcOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: BitcoinRpcError };

export interface BitcoinRpcOptions {
  /** http(s)://user:password@host:port[/wallet/...]; without credentials a cookie file is required. */
  readonly url: string;
  readonly cookieFile?: string | null;
  readonly fetch: typeof fetch;
  readonly timeoutMs?: number;
}

export interface BlockchainInfo {
  readonly chain: string;
  readonly blocks: number;
  readonly bestblockhash: string;
  readonly initialblockdownload?: boolean;
  readonly pruned?: boolean;
}

export interface BlockHeaderInfo {
  readonly hash: string;
  readonly height: number;
  readonly confirmations: number;
  readonly previousblockhash?: string;
}

interface JsonRpcReply {
  readonly result?: unknown;
  readonly error?: { readonly code?: number; readonly message?: string } | null;
  readonly id?: unknown;
}

export class BitcoinRpc {
  readonly #endpoint: string;
  readonly #urlAuth: string | null;
  readonly #cookieFile: string | null;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  #cookieAuth: string | null = null;
  #nextId = 1;

  constructor(options: BitcoinRpcOptions) {
    const url = new URL(options.url);
    this.#urlAuth = url.username !== '' || url.password !== ''
      ? 'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')
      : null;
    url.username = '';
    url.password = '';
    this.#endpoint = url.toString();
    this.#cookieFile = options.cookieFile ?? null;
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs ?? RPC_TIMEOUT_MS;
  }

  /** Where requests go, without credentials: safe to log. */
  get endpoint(): string {
    return this.#endpoint;
  }

  async call<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    const [outcome] = await this.batchSettled<T>([{ method, params }]);
    if (!outcome) throw new BitcoinRpcError('protocol', `${method}: empty reply`);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Many calls in one request; any failed call fails the whole batch. */
  async batch<T>(calls: readonly RpcCall[]): Promise<T[]> {
    const outcomes = await this.batchSettled<T>(calls);
    return outcomes.map((o) => {
      if (!o.ok) throw o.error;
      return o.value;
    });
  }

  /** Many calls in one request; each call succeeds or fails on its own (transport failures throw). */
  async batchSettled<T>(calls: readonly RpcCall[]): Promise<RpcOutcome<T>[]> {
    if (calls.length === 0) return [];
    const firstId = this.#nextId;
    this.#nextId += calls.length;
    const body = calls.map((c, i) => ({ jsonrpc: '1.0', id: firstId + i, method: c.method, params: c.params }));
    const replies = await this.#post(body);
    const byId = new Map<number, JsonRpcReply>();
    for (const reply of replies) if (typeof reply.id === 'number') byId.set(reply.id, reply);
    return calls.map((c, i): RpcOutcome<T> => {
      const reply = byId.get(firstId + i);
      if (!reply) return { ok: false, error: new BitcoinRpcError('protocol', `${c.method}: no reply in batch`) };
      if (reply.error) {
        const code = typeof reply.error.code === 'number' ? reply.error.code : null;
        return { ok: false, error: new BitcoinRpcError('rpc', `${c.method}: ${reply.error.message ?? 'error'}`, code) };
      }
      return { ok: true, value: reply.result as T };
    });
  }

  async #authorization(refresh: boolean): Promise<string | null> {
    if (this.#urlAuth) return this.#urlAuth;
    if (!this.#cookieFile) return null;
    if (this.#cookieAuth === null || refresh) {
      let cookie: string;
      try {
        cookie = (await readFile(this.#cookieFile, 'utf8')).trim();
      } catch (error) {
        throw new BitcoinRpcError('unauthorized', `cannot read cookie file ${this.#cookieFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      this.#cookieAuth = 'Basic ' + Buffer.from(cookie).toString('base64');
    }
    return this.#cookieAuth;
  }

  async #post(body: readonly object[]): Promise<JsonRpcReply[]> {
    let response = await this.#send(body, false);
    // Bitcoin Core rewrites its cookie on every restart: re-read it once before giving up.
    if (response.status === 401 && this.#cookieFile && !this.#urlAuth) response = await this.#send(body, true);
    if (response.status === 401 || response.status === 403) {
      throw new BitcoinRpcError('unauthorized', `node at ${this.#endpoint} refused the credentials (HTTP ${response.status})`);
    }
    const text = await response.text();
    if (text.length > RPC_RESPONSE_MAX_BYTES * 2) throw new BitcoinRpcError('protocol', 'reply too large');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BitcoinRpcError('protocol', `node at ${this.#endpoint} answered HTTP ${response.status} with a non-JSON body`);
    }
    // A batch is answered with an array; some servers answer a failing batch with one object.
    if (Array.isArray(parsed)) return parsed as JsonRpcReply[];
    if (parsed && typeof parsed === 'object') {
      const single = parsed as JsonRpcReply;
      if (single.error) throw new BitcoinRpcError('rpc', single.error.message ?? 'error', single.error.code ?? null);
    }
    throw new BitcoinRpcError('protocol', `node at ${this.#endpoint} answered a batch with HTTP ${response.status} and no array`);
  }

  async #send(body: readonly object[], refreshCookie: boolean): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const auth = await this.#authorization(refreshCookie);
    if (auth) headers.authorization = auth;
    try {
      return await this.#fetch(this.#endpoint, {
        method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new BitcoinRpcError('unreachable', `cannot reach node at ${this.#endpoint} (${cause})`);
    }
  }

  getBlockchainInfo(): Promise<BlockchainInfo> {
    return this.call<BlockchainInfo>('getblockchaininfo');
  }

  getBestBlockHash(): Promise<string> {
    return this.call<string>('getbestblockhash');
  }

  getBlockHeader(hash: string): Promise<BlockHeaderInfo> {
    return this.call<BlockHeaderInfo>('getblockheader', [hash, true]);
  }

  /** Hashes at the given heights, in order (one request). */
  getBlockHashes(heights: readonly number[]): Promise<string[]> {
    return this.batch<string>(heights.map((h) => ({ method: 'getblockhash', params: [h] })));
  }

  /** Raw blocks (verbosity false: hex, parsed in-process), in order (one request). */
  async getRawBlocks(hashes: readonly string[]): Promise<Buffer[]> {
    const hex = await this.batch<string>(hashes.map((h) => ({ method: 'getblock', params: [h, false] })));
    return hex.map((h) => Buffer.from(h, 'hex'));
  }

  getRawMempool(): Promise<string[]> {
    return this.call<string[]>('getrawmempool', [false]);
  }

  /** Raw transactions by txid; a txid the node no longer has (mined away, evicted) is a failed outcome. */
  getRawTransactions(txids: readonly string[]): Promise<RpcOutcome<string>[]> {
    return this.batchSettled<string>(txids.map((t) => ({ method: 'getrawtransaction', params: [t, false] })));
  }
}
