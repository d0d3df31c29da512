// LND REST backend. Shapes follow LND's REST gateway: bytes fields are base64 (r_hash), int64
// fields are JSON strings (value_msat, amt_paid_msat, add_index, settle_index), the macaroon goes
// in the `Grpc-Metadata-macaroon` header as hex, and gRPC errors come back as HTTP 4xx/5xx with
// `{code, message}`. Streams (`/v1/invoices/subscribe`) are newline-delimited `{"result": Invoice}`.
//
// Settlements are followed by settle_index: SubscribeInvoices {settle_index: n} first replays
// every settlement with a settle_index greater than n, then streams new ones (lnrpc/lightning.proto
// InvoiceSubscription), so the stream resumes from the watcher's cursor. The poll is the fallback
// when the stream is down: ListInvoices pages by add_index only (index_offset, num_max_invoices,
// reversed=false; the answer's last_index_offset is the add_index where the next page starts;
// pending_only keeps invoices neither settled nor canceled — channeldb/invoices.go, sql_store.go),
// so the poller (LndPoller below) sweeps: invoices new since the last sweep, then Coffer's own
// open invoices by hash (LookupInvoice, GET /v1/invoice/{r_hash_str}), or — when more than
// LightningLimits.lookupsPerSweepMax of them are open — every open invoice of the node
// (pending_only pages) and a look-up of those that left the open set; a bounded number of
// requests per call, continuing where it stopped on the next call. LND orders by settle_index
// only in SubscribeInvoices, so the poll cannot ask "settled since n". A sweep may see settle_index 9 before 8 (8's invoice settled
// after its page was read), so it never claims more than `confirmedThrough`: the highest
// settle_index seen by the previous complete sweep, all of which settled before this sweep began
// and so were read by it.
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
import { LightningLimits } from './limits.ts';
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

