// A small, faithful fake of Core Lightning's REST plugin (clnrest) for tests (never shipped):
// HTTPS with a server.pem signed by a ca.pem, made at run time like clnrest's own
// (plugins/rest-plugin/src/certs.rs; node-certs.ts), `POST /v1/<rpc>` with JSON params and the
// `Rune` header, HTTP 201 with the RPC result, 403 {code 1501} for a missing rune, 401 for a rune
// checkrune refuses (not ours, or a restriction not met: code 1502) (plugins/rest-plugin/src/
// shared.rs verify_rune), 500 with `{code, message}` for RPC errors. Implements getinfo, invoice,
// listinvoices and waitanyinvoice (lastpay_index, timeout; 904 on time-out), with msat amounts as
// JSON integers. Runes are stand-ins mapped to the `method=` alternatives they allow, as
// `createrune restrictions='[["method=getinfo","method=invoice",...]]'` would make them.
// Invoices come from the shared FakeInvoiceBook.

import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { FakeInvoiceBook, listen, readBody, type FakeInvoice, type FakeServerBase } from './fake-lnd.ts';
import { sharedClnTls, type ServerTls } from './node-certs.ts';

/** The RPC methods Coffer calls: the narrowest rune Coffer needs allows exactly these. */
export const CofferRuneMethods = ['getinfo', 'invoice', 'listinvoices', 'waitanyinvoice'] as const;

/** Writes a JSON body with bigint amounts as bare integers, as lightningd does. */
function clnStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `__int__${v}` : v)).replace(/"__int__(\d+)"/g, '$1');
}

function clnJson(invoice: FakeInvoice, now: number, bolt11 = invoice.bolt11): Record<string, unknown> {
  const expired = invoice.state === 'open' && now >= invoice.createdAt + invoice.expiry;
  return {
    label: invoice.label,
    bolt11,
    payment_hash: invoice.paymentHash,
    ...(invoice.amountMsat !== null ? { amount_msat: invoice.amountMsat } : {}),
    status: invoice.state === 'settled' ? 'paid' : expired || invoice.state === 'canceled' ? 'expired' : 'unpaid',
    description: invoice.description,
    expires_at: invoice.createdAt + invoice.expiry,
    created_index: invoice.addIndex,
    ...(invoice.state === 'settled' ? {
      pay_index: invoice.settleIndex, amount_received_msat: invoice.receivedMsat, paid_at: invoice.settledAt,
      payment_preimage: invoice.preimage, updated_index: invoice.settleIndex,
    } : {}),
  };
}

export class FakeCln implements FakeServerBase {
  readonly book: FakeInvoiceBook;
  /** Stand-in runes → the methods each allows (null: unrestricted, like the master rune). */
  readonly #runes = new Map<string, readonly string[] | null>();
  /** The narrowest rune for Coffer (what the tests configure). */
  readonly rune: string;
  /** The ca.pem a client pins (clnrest's server.pem chains to it). */
  readonly tlsCert: string;
  url = '';
  /** When true waitanyinvoice calls fail at once (the "stream" is down) and open long polls are cut. */
  streamDown = false;
  down = false;
  /** The next `count` answers are this raw text with HTTP 201 (garbage from the node or a proxy). */
  garbage: { text: string; count: number } | null = null;
  readonly #server: https.Server;
  readonly #waiting = new Set<{ after: number; res: http.ServerResponse; timer: NodeJS.Timeout }>();

