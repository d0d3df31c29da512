// LND REST backend. Shapes follow LND's REST gateway: bytes fields are base64 (r_hash), int64
// fields are JSON strings (value_msat, amt_paid_msat, add_index, settle_index), the macaroon goes
// in the `Grpc-Metadata-macaroon` header as hex, and gRPC errors come back as HTTP 4xx/5xx with
// `{code, message}`. Streams (`/v1/invoices/subscribe`) are newline-delimited `{"result": Invoice}`.
//
// Settlements are followed by settle_index: SubscribeInvoices {settle_index: n} first replays
// every settlement with a settle_index greater than n, then streams new ones (lnrpc/lightning.proto
// InvoiceSubscription), so the stream resumes from the watcher's cursor. The poll is the fallback
// when the stream is down: ListInvoices pages by add_index only (index_offset, num_max_invoices,
// reversed=false; the answer's last_index_offset is where the next page starts; pending_only would
// hide the settled invoices we are after), so the poller sweeps forward from scanFrom — the
// add_index at or below which every invoice is final and applied — a bounded number of pages per
// call, continuing where it stopped on the next call, and keeps invoices settled after the cursor.
// A sweep may see settle_index 9 before 8 (8's invoice settled after its page was read), so it
// never claims more than `confirmedThrough`: the highest settle_index seen by the previous complete
// sweep, all of which settled before this sweep began and so were read by it.
// Sources: lnd lnrpc/lightning.proto (ListInvoiceRequest, ListInvoiceResponse, Invoice.add_index /
// settle_index, InvoiceSubscription) and rpcserver.go (permissions: GetInfo info:read; AddInvoice
// invoices:write; ListInvoices, LookupInvoice, SubscribeInvoices invoices:read; invoice.macaroon =
// invoices read/write, address read/write, onchain read — no info:read).

import { AdaptiveSize, RemoteFailureKind, parseRetryAfter, withAdaptiveSize } from '../request-policy.ts';
import { decodeBolt11, type Bolt11Network } from './bolt11.ts';
import {
  LightningBackendError, asRecord, asString, parseIndex, parseUnsigned,
  type BackendInvoice, type BadInputReporter, type CreateInvoiceRequest, type CreatedInvoice, type LightningBackend,
  type NodeInfo, type SettleCursor, type SettledPage, type SettlementPoller,
} from './lightning-backend.ts';
import { LightningLimits } from './lightning-limits.ts';
import { RestClient } from './rest-client.ts';

export interface LndBackendOptions {
  readonly restUrl: string;
  readonly macaroonHex: string;
  readonly tlsCertPem?: string;
  readonly timeoutMs: number;
}

const LND_NETWORKS: Readonly<Record<string, Bolt11Network>> = { mainnet: 'bc', testnet: 'tb', testnet4: 'tb', signet: 'tbs', regtest: 'bcrt' };

function hashFromBase64(value: unknown): string {
  const bytes = Buffer.from(asString(value, 'r_hash'), 'base64');
  if (bytes.length !== 32) throw new LightningBackendError('protocol', 'r_hash is not 32 bytes');
  return bytes.toString('hex');
}

/** Maps one LND Invoice object to Coffer's view. */
export function lndInvoice(raw: unknown): BackendInvoice & { readonly addIndex: number } {
  const invoice = asRecord(raw, 'invoice');
  const state = invoice['state'];
  const amountMsat = parseUnsigned(invoice['value_msat'] ?? '0', 'value_msat');
  const settled = state === 'SETTLED';
  const settleIndex = parseIndex(invoice['settle_index'], 'settle_index');
  const settleDate = parseIndex(invoice['settle_date'], 'settle_date');
  return {
    paymentHash: hashFromBase64(invoice['r_hash']),
    bolt11: asString(invoice['payment_request'] ?? '', 'payment_request'),
    state: settled ? 'settled' : state === 'CANCELED' ? 'canceled' : 'open',
    amountMsat: amountMsat === 0n ? null : amountMsat,
    receivedMsat: parseUnsigned(invoice['amt_paid_msat'] ?? '0', 'amt_paid_msat'),
    settleIndex: settled && settleIndex > 0 ? settleIndex : null,
    addIndex: parseIndex(invoice['add_index'], 'add_index'),
    ...(settled && settleDate > 0 ? { settledAt: settleDate } : {}),
  };
}