/** Maps one LND Invoice object to Coffer's view (expiresAtSec: creation_date + expiry; 0 when not given). */
export function lndInvoice(raw: unknown): BackendInvoice & { readonly addIndex: number; readonly expiresAtSec: number } {
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
    expiresAtSec: invoice['creation_date'] === undefined ? 0 : parseIndex(invoice['creation_date'], 'creation_date') + parseIndex(invoice['expiry'], 'expiry'),
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

  poller(onBadInput: BadInputReporter, watched: () => Promise<(paymentHash: string) => boolean>): SettlementPoller {
    return new LndPoller((path, signal) => this.#call('GET', path, undefined, signal), (hash) => this.lookupInvoice(hash), onBadInput, watched);
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

type ParsedInvoice = ReturnType<typeof lndInvoice>;
interface Page { readonly invoices: Array<ParsedInvoice | null>; readonly last: number; readonly full: boolean }

/**
 * The LND polling fallback (see the file comment). One sweep has up to three phases, each paged
 * and resumable across calls (at most `requestsPerPoll` request slots per call):
 *  1. new: every invoice added since the last sweep (add_index > end), forward;
 *  2. pending (when reading the node's open invoices takes no more requests than looking up
 *     Coffer's, or more than `lookupsPerSweepMax` of Coffer's are open): the open invoices
 *     (pending_only) at or below `end`;
 *  3. lookup: each of Coffer's invoices known open (or, after phase 2, each invoice known open
 *     before but no longer pending) is looked up by hash, `lookupsConcurrent` per slot.
 * So a sweep costs the new invoices plus a look-up per open Coffer invoice, not the node's other
 * open invoices nor its settled history. Another application's open invoices are kept (they may
 * turn out to be Coffer's: the target list is read again each call) until they expire. The
 * `scanFrom` it reports is just below the oldest invoice still open.
 *
 * Why nothing is skipped with lookups: a Coffer invoice that settled with a settle_index at or
 * below the previous complete sweep's highest settled before this sweep began, so it was already
 * added then: it is new to this sweep (phase 1) or known open and Coffer's (its target was stored
 * before it was handed out) — looked up in phase 3.
 */
class LndPoller implements SettlementPoller {
  readonly #get: (path: string, signal?: AbortSignal) => Promise<unknown>;
  readonly #lookup: (paymentHash: string) => Promise<BackendInvoice | null>;
  readonly #onBadInput: BadInputReporter;
  readonly #pageSize = new AdaptiveSize({ initial: LightningLimits.listPageSize, min: LightningLimits.listPageSizeMin, max: LightningLimits.listPageSize });
  /** Invoices last seen open, add_index → payment hash and expiry, all at or below `#end`. */
  readonly #open = new Map<number, { readonly hash: string; readonly expiresAtSec: number }>();
  readonly #watched: () => Promise<(paymentHash: string) => boolean>;
  /** Highest add_index read; null until the first call (then the cursor's scanFrom). */
  #end: number | null = null;
  #phase: 'new' | 'pending' | 'lookup' = 'new';
  #sweeping = false;
  #pendingOffset = 0;
  readonly #stillOpen = new Set<number>();
  #toLookUp: Array<[number, string]> = [];
  /** Highest settle_index seen in this sweep, and in the last complete one. */
  #maxSeen = 0;
  #lastSweepMax = 0;
  /** Settlements found but not yet returned: a call that fails half-way keeps them for the next. */
  #found: BackendInvoice[] = [];

  constructor(
    get: (path: string, signal?: AbortSignal) => Promise<unknown>, lookup: (paymentHash: string) => Promise<BackendInvoice | null>,
    onBadInput: BadInputReporter, watched: () => Promise<(paymentHash: string) => boolean>,
  ) {
    this.#watched = watched;
    this.#get = get;
    this.#lookup = lookup;
    this.#onBadInput = onBadInput;
  }

  async next(cursor: SettleCursor, signal?: AbortSignal): Promise<SettledPage> {
    this.#end ??= cursor.scanFrom;
    if (!this.#sweeping) {
      this.#sweeping = true;
      this.#maxSeen = cursor.settleIndex;
    }
    const note = (invoice: BackendInvoice): void => {
      if (invoice.state !== 'settled' || invoice.settleIndex === null) return;
      this.#maxSeen = Math.max(this.#maxSeen, invoice.settleIndex);
      if (invoice.settleIndex > cursor.settleIndex) this.#found.push(invoice);
    };
    for (let requests = 0; requests < LightningLimits.requestsPerPoll; requests += 1) {
      if (this.#phase === 'new') {
        const end = this.#end;
        const page = await this.#page(end, false, signal);
        for (const invoice of page.invoices) {
          if (invoice === null) continue;
          note(invoice);
          if (invoice.state === 'open') this.#open.set(invoice.addIndex, { hash: invoice.paymentHash, expiresAtSec: invoice.expiresAtSec });
        }
        this.#end = Math.max(end, page.last);
        if (!page.full) await this.#afterNew(cursor.scanFrom);
      } else if (this.#phase === 'pending') {
        const page = await this.#page(this.#pendingOffset, true, signal);
        for (const invoice of page.invoices) if (invoice !== null && invoice.addIndex <= this.#end) this.#stillOpen.add(invoice.addIndex);
        this.#pendingOffset = Math.max(this.#pendingOffset, page.last);
        if (!page.full) this.#enterLookup();
      } else {
        const batch = this.#toLookUp.splice(-LightningLimits.lookupsConcurrent);
        if (batch.length === 0) return this.#finish(this.#takeFound());
        await this.#lookUpBatch(batch, note);
      }
    }
    return { settled: this.#takeFound(), scanFrom: cursor.scanFrom, more: true, confirmedThrough: 0 };
  }

  /** Looks up a batch at once; what could not be looked at is kept for the next call, then the first failure is thrown. */
  async #lookUpBatch(batch: Array<[number, string]>, note: (invoice: BackendInvoice) => void): Promise<void> {
    const answers = await Promise.allSettled(batch.map(([, hash]) => this.#lookup(hash)));
    let failure: unknown = null;
    for (const [i, answer] of answers.entries()) {
      const [addIndex, hash] = batch[i] as [number, string];
      if (answer.status === 'fulfilled') {
        if (answer.value !== null) note(answer.value);
        if (answer.value === null || answer.value.state !== 'open') this.#open.delete(addIndex);
      } else if (answer.reason instanceof LightningBackendError && answer.reason.kind === 'protocol') {
        // Unreadable: it can never be credited; report it and stop tracking it.
        this.#onBadInput('lnd poll', `invoice ${hash}: ${answer.reason.message}`);
        this.#open.delete(addIndex);
      } else {
        // Not looked at yet: the sweep must not finish (and confirm) without it.
        this.#toLookUp.push([addIndex, hash]);
        failure ??= answer.reason;
      }
    }
    if (failure !== null) throw failure;
  }

  /**
   * After the new invoices: look up Coffer's open ones, or, with too many of them, read the
   * node's open invoices first. Another application's invoices past their expiry (with the
   * clock-skew allowance) can no longer settle and are forgotten.
   */
  async #afterNew(scanFrom: number): Promise<void> {
    const isWatched = await this.#watched();
    const nowSec = Math.floor(Date.now() / 1000);
    const watched: Array<[number, string]> = [];
    for (const [addIndex, open] of this.#open) {
      if (isWatched(open.hash)) watched.push([addIndex, open.hash]);
      else if (open.expiresAtSec > 0 && open.expiresAtSec + LightningLimits.expirySkewSecondsMax < nowSec) this.#open.delete(addIndex);
    }
    // The cheaper way round: the node's open invoices in pages, or Coffer's open ones in batches
    // of look-ups (a few open invoices: one page; 10,000 open, 30 of them Coffer's: two batches).
    const pages = Math.ceil(this.#open.size / this.#pageSize.value);
    const batches = Math.ceil(watched.length / LightningLimits.lookupsConcurrent);
    if (watched.length > LightningLimits.lookupsPerSweepMax || pages <= batches) {
      this.#enterPending(scanFrom);
      return;
    }
    this.#phase = 'lookup';
    this.#toLookUp = watched;
  }

  #takeFound(): BackendInvoice[] {
    const found = sorted(this.#found);
    this.#found = [];
    return found;
  }

  #enterPending(scanFrom: number): void {
    this.#phase = 'pending';
    this.#pendingOffset = scanFrom;
    this.#stillOpen.clear();
  }

  #enterLookup(): void {
    this.#phase = 'lookup';
    this.#toLookUp = [...this.#open].filter(([addIndex]) => !this.#stillOpen.has(addIndex)).map(([addIndex, open]) => [addIndex, open.hash]);
    this.#stillOpen.clear();
  }

  #finish(found: BackendInvoice[]): SettledPage {
    const confirmedThrough = this.#lastSweepMax;
    this.#lastSweepMax = this.#maxSeen;
    this.#phase = 'new';
    this.#sweeping = false;
    let oldestOpen = Number.MAX_SAFE_INTEGER;
    for (const addIndex of this.#open.keys()) oldestOpen = Math.min(oldestOpen, addIndex);
    const scanFrom = this.#open.size === 0 ? this.#end ?? 0 : oldestOpen - 1;
    return { settled: found, scanFrom, more: false, confirmedThrough };
  }

  /** One ListInvoices page (split when too large); an invoice that does not parse is reported and returned as null. */
  #page(offset: number, pendingOnly: boolean, signal?: AbortSignal): Promise<Page> {
    return withAdaptiveSize(this.#pageSize, async (size) => {
      const query = `index_offset=${offset}&num_max_invoices=${size}&reversed=false${pendingOnly ? '&pending_only=true' : ''}`;
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
      // An empty answer carries no last_index_offset: stay where we are.
      return { invoices, last: parseIndex(answer['last_index_offset'], 'last_index_offset'), full: raw.length >= size };
    }, classify);
  }
}

function sorted(found: BackendInvoice[]): BackendInvoice[] {
  return found.sort((a, b) => (a.settleIndex ?? 0) - (b.settleIndex ?? 0));
}

function classify(error: unknown): RemoteFailureKind | null {
  if (!(error instanceof LightningBackendError)) return null;
  if (error.kind === 'too_large') return RemoteFailureKind.tooLarge;
  if (error.kind === 'timeout') return RemoteFailureKind.timeout;
  if (error.kind === 'rate_limited') return RemoteFailureKind.rateLimited;
  return null;
}
