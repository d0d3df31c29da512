// An HTTP relay in front of the regtest node's JSON-RPC that a test can make misbehave the way a
// node (or the proxy in front of it) does: answer a call with garbage, corrupt a reply, answer
// 503 with Retry-After. Everything else is passed through unchanged. It counts the requests.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface RpcCallSeen {
  readonly method: string;
  readonly params: readonly unknown[];
}

/** What to do with one request: pass it on, or answer it here. */
export type RelayAnswer = { readonly status: number; readonly headers?: Record<string, string>; readonly body: string } | 'pass';

export class BcoinHttpRelay {
  readonly #target: string;
  #server: Server | null = null;
  port = 0;
  requests = 0;
  /** Decides per request (all the calls of a batch); default: pass. */
  intercept: (calls: readonly RpcCallSeen[]) => RelayAnswer = () => 'pass';
  /** Rewrites a passed-through reply's result for one call; default: unchanged. */
  rewrite: (call: RpcCallSeen, result: unknown) => unknown = (_call, result) => result;

  constructor(targetPort: number) {
    this.#target = `http://127.0.0.1:${targetPort}/`;
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => { void this.#handle(req, res); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address && typeof address !== 'string') this.port = address.port;
    this.#server = server;
  }

  async down(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const parsed = JSON.parse(body) as unknown;
    const calls = (Array.isArray(parsed) ? parsed : [parsed]) as Array<{ method: string; params?: unknown[]; id?: unknown }>;
    const seen = calls.map((c) => ({ method: c.method, params: c.params ?? [] }));
    const answer = this.intercept(seen);
    if (answer !== 'pass') {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
      return;
    }
    const upstream = await fetch(this.#target, {
      method: 'POST', body, headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
    });
    let text = await upstream.text();
    const reply = JSON.parse(text) as unknown;
    if (Array.isArray(reply)) {
      const replies = reply as Array<{ result?: unknown; id?: unknown }>;
      for (const r of replies) {
        const call = calls.find((c) => c.id === r.id);
        if (call) r.result = this.rewrite({ method: call.method, params: call.params ?? [] }, r.result);
      }
      text = JSON.stringify(replies);
    }
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(text);
  }
}
