// A small, faithful fake of LND's REST API for tests (never shipped): HTTPS on 127.0.0.1 with a
// self-signed ECDSA P-256 tls.cert made at run time like LND's own (node-certs.ts), macaroon in
// `Grpc-Metadata-macaroon` checked against the permissions LND requires per call (rpcserver.go:
// GetInfo info:read; AddInvoice invoices:write; ListInvoices, LookupInvoice, SubscribeInvoices
// invoices:read) for LND's baked admin, readonly and invoice macaroons (invoice.macaroon: invoices
// read/write, address read/write, onchain read), base64 bytes and string int64 fields, gRPC-style
// `{code, message}` errors (a refused macaroon is gRPC Unknown → HTTP 500 "permission denied" /
// "verification failed"), add_index/settle_index counters, ListInvoices paging (index_offset,
// num_max_invoices, reversed; first/last_index_offset) and the newline-delimited
// `/v1/invoices/subscribe` stream with settle_index replay. It issues real BOLT11s signed by a test
// node key. Test hooks pay invoices, drop the stream, repeat notifications, tamper with returned
// invoices, answer garbage or 429. FakeInvoiceBook (the node's store) is shared with fake-cln.ts.

import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeBolt11, type Bolt11Network } from '../../src/methods/lightning/bolt11.ts';
import { sharedLndTls, type ServerTls } from './node-certs.ts';

export interface FakeInvoice {
  readonly paymentHash: string;
  readonly preimage: string;
  readonly bolt11: string;
  readonly amountMsat: bigint | null;
  readonly description: string;
  readonly label: string;
  readonly createdAt: number;
  readonly expiry: number;
  readonly addIndex: number;
  state: 'open' | 'settled' | 'canceled';
  receivedMsat: bigint;
  settleIndex: number;
  settledAt: number;
}

/** Makes the next created invoice wrong in one way (ADVERSARIAL 18 tests). */
export type Tamper = 'signer' | 'amount' | 'hash' | 'network' | null;

export class FakeInvoiceBook {
  readonly privateKey: Uint8Array;
  readonly nodeKey: string;
  readonly network: Bolt11Network;
  readonly invoices: FakeInvoice[] = [];
  readonly byHash = new Map<string, FakeInvoice>();
  settleCount = 0;
  tamper: Tamper = null;
  /** Once settled, these invoices are reported with this BOLT11 instead of their own (a tampered settlement). */
  readonly settledBolt11 = new Map<string, string>();
  /** Unix seconds; tests can move the node's clock. */
  now: () => number = () => Math.floor(Date.now() / 1000);
  readonly #listeners = new Set<(invoice: FakeInvoice) => void>();

  constructor(network: Bolt11Network = 'bcrt', privateKey: Uint8Array = secp256k1.utils.randomSecretKey()) {
    this.privateKey = privateKey;
    this.network = network;
    this.nodeKey = Buffer.from(secp256k1.getPublicKey(privateKey, true)).toString('hex');
  }

  create(amountMsat: bigint | null, description: string, expiry: number, label: string): { invoice: FakeInvoice; bolt11: string } {
    const preimage = randomBytes(32);
    const hash = sha256(preimage);
    const createdAt = this.now();
    const base = { amountMsat, paymentHash: hash, paymentSecret: randomBytes(32), description, expirySeconds: expiry, timestamp: createdAt, minFinalCltvExpiry: 80 };
    const bolt11 = encodeBolt11({ network: this.network, ...base }, this.privateKey);
    const invoice: FakeInvoice = {
      paymentHash: Buffer.from(hash).toString('hex'), preimage: preimage.toString('hex'), bolt11, amountMsat, description, label,
      createdAt, expiry, addIndex: this.invoices.length + 1, state: 'open', receivedMsat: 0n, settleIndex: 0, settledAt: 0,
    };
    this.invoices.push(invoice);
    this.byHash.set(invoice.paymentHash, invoice);
    return { invoice, bolt11: this.#tampered(bolt11, base) };
  }

  #tampered(bolt11: string, base: Omit<Parameters<typeof encodeBolt11>[0], 'network'>): string {
    const tamper = this.tamper;
    this.tamper = null;
    if (tamper === 'signer') return encodeBolt11({ network: this.network, ...base }, secp256k1.utils.randomSecretKey());
    if (tamper === 'amount') return encodeBolt11({ network: this.network, ...base, amountMsat: (base.amountMsat ?? 0n) + 1000n }, this.privateKey);
    if (tamper === 'hash') return encodeBolt11({ network: this.network, ...base, paymentHash: randomBytes(32) }, this.privateKey);
    if (tamper === 'network') return encodeBolt11({ network: this.network === 'bc' ? 'tb' : 'bc', ...base }, this.privateKey);
    return bolt11;
  }

