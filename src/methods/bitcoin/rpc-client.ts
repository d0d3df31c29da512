// A Bitcoin Core JSON-RPC client: `fetch` is passed in (tests and the bench use the real one
// against a local node), credentials come from the URL (user:password) or a cookie file, and
// calls can be batched (one HTTP request, many calls) where a watcher needs many answers at once.

import { isAscii } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { isBodyTooLarge, readCappedBody } from '../../core/capped-body.ts';
import type { BodyTooLarge } from '../../core/capped-body.ts';
import { PolicyLimits } from '../limits.ts';
import { RemoteFailureKind, parseRetryAfter } from '../request-policy.ts';
import { RPC_RESPONSE_MAX_BYTES, RPC_TIMEOUT_MS } from './limits.ts';

/**
 * How a call failed: `too_large` (the reply passed our cap, or a proxy answered 413), `busy`
 * (HTTP 429, or 503 — Bitcoin Core's "work queue depth exceeded" and warm-up answers), `timeout`,
 * `unreachable`, `unauthorized`, `rpc` (the node answered with a JSON-RPC error) and `protocol`
 * (an answer that is not JSON-RPC: garbage, a missing reply).
 */
export type RpcFailureKind = 'unreachable' | 'unauthorized' | 'rpc' | 'protocol' | 'too_large' | 'busy' | 'timeout';

export class BitcoinRpcError extends Error {
  override readonly name = 'BitcoinRpcError';
  readonly kind: RpcFailureKind;
  /** JSON-RPC error code when the node answered with one (e.g. -5 not found, -8 out of range). */
  readonly code: number | null;
  /** How long the node asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | null;

  constructor(kind: RpcFailureKind, message: string, code: number | null = null, retryAfterMs: number | null = null) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The request policy's view of a bitcoin client failure (request-policy.ts); null: not the node's doing. */
export function classifyBitcoinError(error: unknown): RemoteFailureKind | null {
  if (!(error instanceof BitcoinRpcError)) return null;
  switch (error.kind) {
    case 'too_large': return RemoteFailureKind.tooLarge;
    case 'busy': return RemoteFailureKind.rateLimited;
    case 'timeout': return RemoteFailureKind.timeout;
    case 'unreachable': case 'protocol': return RemoteFailureKind.unavailable;
    default: return null;
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
  /** Largest reply read, in bytes (a batch of blocks is split below it); default RPC_RESPONSE_MAX_BYTES. */
  readonly replyMaxBytes?: number;
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
  readonly #replyMaxBytes: number;
  #cookieAuth: string | null = null;
  /** Whether the node takes getrawmempool's mempool_sequence argument; null until known. */
  #mempoolSequence: boolean | null = null;
  #nextId = 1;
  /** No request leaves before this (ms since the epoch): the last Retry-After the node gave. */
  #quietUntilMs = 0;
  #quietReason = '';

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
    this.#replyMaxBytes = options.replyMaxBytes ?? RPC_RESPONSE_MAX_BYTES;
  }

  /** The reply cap in bytes: batches of blocks are sized to stay well below it. */
  get replyMaxBytes(): number {
    return this.#replyMaxBytes;
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
    // A Retry-After is the endpoint's word, not one path's: until it passes, no path (blocks,
    // mempool, rescan) sends anything; each is told how long is left and paces itself by it.
    const quietMs = this.#quietUntilMs - Date.now();
    if (quietMs > 0) throw new BitcoinRpcError('busy', `${this.#quietReason}; waiting out its Retry-After`, null, quietMs);
    let response = await this.#send(body, false);
    // Bitcoin Core rewrites its cookie on every restart: re-read it once before giving up.
    if (response.status === 401 && this.#cookieFile && !this.#urlAuth) response = await this.#send(body, true);
    if (response.status === 401 || response.status === 403) {
      throw new BitcoinRpcError('unauthorized', `node at ${this.#endpoint} refused the credentials (HTTP ${response.status})`);
    }
    if (response.status === 429 || response.status === 503) {
      await response.body?.cancel();
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      const reason = `node at ${this.#endpoint} is busy (HTTP ${response.status})`;
      if (retryAfterMs !== null) {
        this.#quietUntilMs = Date.now() + Math.min(retryAfterMs, PolicyLimits.retryAfterMsMax);
        this.#quietReason = reason;
      }
      throw new BitcoinRpcError('busy', reason, null, retryAfterMs);
    }
    if (response.status === 413) {
      await response.body?.cancel();
      throw new BitcoinRpcError('too_large', `node at ${this.#endpoint} refused the request as too large (HTTP 413)`);
    }
    const replyBytes = await this.#readCapped(response);
    const strings = stringResultsReply(replyBytes);
    if (strings !== null) return strings;
    const text = decodeJsonText(replyBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BitcoinRpcError('protocol', `node at ${this.#endpoint} answered HTTP ${response.status} with a non-JSON body (${text.length} bytes: ${JSON.stringify(text.slice(0, 80))})`);
    }
    // A batch is answered with an array; some servers answer a failing batch with one object.
    if (Array.isArray(parsed)) return parsed as JsonRpcReply[];
    if (parsed && typeof parsed === 'object') {
      const single = parsed as JsonRpcReply;
      if (single.error) throw new BitcoinRpcError('rpc', single.error.message ?? 'error', single.error.code ?? null);
    }
    throw new BitcoinRpcError('protocol', `node at ${this.#endpoint} answered a batch with HTTP ${response.status} and no array`);
  }

  /** The body's bytes, refusing (and cancelling) it once it passes the reply cap. */
  async #readCapped(response: Response): Promise<Buffer> {
    let body: Uint8Array | BodyTooLarge;
    try {
      body = await readCappedBody(response, this.#replyMaxBytes);
    } catch (error) {
      throw this.#transportError(error);
    }
    if (isBodyTooLarge(body)) {
      throw new BitcoinRpcError('too_large', body.declaredBytes === null
        ? `reply too large: over ${this.#replyMaxBytes} bytes`
        : `reply too large: ${body.declaredBytes} bytes (cap ${this.#replyMaxBytes})`);
    }
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }

  #transportError(error: unknown): BitcoinRpcError {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') return new BitcoinRpcError('timeout', `node at ${this.#endpoint} did not answer within ${this.#timeoutMs} ms`);
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? name;
    return new BitcoinRpcError('unreachable', `cannot reach node at ${this.#endpoint} (${cause})`);
  }

  async #send(body: readonly object[], refreshCookie: boolean): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const auth = await this.#authorization(refreshCookie);
    if (auth) headers.authorization = auth;
    const payload = JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#fetch(this.#endpoint, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(this.#timeoutMs) });
      } catch (error) {
        // A kept-alive connection the node closed while idle fails at once: every call here only
        // reads, so it is sent again once on a fresh connection.
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (attempt === 0 && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) continue;
        throw this.#transportError(error);
      }
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
  async getBlockHashes(heights: readonly number[]): Promise<string[]> {
    const hashes = await this.batch<unknown>(heights.map((h) => ({ method: 'getblockhash', params: [h] })));
    if (!hashes.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) {
      throw new BitcoinRpcError('protocol', `node at ${this.#endpoint} answered getblockhash with something other than a block hash`);
    }
    return hashes as string[];
  }

