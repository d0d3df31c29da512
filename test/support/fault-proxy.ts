// A fault-injecting HTTP proxy for tests (never shipped): it sits between Coffer and a node (bcoin
// JSON-RPC, EDR/anvil JSON-RPC, the fake LND/CLN REST servers) on 127.0.0.1 and, per request,
// either relays faithfully (streams included) or does what a sick node or provider does: answers
// late, resets the connection, answers 429 with Retry-After or a 5xx, cuts the body short, pads it
// past the client's limit, sends garbage, or rewrites JSON-RPC answers (a node that falls behind,
// see lagging-views.ts). Faults are rules: the first rule that matches a request and has uses left
// is applied; a rule without `times` stays until removed. Every request is logged with what was
// done to it, so a test can prove its fault was actually hit.

import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { ServerTls } from './node-certs.ts';

/** One JSON-RPC call of a request (a batch has several), as the proxy read it. */
export interface RpcCall {
  readonly id: unknown;
  readonly method: string;
  readonly params: readonly unknown[];
}

/** One JSON-RPC answer; a rewrite returns a new one (a result or an error). */
export interface RpcReply {
  readonly jsonrpc?: string;
  readonly id: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string } | null;
}

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** JSON-RPC calls of the body (empty when the body is not JSON-RPC, e.g. REST). */
  readonly calls: readonly RpcCall[];
}

export type Fault =
  /** Waits, then relays (a slow node; a huge delay is a hang the client must time out). */
  | { readonly kind: 'latency'; readonly ms: number }
  /** Destroys the client's connection without an answer (ECONNRESET / "socket hang up"). */
  | { readonly kind: 'reset' }
  /** Answers this status without asking the node: 429 (with Retry-After seconds), 502, 503… */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterS?: number; readonly body?: string }
  /**
   * Relays the node's answer cut to `keepBytes` (default: half). `abort` drops the connection
   * mid-body as a broken link does; `end` ends it cleanly, as a proxy cutting at a size limit does.
   */
  | { readonly kind: 'truncate'; readonly keepBytes?: number; readonly close: 'abort' | 'end' }
  /** Relays the node's answer padded with JSON whitespace to `bytes`: still valid, but huge. */
  | { readonly kind: 'oversize'; readonly bytes: number }
  /** Answers 200 with a body that is not JSON. */
  | { readonly kind: 'garbage' }
  /** Relays, then lets `rewrite` change each JSON-RPC answer (matched to its call by id). */
  | { readonly kind: 'rpc'; readonly rewrite: (call: RpcCall, reply: RpcReply) => RpcReply | Promise<RpcReply> };

export interface FaultRule {
  readonly fault: Fault;
  /** Which requests the rule applies to; all when absent. */
  readonly match?: (request: ProxiedRequest) => boolean;
  /** Uses left; unlimited when absent. */
  times?: number;
}

export interface ProxyLogEntry {
  readonly path: string;
  readonly rpcMethods: readonly string[];
  readonly fault: Fault['kind'] | 'pass';
  /** When the request arrived (Date.now()). */
  readonly atMs: number;
}

/** The log keeps the newest entries only, so a long test cannot grow it without bound. */
const LOG_ENTRIES_MAX = 5_000;
const BODY_BYTES_MAX = 64 * 1024 * 1024;
const GARBAGE_BODY = '<html><body>502 Bad Gateway</body></html>\n{"jsonrpc":"2.0","res';

export class FaultProxy {
  url = '';
  readonly log: ProxyLogEntry[] = [];
  readonly #target: URL;
  readonly #rules: FaultRule[] = [];
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #upstreams = new Set<http.ClientRequest>();
  readonly #agent: http.Agent;
  readonly #tls: ServerTls | null;

