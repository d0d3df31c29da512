// LND REST backend. Shapes follow LND's REST gateway: bytes fields are base64 (r_hash), int64
// fields are JSON strings (value_msat, amt_paid_msat, add_index, settle_index), the macaroon goes
// in the `Grpc-Metadata-macaroon` header as hex, and gRPC errors come back as HTTP 4xx/5xx with
// `{code, message}`. Streams (`/v1/invoices/subscribe`) are newline-delimited `{"result": Invoice}`.
//
// Polling: ListInvoices pages by add_index only, so a poll scans forward from the cursor's
// scanFrom, the add_index below which every invoice is final (settled or canceled), and keeps
// those settled after cursor.settleIndex. Open invoices hold scanFrom back until they settle or
// LND cancels them at expiry, so the scan stays short.

import type { Bolt11Network } from './bolt11.ts';
import {
  LightningBackendError, asRecord, asString, parseIndex, parseUnsigned,
  type BackendInvoice, type CreateInvoiceRequest, type CreatedInvoice, type LightningBackend,
  type NodeInfo, type SettleCursor, type SettledPage,
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

  async getInfo(signal?: AbortSignal): Promise<NodeInfo> {
    const info = asRecord(await this.#call('GET', '/v1/getinfo', undefined, signal), 'getinfo');
    const nodeKey = asString(info['identity_pubkey'], 'identity_pubkey').toLowerCase();
    const chains = Array.isArray(info['chains']) ? info['chains'] : [];
    const chain = chains.length > 0 ? asRecord(chains[0], 'chains[0]') : {};
    const network = LND_NETWORKS[String(chain['network'] ?? '')];
    if (network === undefined) throw new LightningBackendError('protocol', `LND reports unknown network ${String(chain['network'])}`);
    return { nodeKey, network, alias: String(info['alias'] ?? ''), blockHeight: parseIndex(info['block_height'], 'block_height') };
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

  async settledSince(cursor: SettleCursor, signal?: AbortSignal): Promise<SettledPage> {
    const found: Array<BackendInvoice & { addIndex: number }> = [];
    let scanFrom = cursor.scanFrom;
    let held = false;
    let offset = cursor.scanFrom;
    let more = false;
    for (let page = 0; page < LightningLimits.listPagesPerPoll; page += 1) {
      const query = `index_offset=${offset}&num_max_invoices=${LightningLimits.listPageSize}&reversed=false`;
      const answer = asRecord(await this.#call('GET', `/v1/invoices?${query}`, undefined, signal), 'ListInvoiceResponse');
      const invoices = (Array.isArray(answer['invoices']) ? answer['invoices'] : []).map(lndInvoice);
      for (const invoice of invoices) {
        if (invoice.state === 'settled' && (invoice.settleIndex ?? 0) > cursor.settleIndex) found.push(invoice);
        if (invoice.state === 'open') held = true;
        if (!held) scanFrom = Math.max(scanFrom, invoice.addIndex);
      }
      const last = parseIndex(answer['last_index_offset'], 'last_index_offset');
      more = invoices.length >= LightningLimits.listPageSize && last > offset;
      if (!more) break;
      offset = last;
    }
    found.sort((a, b) => (a.settleIndex ?? 0) - (b.settleIndex ?? 0));
    return { settled: found, scanFrom, more };
  }

  async subscribeSettled(afterSettleIndex: number, onSettled: (invoice: BackendInvoice) => void, signal: AbortSignal): Promise<void> {
    // settle_index replays every settlement after it first, then streams new ones: the catch-up
    // after a dropped stream. add_index stays 0 so LND sends no replay of added invoices.
    await this.#client.stream(`/v1/invoices/subscribe?settle_index=${afterSettleIndex}`, (line) => {
      const message = asRecord(JSON.parse(line), 'stream message');
      if (message['error'] !== undefined) throw new LightningBackendError('rejected', `stream error: ${JSON.stringify(message['error'])}`);
      const invoice = lndInvoice(message['result']);
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
      throw new LightningBackendError('protocol', `LND ${path} answered HTTP ${answer.status} with non-JSON`);
    }
    if (answer.status >= 200 && answer.status < 300) return parsed;
    const message = typeof parsed === 'object' && parsed !== null ? String((parsed as Record<string, unknown>)['message'] ?? '') : '';
    if (answer.status === 401 || answer.status === 403 || /macaroon|verification failed|permission denied|cannot determine data/i.test(message)) {
      throw new LightningBackendError('credentials', `LND refused the macaroon: ${message || `HTTP ${answer.status}`}`);
    }
    throw new LightningBackendError(answer.status >= 500 && answer.status !== 500 ? 'unreachable' : 'rejected', `LND ${path}: ${message || `HTTP ${answer.status}`}`);
  }
}
