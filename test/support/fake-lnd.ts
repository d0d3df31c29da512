// A small, faithful fake of LND's REST API for tests (never shipped): node:http on 127.0.0.1,
// macaroon checked in `Grpc-Metadata-macaroon`, base64 bytes and string int64 fields, gRPC-style
// `{code, message}` errors, add_index/settle_index counters and the newline-delimited
// `/v1/invoices/subscribe` stream. It issues real BOLT11s signed by a test node key. Test hooks
// pay invoices, drop the stream, repeat notifications and tamper with returned invoices.
// FakeInvoiceBook (the node's invoice store) is shared with fake-cln.ts.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeBolt11, type Bolt11Network } from '../../src/methods/lightning/bolt11.ts';

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
}

export interface FakeServerBase {
  readonly url: string;
  close(): Promise<void>;
}

export async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
  readonly macaroonHex = randomBytes(32).toString('hex');
  url = '';
  /** When true the subscribe endpoint refuses connections and open streams are cut. */
  streamDown = false;
  /** When true every settle notification is written twice. */
  duplicateNotifications = false;
  /** When true every request is answered 503 (node down behind a proxy). */
  down = false;
  readonly #server: http.Server;
  readonly #streams = new Set<http.ServerResponse>();

  constructor(book: FakeInvoiceBook = new FakeInvoiceBook()) {
    this.book = book;
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => this.#send(res, 500, { code: 2, message: String(error), details: [] }));
    });
    book.onSettle((invoice) => {
      const line = JSON.stringify({ result: lndJson(invoice) }) + '\n';
      for (const res of this.#streams) {
        res.write(line);
        if (this.duplicateNotifications) res.write(line);
      }
    });
  }

  static async start(book?: FakeInvoiceBook): Promise<FakeLnd> {
    const fake = new FakeLnd(book);
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

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBody(req);
    if (this.down) return this.#send(res, 503, { message: 'upstream unavailable' });
    if (req.headers['grpc-metadata-macaroon'] !== this.macaroonHex) {
      return this.#send(res, 500, { code: 2, message: 'verification failed: signature mismatch after caveat verification', details: [] });
    }
    const path = url.pathname;
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
      return this.#send(res, 200, lndJson(invoice));
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

  #list(url: URL, res: http.ServerResponse): void {
    const offset = Number(url.searchParams.get('index_offset') ?? '0');
    const max = Number(url.searchParams.get('num_max_invoices') ?? '100') || 100;
    const page = this.book.invoices.filter((i) => i.addIndex > offset).slice(0, max);
    this.#send(res, 200, {
      invoices: page.map(lndJson),
      first_index_offset: String(page[0]?.addIndex ?? 0),
      last_index_offset: String(page[page.length - 1]?.addIndex ?? 0),
    });
  }

  #subscribe(url: URL, res: http.ServerResponse): void {
    if (this.streamDown) return this.#send(res, 503, { message: 'stream unavailable' });
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const settleIndex = Number(url.searchParams.get('settle_index') ?? '0');
    if (settleIndex > 0) {
      for (const invoice of this.book.settledAfter(settleIndex)) res.write(JSON.stringify({ result: lndJson(invoice) }) + '\n');
    }
    this.#streams.add(res);
    res.on('close', () => this.#streams.delete(res));
  }
}