  private constructor(target: string, tls: ServerTls | null) {
    this.#target = new URL(target);
    this.#tls = tls;
    // Upstream over TLS trusts exactly what a pinning client trusts (the node's tls.cert / ca.pem).
    this.#agent = tls === null ? new http.Agent({ keepAlive: false }) : new https.Agent({ keepAlive: false, ca: tls.trust });
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.#handle(req, res).catch(() => res.destroy());
    };
    // A node behind TLS (LND, clnrest) is fronted with its own certificate, so the client's pin holds.
    this.#server = tls === null ? http.createServer(handler) : https.createServer({ key: tls.key, cert: tls.cert }, handler);
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** A proxy in front of `target` (an http:// origin on loopback, or https:// with the node's `tls`). */
  static async start(target: string, tls: ServerTls | null = null): Promise<FaultProxy> {
    const proxy = new FaultProxy(target, tls);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.url = `${tls === null ? 'http' : 'https'}://127.0.0.1:${(proxy.#server.address() as AddressInfo).port}`;
    return proxy;
  }

  /** The proxy's URL with the target URL's credentials and path (what Coffer is configured with). */
  urlFor(targetUrl: string): string {
    const from = new URL(targetUrl);
    const to = new URL(this.url);
    to.username = from.username;
    to.password = from.password;
    to.pathname = from.pathname;
    return to.toString();
  }

  /** Adds a rule (behind the existing ones) and returns it, to remove it later. */
  add(rule: FaultRule): FaultRule {
    this.#rules.push(rule);
    return rule;
  }

  remove(rule: FaultRule): void {
    const at = this.#rules.indexOf(rule);
    if (at >= 0) this.#rules.splice(at, 1);
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** A node outage: every request is reset and open connections (streams too) are cut. */
  down(): FaultRule {
    const rule = this.add({ fault: { kind: 'reset' } });
    this.cutOpenConnections();
    return rule;
  }

  /** Destroys every open client and upstream connection (a network blip). */
  cutOpenConnections(): void {
    for (const upstream of this.#upstreams) upstream.destroy();
    for (const socket of this.#sockets) socket.destroy();
  }

  /** How many logged requests had `kind` applied. */
  count(kind: ProxyLogEntry['fault']): number {
    return this.log.filter((e) => e.fault === kind).length;
  }

  /** How many requests at the end of the log passed untouched, one after another. */
  passedInARow(): number {
    let n = 0;
    for (let i = this.log.length - 1; i >= 0 && this.log[i]?.fault === 'pass'; i--) n += 1;
    return n;
  }

  async close(): Promise<void> {
    this.cutOpenConnections();
    this.#agent.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #take(request: ProxiedRequest): Fault | null {
    for (const rule of this.#rules) {
      if (rule.times !== undefined && rule.times <= 0) continue;
      if (rule.match !== undefined && !rule.match(request)) continue;
      if (rule.times !== undefined) rule.times -= 1;
      return rule.fault;
    }
    return null;
  }

  #record(request: ProxiedRequest, fault: Fault | null): void {
    if (this.log.length >= LOG_ENTRIES_MAX) this.log.shift();
    this.log.push({ path: request.path, rpcMethods: request.calls.map((c) => c.method), fault: fault?.kind ?? 'pass', atMs: Date.now() });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readAll(req);
    const request: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', calls: rpcCalls(body) };
    const fault = this.#take(request);
    this.#record(request, fault);
    if (fault === null) return this.#relay(req, body, res, null);
    switch (fault.kind) {
      case 'latency':
        await delay(fault.ms, res);
        if (res.destroyed) return;
        return this.#relay(req, body, res, null);
      case 'reset':
        res.destroy();
        return;
      case 'status': {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfterS !== undefined) headers['retry-after'] = String(fault.retryAfterS);
        res.writeHead(fault.status, headers);
        res.end(fault.body ?? JSON.stringify({ error: { code: -32005, message: `HTTP ${fault.status} from the fault proxy` } }));
        return;
      }
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(GARBAGE_BODY);
        return;
      default:
        return this.#relay(req, body, res, fault);
    }
  }

  /** Forwards the request; with no body fault the answer is piped (streams stay streams). */
  #relay(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, fault: Fault | null): void {
    const headers = { ...req.headers, host: this.#target.host };
    // Rewriting needs the plain bytes: ask the node for an uncompressed answer.
    delete headers['accept-encoding'];
    const upstream = (this.#tls === null ? http : https).request({
      host: this.#target.hostname, port: this.#target.port, path: req.url, method: req.method, headers, agent: this.#agent,
    }, (answer) => {
      if (fault === null) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
        return;
      }
      readAll(answer).then(async (raw) => {
        const status = answer.statusCode ?? 502;
        const out = fault.kind === 'rpc' ? await rewriteReplies(raw, body, fault.rewrite) : raw;
        sendFaulty(res, status, answer.headers, out, fault);
      }).catch(() => res.destroy());
    });
    this.#upstreams.add(upstream);
    upstream.on('close', () => this.#upstreams.delete(upstream));
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    upstream.end(body);
  }
}

function sendFaulty(res: http.ServerResponse, status: number, upstreamHeaders: http.IncomingHttpHeaders, raw: Buffer, fault: Fault): void {
  const headers: http.OutgoingHttpHeaders = { 'content-type': upstreamHeaders['content-type'] ?? 'application/json' };
  if (fault.kind === 'truncate') {
    const keep = raw.subarray(0, Math.min(raw.length - 1, fault.keepBytes ?? Math.floor(raw.length / 2)));
    if (fault.close === 'abort') {
      // Announce the whole body, send part of it, then drop the connection.
      res.writeHead(status, { ...headers, 'content-length': String(raw.length) });
      res.write(keep, () => res.destroy());
      return;
    }
    res.writeHead(status, { ...headers, 'content-length': String(keep.length) });
    res.end(keep);
    return;
  }
  const out = fault.kind === 'oversize' && raw.length < fault.bytes ? Buffer.concat([raw, Buffer.alloc(fault.bytes - raw.length, 0x20)]) : raw;
  res.writeHead(status, { ...headers, 'content-length': String(out.length) });
  res.end(out);
}

async function rewriteReplies(raw: Buffer, body: Buffer, rewrite: (call: RpcCall, reply: RpcReply) => RpcReply | Promise<RpcReply>): Promise<Buffer> {
  const calls = rpcCalls(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return raw; // not JSON-RPC: nothing to rewrite
  }
  const one = async (reply: RpcReply): Promise<RpcReply> => {
    const call = calls.find((c) => c.id === reply.id);
    return call === undefined ? reply : rewrite(call, reply);
  };
  const out = Array.isArray(parsed) ? await Promise.all((parsed as RpcReply[]).map(one)) : await one(parsed as RpcReply);
  return Buffer.from(JSON.stringify(out));
}

/** The JSON-RPC calls in a request body (single or batch); [] when it is not JSON-RPC. */
export function rpcCalls(body: Buffer): RpcCall[] {
  if (body.length === 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return [];
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.flatMap((c: unknown) => {
    if (c === null || typeof c !== 'object' || typeof (c as { method?: unknown }).method !== 'string') return [];
    const call = c as { id?: unknown; method: string; params?: unknown };
    return [{ id: call.id ?? null, method: call.method, params: Array.isArray(call.params) ? call.params : [] }];
  });
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_BYTES_MAX) reject(new Error('body too large for the fault proxy'));
      else chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Waits `ms`, or less when the client hangs up first (so a hang never outlives its client). */
function delay(ms: number, res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.on('close', done);
    function done(): void {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}

/** A JSON-RPC error reply to `call` (what a node answers for a height or hash it does not have). */
export function rpcError(reply: RpcReply, code: number, message: string): RpcReply {
  return { ...(reply.jsonrpc !== undefined ? { jsonrpc: reply.jsonrpc } : {}), id: reply.id, result: null, error: { code, message } };
}

/** A JSON-RPC result reply. */
export function rpcResult(reply: RpcReply, result: unknown): RpcReply {
  return { ...(reply.jsonrpc !== undefined ? { jsonrpc: reply.jsonrpc } : {}), id: reply.id, result, ...(reply.jsonrpc === '2.0' ? {} : { error: null }) };
}