export class LndBackend implements LightningBackend {
  readonly kind = 'lnd';
  readonly #client: RestClient;

  constructor(options: LndBackendOptions) {
    this.#client = new RestClient({
      baseUrl: options.restUrl, timeoutMs: options.timeoutMs,
      headers: { 'Grpc-Metadata-macaroon': options.macaroonHex },
      ...(options.tlsCertPem !== undefined ? { caPem: options.tlsCertPem } : {}),
    });
  }

  /**
   * GetInfo when the macaroon has info:read (admin, readonly). An invoice.macaroon lacks it: then
   * ListInvoices (invoices:read) proves the macaroon works, and the newest invoice's BOLT11 tells
   * the node key (signature recovery) and network (prefix); with no invoice yet both are null.
   */
  async getInfo(signal?: AbortSignal): Promise<NodeInfo> {
    let raw: unknown;
    try {
      raw = await this.#call('GET', '/v1/getinfo', undefined, signal);
    } catch (error) {
      if (error instanceof LightningBackendError && error.kind === 'credentials' && /permission denied/i.test(error.message)) return this.#infoFromInvoices(signal);
      throw error;
    }
    const info = asRecord(raw, 'getinfo');
    const nodeKey = asString(info['identity_pubkey'], 'identity_pubkey').toLowerCase();
    const chains = Array.isArray(info['chains']) ? info['chains'] : [];
    const chain = chains.length > 0 ? asRecord(chains[0], 'chains[0]') : {};
    const network = LND_NETWORKS[String(chain['network'] ?? '')];
    if (network === undefined) throw new LightningBackendError('protocol', `LND reports unknown network ${String(chain['network'])}`);
    return { nodeKey, network, alias: String(info['alias'] ?? ''), blockHeight: parseIndex(info['block_height'], 'block_height') };
  }

  async #infoFromInvoices(signal?: AbortSignal): Promise<NodeInfo> {
    const answer = asRecord(await this.#call('GET', '/v1/invoices?num_max_invoices=1&reversed=true', undefined, signal), 'ListInvoiceResponse');
    const newest = (Array.isArray(answer['invoices']) ? answer['invoices'] : [])[0];
    const bolt11 = newest === undefined ? '' : String(asRecord(newest, 'invoice')['payment_request'] ?? '');
    if (bolt11 === '') return { nodeKey: null, network: null };
    try {
      const decoded = decodeBolt11(bolt11);
      return { nodeKey: decoded.payeeNodeKey, network: decoded.network };
    } catch (error) {
      throw new LightningBackendError('protocol', `LND's newest invoice has an unreadable BOLT11: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    const body: Record<string, string> = { memo: request.description, expiry: String(request.expirySeconds) };
    if (request.amountMsat !== null) body['value_msat'] = request.amountMsat.toString();
    const answer = asRecord(await this.#call('POST', '/v1/invoices', body), 'AddInvoiceResponse');
    return { bolt11: asString(answer['payment_request'], 'payment_request'), paymentHash: hashFromBase64(answer['r_hash']) };
  }

  async lookupInvoice(paymentHash: string): Promise<BackendInvoice | null> {
    if (!/^[0-9a-f]{64}$/.test(paymentHash)) throw new LightningBackendError('rejected', 'payment hash must be 64 hex characters');
    try {
      return lndInvoice(await this.#call('GET', `/v1/invoice/${paymentHash}`));
    } catch (error) {
      if (error instanceof LightningBackendError && error.kind === 'rejected' && /unable to locate|not found/i.test(error.message)) return null;
      throw error;
    }
  }

  poller(onBadInput: BadInputReporter): SettlementPoller {
    return new LndPoller((path, signal) => this.#call('GET', path, undefined, signal), onBadInput);
  }

  async subscribeSettled(afterSettleIndex: number, onSettled: (invoice: BackendInvoice) => void, signal: AbortSignal, onBadInput: BadInputReporter): Promise<void> {
    // settle_index replays every settlement after it first, then streams new ones: the catch-up
    // after a dropped stream. add_index stays 0 so LND sends no replay of added invoices.
    await this.#client.stream(`/v1/invoices/subscribe?settle_index=${afterSettleIndex}`, (line) => {
      let message: Record<string, unknown>;
      let invoice: ReturnType<typeof lndInvoice>;
      try {
        message = asRecord(JSON.parse(line), 'stream message');
        if (message['error'] !== undefined) throw new LightningBackendError('rejected', `stream error: ${JSON.stringify(message['error'])}`);
        invoice = lndInvoice(message['result']);
      } catch (error) {
        if (error instanceof LightningBackendError && error.kind === 'rejected') throw error;
        // One unreadable line is skipped, not fatal: reconnecting would replay it forever. The
        // watermark stays below it; the poll sees the same invoice (and reports it too).
        onBadInput('lnd stream', `${error instanceof Error ? error.message : String(error)}: ${line.slice(0, 200)}`);
        return;
      }
      if (invoice.state === 'settled' && invoice.settleIndex !== null) onSettled(invoice);
    }, signal);
  }

  close(): void {
    this.#client.close();
  }

  async #call(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const answer = await this.#client.request(method, path, body, { signal });
    let parsed: unknown;
    try {
      parsed = answer.text === '' ? {} : JSON.parse(answer.text);
    } catch {
      if (answer.status === 429) throw new LightningBackendError('rate_limited', `LND ${path}: HTTP 429`, parseRetryAfter(answer.retryAfter, Date.now()));
      if (answer.status >= 500) throw new LightningBackendError('unreachable', `LND ${path} answered HTTP ${answer.status} (not JSON)`, parseRetryAfter(answer.retryAfter, Date.now()));
      throw new LightningBackendError('protocol', `LND ${path} answered HTTP ${answer.status} with non-JSON: ${answer.text.slice(0, 80)}`);
    }
    if (answer.status >= 200 && answer.status < 300) return parsed;
    const message = typeof parsed === 'object' && parsed !== null ? String((parsed as Record<string, unknown>)['message'] ?? '') : '';
    if (answer.status === 429) {
      throw new LightningBackendError('rate_limited', `LND ${path}: HTTP 429 ${message}`, parseRetryAfter(answer.retryAfter, Date.now()));
    }
    // A macaroon LND cannot verify and one lacking the call's permission ("permission denied", the
    // macaroon bakery's error) both come back as gRPC Unknown, HTTP 500 through the REST gateway.
    if (answer.status === 401 || answer.status === 403 || /macaroon|verification failed|permission denied|cannot determine data/i.test(message)) {
      throw new LightningBackendError('credentials', `LND refused the macaroon: ${message || `HTTP ${answer.status}`}`);
    }
    throw new LightningBackendError(answer.status >= 500 && answer.status !== 500 ? 'unreachable' : 'rejected', `LND ${path}: ${message || `HTTP ${answer.status}`}`);
  }
}

/** Where one sweep over ListInvoices stands. */
interface Sweep {
  /** add_index the next page starts after. */
  offset: number;
  /** Highest add_index such that every invoice up to it is final (no open one seen before it). */
  floor: number;
  held: boolean;
  /** Highest settle_index seen in this sweep. */
  maxSeen: number;
}

/** The LND polling fallback: a bounded, resumable sweep by add_index (see the file comment). */
class LndPoller implements SettlementPoller {
  readonly #get: (path: string, signal?: AbortSignal) => Promise<unknown>;
  readonly #onBadInput: BadInputReporter;
  readonly #pageSize = new AdaptiveSize({ initial: LightningLimits.listPageSize, min: LightningLimits.listPageSizeMin, max: LightningLimits.listPageSize });
  #sweep: Sweep | null = null;
  /** Highest settle_index seen by the last complete sweep (all settled before the next began). */
  #lastSweepMax = 0;

  constructor(get: (path: string, signal?: AbortSignal) => Promise<unknown>, onBadInput: BadInputReporter) {
    this.#get = get;
    this.#onBadInput = onBadInput;
  }

  async next(cursor: SettleCursor, signal?: AbortSignal): Promise<SettledPage> {
    // scanFrom only moves when a sweep finishes, so a sweep in progress started from the current one.
    const sweep = this.#sweep ?? { offset: cursor.scanFrom, floor: cursor.scanFrom, held: false, maxSeen: cursor.settleIndex };
    this.#sweep = sweep;
    const found: BackendInvoice[] = [];
    for (let page = 0; page < LightningLimits.listPagesPerPoll; page += 1) {
      const { invoices, last, full } = await withAdaptiveSize(this.#pageSize, (n) => this.#page(sweep.offset, n, signal), classify);
      for (const invoice of invoices) {
        if (invoice === null) {
          sweep.held = true; // an unreadable invoice may be an open one: never count it final
          continue;
        }
        if (invoice.state === 'settled' && invoice.settleIndex !== null) {
          sweep.maxSeen = Math.max(sweep.maxSeen, invoice.settleIndex);
          if (invoice.settleIndex > cursor.settleIndex) found.push(invoice);
        }
        if (invoice.state === 'open') sweep.held = true;
        if (!sweep.held) sweep.floor = Math.max(sweep.floor, invoice.addIndex);
      }
      if (last > sweep.offset) sweep.offset = last;
      if (!full || last === 0) return this.#finish(sweep, found);
    }
    found.sort((a, b) => (a.settleIndex ?? 0) - (b.settleIndex ?? 0));
    return { settled: found, scanFrom: cursor.scanFrom, more: true, confirmedThrough: 0 };
  }

  #finish(sweep: Sweep, found: BackendInvoice[]): SettledPage {
    const confirmedThrough = this.#lastSweepMax;
    this.#lastSweepMax = sweep.maxSeen;
    this.#sweep = null;
    found.sort((a, b) => (a.settleIndex ?? 0) - (b.settleIndex ?? 0));
    return { settled: found, scanFrom: sweep.floor, more: false, confirmedThrough };
  }

  /** One ListInvoices page; an invoice that does not parse is reported and returned as null. */
  async #page(offset: number, size: number, signal?: AbortSignal): Promise<{ invoices: Array<ReturnType<typeof lndInvoice> | null>; last: number; full: boolean }> {
    const query = `index_offset=${offset}&num_max_invoices=${size}&reversed=false`;
    const answer = asRecord(await this.#get(`/v1/invoices?${query}`, signal), 'ListInvoiceResponse');
    const raw = Array.isArray(answer['invoices']) ? answer['invoices'] : [];
    const invoices = raw.map((item) => {
      try {
        return lndInvoice(item);
      } catch (error) {
        const addIndex = typeof item === 'object' && item !== null ? String((item as Record<string, unknown>)['add_index'] ?? '?') : '?';
        this.#onBadInput('lnd poll', `invoice add_index ${addIndex}: ${error instanceof Error ? error.message : String(error)}`);
        return null;
      }
    });
    return { invoices, last: parseIndex(answer['last_index_offset'], 'last_index_offset'), full: raw.length >= size };
  }
}

function classify(error: unknown): RemoteFailureKind | null {
  if (!(error instanceof LightningBackendError)) return null;
  if (error.kind === 'too_large') return RemoteFailureKind.tooLarge;
  if (error.kind === 'rate_limited') return RemoteFailureKind.rateLimited;
  return null;
}
