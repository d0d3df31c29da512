// Local stand-ins for the public price APIs: node:http servers on 127.0.0.1 that answer the
// documented endpoints with bodies in the documented shape (field order and string/number
// types as the real APIs send them), with the price for each pair set by the test. A test can
// make a server fail in the ways real ones do: HTTP 5xx, a reset connection, a slow answer,
// a malformed body, an error envelope.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BITSTAMP_PAIRS } from '../../src/rates/bitstamp-source.ts';
import { COINGECKO_IDS } from '../../src/rates/coingecko-source.ts';
import { KRAKEN_PAIRS } from '../../src/rates/kraken-source.ts';
import type { PairKey } from '../../src/rates/rate-source.ts';

export type ExchangeKind = 'kraken' | 'coinbase' | 'bitstamp' | 'coingecko';

export type Behaviour =
  | 'ok'
  | 'http-503' // the API is up but failing
  | 'reset' // the connection drops before any answer
  | 'slow' // answers, but only after `slowMs`
  | 'malformed' // a truncated JSON body
  | 'html' // a proxy's error page with status 200
  | 'error-envelope' // the API's own error shape
  | 'huge'; // an endless body, as from a misrouted download

type Prices = Partial<Record<PairKey, string>>;

export class FakeExchange {
  readonly kind: ExchangeKind;
  readonly #server: Server;
  readonly #prices: Map<PairKey, string>;
  readonly #timers = new Set<NodeJS.Timeout>();
  behaviour: Behaviour = 'ok';
  slowMs = 5_000;
  /** Paths requested, in order, so tests can count network calls. */
  readonly requests: string[] = [];

  private constructor(kind: ExchangeKind, prices: Prices) {
    this.kind = kind;
    this.#prices = new Map(Object.entries(prices) as Array<[PairKey, string]>);
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  static async start(kind: ExchangeKind, prices: Prices): Promise<FakeExchange> {
    const exchange = new FakeExchange(kind, prices);
    await new Promise<void>((resolve) => exchange.#server.listen(0, '127.0.0.1', resolve));
    return exchange;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  setPrice(pair: PairKey, text: string): void {
    this.#prices.set(pair, text);
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    this.requests.push(path);
    switch (this.behaviour) {
      case 'reset': req.socket.destroy(); return;
      case 'http-503': send(res, 503, '{"message":"Service Unavailable"}'); return;
      case 'html': send(res, 200, '<html><body>502 Bad Gateway</body></html>', 'text/html'); return;
      case 'malformed': send(res, 200, this.#answer(path).body.slice(0, 25)); return;
      case 'slow': {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          const { status, body } = this.#answer(path);
          send(res, status, body);
        }, this.slowMs);
        this.#timers.add(timer);
        return;
      }
      case 'error-envelope': { const { status, body } = errorEnvelope(this.kind); send(res, status, body); return; }
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = '{"padding":"' + 'x'.repeat(16 * 1024);
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk)) { /* fill until backpressure */ }
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      case 'ok': { const { status, body } = this.#answer(path); send(res, status, body); return; }
    }
  }

  #answer(path: string): { status: number; body: string } {
    const url = new URL(path, 'http://x');
    const pair = pairFor(this.kind, url);
    const price = pair === null ? undefined : this.#prices.get(pair);
    if (pair === null || price === undefined) return errorEnvelope(this.kind);
    return { status: 200, body: bodyFor(this.kind, pair, price) };
  }
}

/** Starts one server per kind, all quoting the same prices. */
export async function startExchanges(prices: Prices, kinds: readonly ExchangeKind[] = ['kraken', 'coinbase', 'bitstamp', 'coingecko']):
  Promise<Record<ExchangeKind, FakeExchange> & { closeAll(): Promise<void> }> {
  const started = await Promise.all(kinds.map((kind) => FakeExchange.start(kind, prices)));
  const byKind = Object.fromEntries(started.map((e) => [e.kind, e])) as Record<ExchangeKind, FakeExchange>;
  return Object.assign(byKind, { closeAll: async () => { await Promise.all(started.map((e) => e.close())); } });
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function pairFor(kind: ExchangeKind, url: URL): PairKey | null {
  const find = <T>(table: Partial<Record<PairKey, T>>, match: (value: T) => boolean): PairKey | null =>
    (Object.entries(table) as Array<[PairKey, T]>).find(([, v]) => match(v))?.[0] ?? null;
  switch (kind) {
    case 'kraken': {
      if (url.pathname !== '/0/public/Ticker') return null;
      const asked = url.searchParams.get('pair');
      return find(KRAKEN_PAIRS, ([name]) => name === asked);
    }
    case 'coinbase': {
      const m = /^\/v2\/prices\/([A-Z]+)-([A-Z]+)\/spot$/.exec(url.pathname);
      return m === null ? null : (`${m[1]}/${m[2]}` as PairKey);
    }
    case 'bitstamp': {
      const m = /^\/api\/v2\/ticker\/([a-z]+)\/$/.exec(url.pathname);
      return m === null ? null : find(BITSTAMP_PAIRS, (name) => name === m[1]);
    }
    case 'coingecko': {
      if (url.pathname !== '/api/v3/simple/price') return null;
      const id = url.searchParams.get('ids');
      const base = (Object.entries(COINGECKO_IDS) as Array<[string, string]>).find(([, v]) => v === id)?.[0];
      const vs = url.searchParams.get('vs_currencies')?.toUpperCase();
      return base === undefined || vs === undefined ? null : (`${base}/${vs}` as PairKey);
    }
  }
}

// Bodies follow the APIs' documented examples; only the price is the test's.
function bodyFor(kind: ExchangeKind, pair: PairKey, price: string): string {
  const [base, quote] = pair.split('/') as [string, string];
  const p = JSON.stringify(price);
  switch (kind) {
    case 'kraken': {
      const name = (KRAKEN_PAIRS[pair] as readonly [string, string])[1];
      return `{"error":[],"result":{"${name}":{"a":[${p},"1","1.000"],"b":[${p},"1","1.000"],"c":[${p},"0.00067643"],` +
        `"v":["4083.67001100","4412.73601799"],"p":[${p},${p}],"t":[34619,38907],"l":[${p},${p}],"h":[${p},${p}],"o":${p}}}}`;
    }
    case 'coinbase':
      return `{"data":{"amount":${p},"base":"${base}","currency":"${quote}"}}`;
    case 'bitstamp':
      return `{"timestamp": "1767225600", "open": ${p}, "high": ${p}, "low": ${p}, "last": ${p}, "volume": "1234.56789012", ` +
        `"vwap": ${p}, "bid": ${p}, "ask": ${p}, "side": "0", "open_24": ${p}, "percent_change_24": "0.50"}`;
    case 'coingecko':
      // CoinGecko sends the price as a bare JSON number: the test's text goes in verbatim.
      return `{"${COINGECKO_IDS[base as keyof typeof COINGECKO_IDS]}":{"${quote.toLowerCase()}":${price}}}`;
  }
}

function errorEnvelope(kind: ExchangeKind): { status: number; body: string } {
  switch (kind) {
    case 'kraken': return { status: 200, body: '{"error":["EQuery:Unknown asset pair"]}' };
    case 'coinbase': return { status: 404, body: '{"errors":[{"id":"not_found","message":"Invalid currency"}]}' };
    case 'bitstamp': return { status: 404, body: '{"status":"error","reason":"Invalid currency pair","code":"404"}' };
    case 'coingecko': return { status: 200, body: '{}' };
  }
}
