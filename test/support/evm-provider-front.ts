// A provider-shaped HTTP front for a real EVM node (EDR or anvil): forwards JSON-RPC, but refuses
// what hosted providers refuse, with each provider's real error shape (sources in
// src/methods/evm/rpc-errors.ts): eth_getLogs ranges wider than `logsRangeMax` (Alchemy "You can
// make eth_getLogs requests with up to a N block range…[0x..,0x..]", Infura "range R exceeds limit
// of N", QuickNode -32614 "eth_getLogs is limited to a N range", a public endpoint's -32005 "query
// returned more than 10000 results" that names no limit, java-tron's -32602 "exceed max block
// range: N"), batches larger than `batchMax` (413, or
// geth's single -32600 "batch too large" error), every `rateLimitEvery`-th request with 429 and
// Retry-After, and, on demand, garbage. It counts what it refused so tests can show the follower
// adapted rather than got lucky.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProviderShape = 'alchemy' | 'infura' | 'quicknode' | 'public' | 'java-tron';

export interface ProviderFrontOptions {
  readonly upstream: string;
  readonly shape: ProviderShape;
  readonly logsRangeMax: number;
  readonly batchMax?: number;
  /** How an oversized batch is refused: HTTP 413 (default) or geth's one-error answer. */
  readonly batchRefusal?: '413' | 'geth';
  /** Every n-th HTTP request is answered 429 with `Retry-After: retryAfter` (seconds). */
  readonly rateLimitEvery?: number;
  readonly retryAfter?: string;
  /**
   * Methods the provider does not offer (e.g. /^(debug|trace)_/ for an endpoint without call
   * traces), answered as geth answers an unknown method: -32601 "the method X does not
   * exist/is not available" (go-ethereum rpc/errors.go methodNotFoundError).
   */
  readonly refuseMethods?: RegExp;
}

export interface RpcCall { readonly jsonrpc?: string; readonly id?: unknown; readonly method?: string; readonly params?: unknown[] }

export interface ProviderFront {
  readonly url: string;
  readonly refused: { logsRange: number; batch: number; rateLimited: number };
  /** Requests forwarded upstream (answered by the node). */
  readonly forwarded: { requests: number; calls: number };
  /** The next `n` results of `method` are passed through `change` (it gets the call and the node's result). */
  tamper(method: string, change: (call: RpcCall, result: unknown) => unknown, n?: number): void;
  /** The next `n` HTTP requests are answered 200 with a body that is not JSON. */
  garbage(n: number): void;
  close(): Promise<void>;
}

export async function startProviderFront(options: ProviderFrontOptions): Promise<ProviderFront> {
  const refused = { logsRange: 0, batch: 0, rateLimited: 0 };
  const forwarded = { requests: 0, calls: 0 };
  const tampers: { method: string; change: (call: RpcCall, result: unknown) => unknown; left: number }[] = [];
  let requests = 0;
  let garbageLeft = 0;

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    requests += 1;
    if (garbageLeft > 0) {
      garbageLeft -= 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>502 Bad Gateway</html>');
      return;
    }
    if (options.rateLimitEvery !== undefined && requests % options.rateLimitEvery === 0) {
      refused.rateLimited += 1;
      res.writeHead(429, { 'retry-after': options.retryAfter ?? '1', 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: 429, message: 'Your app has exceeded its compute units per second capacity.' } }));
      return;
    }
    const body = JSON.parse(text) as RpcCall | RpcCall[];
    const calls = Array.isArray(body) ? body : [body];
    if (Array.isArray(body) && options.batchMax !== undefined && calls.length > options.batchMax) {
      refused.batch += 1;
      if (options.batchRefusal === 'geth') {
        send(res, { jsonrpc: '2.0', id: calls[0]?.id ?? null, error: { code: -32600, message: 'batch too large' } });
      } else {
        res.writeHead(413, { 'content-type': 'text/plain' });
        res.end('Payload Too Large');
      }
      return;
    }
    // Refused calls are answered here; the rest go upstream as one request.
    const answers = new Map<number, unknown>();
    for (const [i, call] of calls.entries()) {
      const refusal = refuseMethod(call) ?? refuseLogs(call);
      if (refusal !== null) { refused.logsRange += 1; answers.set(i, { jsonrpc: '2.0', id: call.id, error: refusal }); }
    }
    const passing = calls.filter((_, i) => !answers.has(i));
    let upstream: unknown[] = [];
    if (passing.length > 0) {
      forwarded.requests += 1;
      forwarded.calls += passing.length;
      const response = await fetch(options.upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(passing) });
      const parsed = (await response.json()) as unknown;
      upstream = Array.isArray(parsed) ? parsed : [parsed];
    }
    let k = 0;
    const out = calls.map((call, i) => {
      if (answers.has(i)) return answers.get(i);
      const answer = upstream[k++] as { result?: unknown };
      const t = tampers.find((x) => x.method === call.method && x.left > 0);
      if (t === undefined || answer?.result === undefined) return answer;
      t.left -= 1;
      return { ...answer, result: t.change(call, answer.result) };
    });
    send(res, Array.isArray(body) ? out : out[0]);
  }

  function refuseMethod(call: RpcCall): { code: number; message: string } | null {
    const method = call.method ?? '';
    if (options.refuseMethods === undefined || !options.refuseMethods.test(method)) return null;
    return { code: -32601, message: `the method ${method} does not exist/is not available` };
  }

  function refuseLogs(call: RpcCall): { code: number; message: string } | null {
    if (call.method !== 'eth_getLogs') return null;
    const filter = (call.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string };
    const from = Number(filter.fromBlock);
    const to = Number(filter.toBlock);
    const span = to - from + 1;
    if (!(span > options.logsRangeMax)) return null;
    const n = options.logsRangeMax;
    switch (options.shape) {
      case 'alchemy':
        return { code: -32600, message: `You can make eth_getLogs requests with up to a ${n} block range. Based on your parameters, this block range should work: [0x${from.toString(16)}, 0x${(from + n - 1).toString(16)}]` };
      case 'infura':
        return { code: -32602, message: `range ${span} exceeds limit of ${n}` };
      case 'quicknode':
        return { code: -32614, message: `eth_getLogs is limited to a ${n.toLocaleString('en-US')} range` };
      case 'public':
        return { code: -32005, message: 'query returned more than 10000 results' };
      case 'java-tron':
        // java-tron's own check (maxBlockRange, default 5000): TRON docs, JSON-RPC eth_getLogs "Error responses".
        return { code: -32602, message: `exceed max block range: ${n}` };
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refused,
    forwarded,
    tamper: (method, change, n = 1) => { tampers.push({ method, change, left: n }); },
    garbage: (n) => { garbageLeft += n; },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}