  constructor(book: FakeInvoiceBook = new FakeInvoiceBook(), tls: ServerTls = sharedClnTls()) {
    this.book = book;
    this.tlsCert = tls.trust;
    this.rune = this.makeRune(CofferRuneMethods);
    this.#server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      this.#handle(req, res).catch((error: unknown) => this.#send(res, 500, { code: -32603, message: String(error) }));
    });
    book.onSettle(() => this.#wakeWaiters());
  }

  static async start(book?: FakeInvoiceBook, tls?: ServerTls): Promise<FakeCln> {
    const fake = new FakeCln(book, tls);
    fake.url = await listen(fake.#server);
    return fake;
  }

  /** A rune allowing only `methods` (null: every method). */
  makeRune(methods: readonly string[] | null): string {
    const rune = randomBytes(32).toString('base64url');
    this.#runes.set(rune, methods);
    return rune;
  }

  dropStreams(): void {
    for (const waiter of this.#waiting) {
      clearTimeout(waiter.timer);
      waiter.res.destroy();
    }
    this.#waiting.clear();
  }

  get openStreams(): number {
    return this.#waiting.size;
  }

  async close(): Promise<void> {
    this.dropStreams();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #send(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(clnStringify(body));
  }

  #wakeWaiters(): void {
    for (const waiter of [...this.#waiting]) {
      const next = this.book.settledAfter(waiter.after)[0];
      if (next === undefined) continue;
      clearTimeout(waiter.timer);
      this.#waiting.delete(waiter);
      this.#send(waiter.res, 201, clnJson(next, this.book.now(), this.book.reportedBolt11(next)));
    }
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (this.down) return this.#send(res, 503, { message: 'upstream unavailable' });
    const rune = req.headers['rune'];
    if (rune === undefined) return this.#send(res, 403, { code: 1501, message: 'Not authorized: Missing rune' });
    const allowed = typeof rune === 'string' ? this.#runes.get(rune) : undefined;
    if (allowed === undefined) return this.#send(res, 401, { code: 1501, message: 'Not authorized: Not derived from master' });
    const method = /^\/v1\/([a-z_]+)$/.exec(new URL(req.url ?? '/', 'http://fake').pathname)?.[1];
    if (req.method !== 'POST' || method === undefined) return this.#send(res, 404, { code: -32601, message: 'Unknown command' });
    if (this.garbage !== null) {
      const text = this.garbage.text;
      this.garbage = this.garbage.count <= 1 ? null : { ...this.garbage, count: this.garbage.count - 1 };
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(text);
      return;
    }
    if (allowed !== null && !allowed.includes(method)) {
      return this.#send(res, 401, { code: 1502, message: `Not permitted: method is not equal to ${allowed[allowed.length - 1] ?? ''}` });
    }
    const params = JSON.parse(body || '{}') as Record<string, unknown>;
    if (method === 'getinfo') {
      const network = { bc: 'bitcoin', tb: 'testnet', tbs: 'signet', bcrt: 'regtest' }[this.book.network];
      return this.#send(res, 201, { id: this.book.nodeKey, alias: 'fake-cln', network, blockheight: 500, version: 'v24.11 fake' });
    }
    if (method === 'invoice') return this.#invoice(params, res);
    if (method === 'listinvoices') {
      const hash = params['payment_hash'];
      const list = typeof hash === 'string' ? this.book.invoices.filter((i) => i.paymentHash === hash) : this.book.invoices;
      return this.#send(res, 201, { invoices: list.map((i) => clnJson(i, this.book.now(), this.book.reportedBolt11(i))) });
    }
    if (method === 'waitanyinvoice') return this.#waitAny(params, res);
    return this.#send(res, 404, { code: -32601, message: `Unknown command '${method}'` });
  }

  #invoice(params: Record<string, unknown>, res: http.ServerResponse): void {
    const label = String(params['label'] ?? '');
    if (label === '' || this.book.invoices.some((i) => i.label === label)) return this.#send(res, 500, { code: 900, message: 'Duplicate label' });
    const raw = params['amount_msat'];
    let amount: bigint | null;
    if (raw === 'any') amount = null;
    else if (typeof raw === 'number') amount = BigInt(raw);
    else if (typeof raw === 'string' && /^\d+(msat)?$/.test(raw)) amount = BigInt(raw.replace('msat', ''));
    else return this.#send(res, 500, { code: -32602, message: 'amount_msat: should be a millisatoshi amount' });
    const expiry = typeof params['expiry'] === 'number' ? params['expiry'] : 604800;
    const { invoice, bolt11 } = this.book.create(amount, String(params['description'] ?? ''), expiry, label);
    this.#send(res, 201, { payment_hash: invoice.paymentHash, expires_at: invoice.createdAt + expiry, bolt11,
      payment_secret: randomBytes(32).toString('hex'), created_index: invoice.addIndex });
  }

  #waitAny(params: Record<string, unknown>, res: http.ServerResponse): void {
    if (this.streamDown && params['timeout'] !== 0) {
      res.destroy();
      return;
    }
    const after = typeof params['lastpay_index'] === 'number' ? params['lastpay_index'] : 0;
    const next = this.book.settledAfter(after)[0];
    if (next !== undefined) return this.#send(res, 201, clnJson(next, this.book.now(), this.book.reportedBolt11(next)));
    const timeout = typeof params['timeout'] === 'number' ? params['timeout'] : null;
    if (timeout === 0) return this.#send(res, 500, { code: 904, message: 'Timed out' });
    const waiter = {
      after, res,
      timer: setTimeout(() => {
        this.#waiting.delete(waiter);
        this.#send(res, 500, { code: 904, message: 'Timed out' });
      }, (timeout ?? 3600) * 1000),
    };
    this.#waiting.add(waiter);
    res.on('close', () => {
      clearTimeout(waiter.timer);
      this.#waiting.delete(waiter);
    });
  }
}