  /**
   * Test hook: a payer pays the invoice. Like a real node it accepts any amount >= the invoice's
   * (amountless: what was sent). `ignoreExpiry` models a deposit that expired in Coffer while the
   * node still accepted the payment.
   */
  pay(paymentHash: string, amountMsat?: bigint): FakeInvoice {
    const invoice = this.byHash.get(paymentHash);
    if (invoice === undefined) throw new Error(`fake node: no invoice ${paymentHash}`);
    if (invoice.state !== 'open') throw new Error(`fake node: invoice is ${invoice.state}`);
    const paid = amountMsat ?? invoice.amountMsat;
    if (paid === null) throw new Error('fake node: an amountless invoice needs an amount');
    if (invoice.amountMsat !== null && paid < invoice.amountMsat) throw new Error('fake node: underpayment refused');
    this.settleCount += 1;
    invoice.state = 'settled';
    invoice.receivedMsat = paid;
    invoice.settleIndex = this.settleCount;
    invoice.settledAt = this.now();
    for (const listener of this.#listeners) listener(invoice);
    return invoice;
  }

  onSettle(listener: (invoice: FakeInvoice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  settledAfter(index: number): FakeInvoice[] {
    return this.invoices.filter((i) => i.state === 'settled' && i.settleIndex > index).sort((a, b) => a.settleIndex - b.settleIndex);
  }

  /** The BOLT11 the node reports for an invoice (its own, unless a test swapped a settled one). */
  reportedBolt11(invoice: FakeInvoice): string {
    return (invoice.state === 'settled' ? this.settledBolt11.get(invoice.paymentHash) : undefined) ?? invoice.bolt11;
  }

  /** Test hook: a BOLT11 like `invoice`'s but wrong in one way (another signer, amount or hash). */
  forged(invoice: FakeInvoice, how: 'signer' | 'amount' | 'hash'): string {
    const base = { network: this.network, amountMsat: invoice.amountMsat, paymentHash: Buffer.from(invoice.paymentHash, 'hex'), paymentSecret: randomBytes(32),
      description: invoice.description, expirySeconds: invoice.expiry, timestamp: invoice.createdAt, minFinalCltvExpiry: 80 };
    if (how === 'signer') return encodeBolt11(base, secp256k1.utils.randomSecretKey());
    if (how === 'amount') return encodeBolt11({ ...base, amountMsat: (invoice.amountMsat ?? 0n) + 1_000n }, this.privateKey);
    return encodeBolt11({ ...base, paymentHash: randomBytes(32) }, this.privateKey);
  }

  /**
   * Test hook: `count` invoices of another application (a backlog), cheaply, without a real BOLT11:
   * left open, or final — every `settleEvery`-th settled (taking settle indexes), the rest canceled.
   */
  addBacklog(count: number, final: { settleEvery: number } | null = null): void {
    for (let i = 0; i < count; i += 1) {
      const hash = randomBytes(32).toString('hex');
      const invoice: FakeInvoice = {
        paymentHash: hash, preimage: '00'.repeat(32), bolt11: '', amountMsat: 1_000n, description: 'backlog', label: `backlog-${hash}`,
        createdAt: this.now(), expiry: 86_400, addIndex: this.invoices.length + 1, state: 'open', receivedMsat: 0n, settleIndex: 0, settledAt: 0,
      };
      this.invoices.push(invoice);
      this.byHash.set(hash, invoice);
      if (final === null) continue;
      if (i % final.settleEvery === 0) this.pay(hash);
      else invoice.state = 'canceled';
    }
  }
}

/** The permission entities/actions LND checks (rpcserver.go), by baked macaroon. */
export const LndMacaroonPermissions = {
  admin: ['info:read', 'invoices:read', 'invoices:write', 'address:read', 'address:write', 'onchain:read', 'offchain:read', 'offchain:write'],
  readonly: ['info:read', 'invoices:read', 'address:read', 'onchain:read', 'offchain:read'],
  invoice: ['invoices:read', 'invoices:write', 'address:read', 'address:write', 'onchain:read'],
} as const;
export type LndMacaroonName = keyof typeof LndMacaroonPermissions;

export interface FakeServerBase {
  readonly url: string;
  close(): Promise<void>;
}

export async function listen(server: http.Server | https.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scheme = server instanceof https.Server ? 'https' : 'http';
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function lndJson(invoice: FakeInvoice): Record<string, unknown> {
  return {
    memo: invoice.description,
    r_preimage: Buffer.from(invoice.preimage, 'hex').toString('base64'),
    r_hash: Buffer.from(invoice.paymentHash, 'hex').toString('base64'),
    value: String((invoice.amountMsat ?? 0n) / 1000n),
    value_msat: String(invoice.amountMsat ?? 0n),
    settled: invoice.state === 'settled',
    creation_date: String(invoice.createdAt),
    settle_date: String(invoice.settledAt),
    payment_request: invoice.bolt11,
    expiry: String(invoice.expiry),
    cltv_expiry: '80',
    private: false,
    add_index: String(invoice.addIndex),
    settle_index: String(invoice.settleIndex),
    amt_paid: String(invoice.receivedMsat),
    amt_paid_sat: String(invoice.receivedMsat / 1000n),
    amt_paid_msat: String(invoice.receivedMsat),
    state: invoice.state === 'settled' ? 'SETTLED' : invoice.state === 'canceled' ? 'CANCELED' : 'OPEN',
    htlcs: [],
    features: {},
    is_keysend: false,
    payment_addr: Buffer.alloc(32).toString('base64'),
    is_amp: false,
  };
}

export class FakeLnd implements FakeServerBase {
  readonly book: FakeInvoiceBook;
  /** Distinct stand-in macaroons (hex), one per baked macaroon; the fake grants each its permissions. */
  readonly macaroons: Readonly<Record<LndMacaroonName, string>> = {
    admin: randomBytes(32).toString('hex'), readonly: randomBytes(32).toString('hex'), invoice: randomBytes(32).toString('hex'),
  };
  /** What Coffer is configured with in the tests: the narrow invoice.macaroon. */
  readonly macaroonHex = this.macaroons.invoice;
  /** The tls.cert a client pins. */
  readonly tlsCert: string;
  url = '';
  /** Requests answered so far, by path (tests check paging and pacing). */
  readonly requests: string[] = [];
  /** The next `n` answers are this raw text with HTTP 200 (garbage from the node or a proxy). */
  garbage: { text: string; count: number } | null = null;
  /** ListInvoices calls (1-based, counted from when this is set) answered 503: a node failing mid-sweep. */
  listFailures: { calls: Set<number>; seen: number } | null = null;
  /** The next `n` ListInvoices calls are answered 429 with this Retry-After (seconds). */
  rateLimit: { retryAfterSeconds: number; count: number } | null = null;
  /** When true the subscribe endpoint refuses connections and open streams are cut. */
  streamDown = false;
  /** When true every settle notification is written twice. */
  duplicateNotifications = false;
  /** When true every request is answered 503 (node down behind a proxy). */
  down = false;
  readonly #server: https.Server;
  readonly #streams = new Set<http.ServerResponse>();

  constructor(book: FakeInvoiceBook = new FakeInvoiceBook(), tls: ServerTls = sharedLndTls()) {
    this.book = book;
    this.tlsCert = tls.trust;
    this.#server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      this.#handle(req, res).catch((error: unknown) => this.#send(res, 500, { code: 2, message: String(error), details: [] }));
    });
    book.onSettle((invoice) => {
      const line = JSON.stringify({ result: this.#json(invoice) }) + '\n';
      for (const res of this.#streams) {
        res.write(line);
        if (this.duplicateNotifications) res.write(line);
      }
    });
  }

  static async start(book?: FakeInvoiceBook, tls?: ServerTls): Promise<FakeLnd> {
    const fake = new FakeLnd(book, tls);
    fake.url = await listen(fake.#server);
    return fake;
  }

  /** Cuts every open subscription (a dropped stream); new ones are refused while streamDown. */
  dropStreams(): void {
    for (const res of this.#streams) res.destroy();
    this.#streams.clear();
  }

  get openStreams(): number {
    return this.#streams.size;
  }

  /** Test hook: writes a raw line to every open subscription (garbage on the stream). */
  pushStreamLine(text: string): void {
    for (const res of this.#streams) res.write(text + '\n');
  }

  async close(): Promise<void> {
    this.dropStreams();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #send(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  #json(invoice: FakeInvoice): Record<string, unknown> {
    return { ...lndJson(invoice), payment_request: this.book.reportedBolt11(invoice) };
  }

  /** The permission LND's rpcserver.go requires for a REST route, or null for an unknown route. */
  static #permission(method: string, path: string): string | null {
    if (method === 'GET' && path === '/v1/getinfo') return 'info:read';
    if (method === 'POST' && path === '/v1/invoices') return 'invoices:write';
    if (method === 'GET' && (path === '/v1/invoices' || path === '/v1/invoices/subscribe' || path.startsWith('/v1/invoice/'))) return 'invoices:read';
    return null;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBody(req);
    this.requests.push(url.pathname + url.search);
    if (this.down) return this.#send(res, 503, { message: 'upstream unavailable' });
    const macaroon = req.headers['grpc-metadata-macaroon'];
    const name = (Object.keys(this.macaroons) as LndMacaroonName[]).find((n) => this.macaroons[n] === macaroon);
    if (name === undefined) {
      return this.#send(res, 500, { code: 2, message: 'verification failed: signature mismatch after caveat verification', details: [] });
    }
    const path = url.pathname;
    const needed = FakeLnd.#permission(req.method ?? '', path);
    if (needed !== null && !(LndMacaroonPermissions[name] as readonly string[]).includes(needed)) {
      return this.#send(res, 500, { code: 2, message: 'permission denied', details: [] });
    }
    if (this.garbage !== null && path !== '/v1/invoices/subscribe') {
      const text = this.garbage.text;
      this.garbage = this.garbage.count <= 1 ? null : { ...this.garbage, count: this.garbage.count - 1 };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
      return;
    }
    if (this.listFailures !== null && req.method === 'GET' && path === '/v1/invoices') {
      this.listFailures.seen += 1;
      if (this.listFailures.calls.has(this.listFailures.seen)) return this.#send(res, 503, { code: 14, message: 'unavailable', details: [] });
    }
    if (this.rateLimit !== null && req.method === 'GET' && path === '/v1/invoices') {
      const { retryAfterSeconds } = this.rateLimit;
      this.rateLimit = this.rateLimit.count <= 1 ? null : { ...this.rateLimit, count: this.rateLimit.count - 1 };
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfterSeconds) });
      res.end(JSON.stringify({ code: 8, message: 'too many requests', details: [] }));
      return;
    }
    if (req.method === 'GET' && path === '/v1/getinfo') {
      const network = { bc: 'mainnet', tb: 'testnet', tbs: 'signet', bcrt: 'regtest' }[this.book.network];
      return this.#send(res, 200, { identity_pubkey: this.book.nodeKey, alias: 'fake-lnd', block_height: 500, synced_to_chain: true,
        chains: [{ chain: 'bitcoin', network }], version: '0.18.0-beta fake' });
    }
    if (req.method === 'POST' && path === '/v1/invoices') return this.#addInvoice(JSON.parse(body || '{}') as Record<string, unknown>, res);
    if (req.method === 'GET' && path === '/v1/invoices/subscribe') return this.#subscribe(url, res);
    if (req.method === 'GET' && path === '/v1/invoices') return this.#list(url, res);
    const lookup = /^\/v1\/invoice\/([0-9a-f]{64})$/.exec(path);
    if (req.method === 'GET' && lookup !== null) {
      const invoice = this.book.byHash.get(lookup[1] ?? '');
      if (invoice === undefined) return this.#send(res, 404, { code: 5, message: 'unable to locate invoice', details: [] });
      return this.#send(res, 200, this.#json(invoice));
    }
    return this.#send(res, 404, { code: 5, message: 'Not Found', details: [] });
  }

  #addInvoice(body: Record<string, unknown>, res: http.ServerResponse): void {
    const valueMsat = BigInt(String(body['value_msat'] ?? '0'));
    const value = BigInt(String(body['value'] ?? '0'));
    if (valueMsat !== 0n && value !== 0n) return this.#send(res, 500, { code: 2, message: 'value and value_msat are mutually exclusive', details: [] });
    const amount = valueMsat !== 0n ? valueMsat : value * 1000n;
    const expiry = Number(body['expiry'] ?? 86400) || 86400;
    const { invoice, bolt11 } = this.book.create(amount === 0n ? null : amount, String(body['memo'] ?? ''), expiry, '');
    this.#send(res, 200, {
      r_hash: Buffer.from(invoice.paymentHash, 'hex').toString('base64'), payment_request: bolt11,
      add_index: String(invoice.addIndex), payment_addr: Buffer.alloc(32).toString('base64'),
    });
  }

  /**
   * ListInvoices: forward, invoices with add_index > index_offset; reversed, the newest ones with
   * add_index < index_offset (0: from the end); pending_only keeps OPEN ones. The invoices of the
   * book are in add_index order (index = add_index - 1), so a page is a slice, not a scan.
   */
  #list(url: URL, res: http.ServerResponse): void {
    const offset = Number(url.searchParams.get('index_offset') ?? '0');
    const max = Number(url.searchParams.get('num_max_invoices') ?? '100') || 100;
    const reversed = url.searchParams.get('reversed') === 'true';
    const pendingOnly = url.searchParams.get('pending_only') === 'true';
    const all = this.book.invoices;
    let page: FakeInvoice[];
    if (pendingOnly) {
      const open = all.filter((i) => i.state === 'open' && (reversed ? offset === 0 || i.addIndex < offset : i.addIndex > offset));
      page = reversed ? open.slice(-max) : open.slice(0, max);
    } else if (reversed) {
      const end = offset === 0 ? all.length : Math.min(all.length, offset - 1);
      page = all.slice(Math.max(0, end - max), end);
    } else {
      page = all.slice(offset, offset + max);
    }
    this.#send(res, 200, {
      invoices: page.map((i) => this.#json(i)),
      first_index_offset: String(page[0]?.addIndex ?? 0),
      last_index_offset: String(page[page.length - 1]?.addIndex ?? 0),
    });
  }

  #subscribe(url: URL, res: http.ServerResponse): void {
    if (this.streamDown) return this.#send(res, 503, { message: 'stream unavailable' });
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const settleIndex = Number(url.searchParams.get('settle_index') ?? '0');
    if (settleIndex > 0) {
      for (const invoice of this.book.settledAfter(settleIndex)) res.write(JSON.stringify({ result: this.#json(invoice) }) + '\n');
    }
    this.#streams.add(res);
    res.on('close', () => this.#streams.delete(res));
  }
}