  /** Raw blocks (verbosity false: hex, parsed in-process), in order (one request). */
  async getRawBlocks(hashes: readonly string[]): Promise<Buffer[]> {
    const hex = await this.batch<unknown>(hashes.map((h) => ({ method: 'getblock', params: [h, false] })));
    return hex.map((h, i) => {
      const raw = typeof h === 'string' && h.length % 2 === 0 ? Buffer.from(h, 'hex') : null;
      if (raw === null || raw.length * 2 !== (h as string).length) {
        throw new BitcoinRpcError('protocol', `node at ${this.#endpoint} answered getblock ${hashes[i]} with something other than hex`);
      }
      return raw;
    });
  }

  /**
   * The mempool's txids. Bitcoin Core (since v21) answers `getrawmempool false true` with
   * {txids, mempool_sequence} — still the whole list, plus a counter that moves on every add or
   * removal (see Core's rpc/mempool.cpp and doc/zmq.md). bcoin 1.0.2 takes only `( verbose )` and
   * refuses a second argument with a JSON-RPC error; then the plain list is asked for from then on.
   */
  async getMempoolSnapshot(): Promise<{ txids: string[]; sequence: number | null }> {
    if (this.#mempoolSequence !== false) {
      try {
        const reply = await this.call<unknown>('getrawmempool', [false, true]);
        if (reply && typeof reply === 'object' && !Array.isArray(reply)) {
          const { txids, mempool_sequence: sequence } = reply as { txids?: unknown; mempool_sequence?: unknown };
          this.#mempoolSequence = true;
          return { txids: txidList(txids, this.#endpoint), sequence: typeof sequence === 'number' ? sequence : null };
        }
        this.#mempoolSequence = false;
        return { txids: txidList(reply, this.#endpoint), sequence: null };
      } catch (error) {
        if (!(error instanceof BitcoinRpcError && error.kind === 'rpc') || this.#mempoolSequence === true) throw error;
        this.#mempoolSequence = false;
      }
    }
    return { txids: txidList(await this.call<unknown>('getrawmempool', [false]), this.#endpoint), sequence: null };
  }

  /** Raw transactions by txid; a txid the node no longer has (mined away, evicted) is a failed outcome. */
  getRawTransactions(txids: readonly string[]): Promise<RpcOutcome<string>[]> {
    return this.batchSettled<string>(txids.map((t) => ({ method: 'getrawtransaction', params: [t, false] })));
  }
}

/**
 * JSON text is UTF-8 (RFC 8259 §8.1). A reply of blocks is megabytes of hex, all ASCII: then the
 * bytes are the characters, and Node builds the string by copying them (latin1) instead of
 * decoding UTF-8 — the same string, at a fraction of the CPU (buffer.isAscii, Node >= 18.15:
 * https://nodejs.org/api/buffer.html#bufferisasciiinput).
 */
function decodeJsonText(body: Buffer): string {
  return isAscii(body) ? body.toString('latin1') : body.toString('utf8');
}

const REPLY_OPEN = Buffer.from('{"result":"');
const REPLY_AFTER_RESULT = Buffer.from('","error":null,"id":');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ID_DIGITS_MAX = 15;

/**
 * A batch reply whose every answer is a plain string result, written exactly as Bitcoin Core
 * (UniValue, JSON-RPC 1.0 replies: result, error, id — src/rpc/request.cpp JSONRPCReplyObj) and
 * bcoin write it: `[{"result":"…","error":null,"id":N},…]`, no whitespace but a final newline,
 * ASCII, no escape in the strings. Those are blocks, block hashes and transactions as hex: read
 * here without JSON.parse, each string sliced straight from the bytes (a 3.3 MB block reply is
 * not scanned twice nor held as two strings). For such input this is what JSON.parse gives;
 * anything else (an error, an object result, an escape, spaces, another key order) is null and
 * takes the JSON.parse path.
 */
export function stringResultsReply(body: Buffer): Array<{ result: string; error: null; id: number }> | null {
  let end = body.length;
  if (end > 0 && body[end - 1] === 0x0a) end -= 1;
  if (end < 2 || body[0] !== 0x5b || body[end - 1] !== 0x5d || !isAscii(body)) return null;
  const replies: Array<{ result: string; error: null; id: number }> = [];
  let at = 1;
  for (;;) {
    if (!startsWith(body, at, REPLY_OPEN)) return null;
    const from = at + REPLY_OPEN.length;
    const to = body.indexOf(QUOTE, from);
    if (to < 0 || to >= end) return null;
    const escape = body.indexOf(BACKSLASH, from);
    if (escape >= 0 && escape < to) return null;
    if (!startsWith(body, to, REPLY_AFTER_RESULT)) return null;
    let digit = to + REPLY_AFTER_RESULT.length;
    const idStart = digit;
    while (digit < end && (body[digit] as number) >= 0x30 && (body[digit] as number) <= 0x39) digit++;
    if (digit === idStart || digit - idStart > ID_DIGITS_MAX || body[digit] !== 0x7d) return null;
    replies.push({ result: body.toString('latin1', from, to), error: null, id: Number(body.toString('latin1', idStart, digit)) });
    at = digit + 1;
    if (at === end - 1) return replies;
    if (body[at] !== 0x2c) return null;
    at += 1;
  }
}

function startsWith(body: Buffer, at: number, prefix: Buffer): boolean {
  return at + prefix.length <= body.length && body.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
}

/** A reply that must be a list of txids; anything else is the node's garbage, not ours to match. */
function txidList(value: unknown, endpoint: string): string[] {
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'string' && /^[0-9a-f]{64}$/.test(t))) {
    throw new BitcoinRpcError('protocol', `node at ${endpoint} answered getrawmempool with something other than a txid list`);
  }
  return value as string[];
}
