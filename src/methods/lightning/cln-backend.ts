// Core Lightning REST (clnrest) backend. Every RPC is `POST /v1/<method>` with JSON params and the
// `Rune` header; success is HTTP 201 with the RPC result, failure 401/403 (rune) or 500 with the
// RPC error `{code, message}`. Settlement order is `pay_index`: `waitanyinvoice {lastpay_index}`
// returns the next invoice paid after it, so the cursor is simply the last pay_index applied.
// Polling calls it with timeout 0 (returns at once, error 904 when nothing newer is paid); the
// "stream" long-polls it with a timeout.

import { parseRetryAfter } from '../request-policy.ts';
import type { Bolt11Network } from './bolt11.ts';
import {
  LightningBackendError, asRecord, asString, parseIndex, parseUnsigned,
  type BackendInvoice, type BadInputReporter, type CreateInvoiceRequest, type CreatedInvoice, type LightningBackend,
  type NodeInfo, type SettleCursor, type SettledPage, type SettlementPoller,
} from './lightning-backend.ts';
import { LightningLimits } from './limits.ts';
import { RestClient } from './rest-client.ts';

export interface ClnBackendOptions {
  readonly restUrl: string;
  readonly rune: string;
  readonly tlsCertPem?: string;
  readonly timeoutMs: number;
}

const CLN_NETWORKS: Readonly<Record<string, Bolt11Network>> = { bitcoin: 'bc', testnet: 'tb', testnet4: 'tb', signet: 'tbs', regtest: 'bcrt' };
/** waitanyinvoice's "timed out" RPC error code. */
const CLN_TIMED_OUT = 904;

/** A paid invoice Coffer could not read: its pay_index is passed over (reported, never credited). */
interface Unreadable {
  readonly skipIndex: number;
}

class ClnRpcError extends LightningBackendError {
  readonly code: number | null;
  constructor(code: number | null, message: string) {
    super('rejected', message);
    this.code = code;
  }
}

/**
 * CLN writes msat amounts as bare JSON integers, which JSON.parse would round above 2^53. Quote
 * them first so they parse exactly (a `"x_msat":` inside a string value is escaped as `\"`).
 */
export function parseClnJson(text: string): unknown {
  return JSON.parse(text.replace(/(?<!\\)"(\w+_msat)"(\s*):(\s*)(\d+)/g, '"$1"$2:$3"$4"'));
}

/** Reads a CLN msat value: integer (quoted by parseClnJson) or the older "123msat" string. */
function msat(value: unknown, field: string): bigint {
  if (typeof value === 'string' && value.endsWith('msat')) return parseUnsigned(value.slice(0, -4), field);
  return parseUnsigned(value, field);
}

/** Maps one CLN invoice (listinvoices / waitanyinvoice entry) to Coffer's view. */
export function clnInvoice(raw: unknown): BackendInvoice {
  const invoice = asRecord(raw, 'invoice');
  const status = invoice['status'];
  const paid = status === 'paid';
  const hash = asString(invoice['payment_hash'], 'payment_hash').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new LightningBackendError('protocol', 'payment_hash is not 32 bytes of hex');
  const paidAt = parseIndex(invoice['paid_at'], 'paid_at');
  return {
    paymentHash: hash,
    bolt11: asString(invoice['bolt11'] ?? '', 'bolt11'),
    state: paid ? 'settled' : status === 'expired' ? 'canceled' : 'open',
    amountMsat: invoice['amount_msat'] === undefined ? null : msat(invoice['amount_msat'], 'amount_msat'),
    receivedMsat: paid ? msat(invoice['amount_received_msat'], 'amount_received_msat') : 0n,
    settleIndex: paid ? parseIndex(invoice['pay_index'], 'pay_index') : null,
    ...(paid && paidAt > 0 ? { settledAt: paidAt } : {}),
  };
}

export class ClnBackend implements LightningBackend {
  readonly kind = 'cln';
  readonly #client: RestClient;

  constructor(options: ClnBackendOptions) {
    this.#client = new RestClient({
      baseUrl: options.restUrl, timeoutMs: options.timeoutMs, headers: { Rune: options.rune },
      ...(options.tlsCertPem !== undefined ? { caPem: options.tlsCertPem } : {}),
    });
  }

  async getInfo(signal?: AbortSignal): Promise<NodeInfo> {
    const info = asRecord(await this.#rpc('getinfo', {}, signal), 'getinfo');
    const network = CLN_NETWORKS[String(info['network'] ?? '')];
    if (network === undefined) throw new LightningBackendError('protocol', `CLN reports unknown network ${String(info['network'])}`);
    return { nodeKey: asString(info['id'], 'id').toLowerCase(), network, alias: String(info['alias'] ?? ''), blockHeight: parseIndex(info['blockheight'], 'blockheight') };
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    const params = {
      // A string keeps the amount exact in JSON; CLN accepts "<n>msat" and "any".
      amount_msat: request.amountMsat === null ? 'any' : `${request.amountMsat}msat`,
      label: request.label, description: request.description, expiry: request.expirySeconds,
    };
    const answer = asRecord(await this.#rpc('invoice', params), 'invoice');
    return { bolt11: asString(answer['bolt11'], 'bolt11'), paymentHash: asString(answer['payment_hash'], 'payment_hash').toLowerCase() };
  }

  async lookupInvoice(paymentHash: string): Promise<BackendInvoice | null> {
    if (!/^[0-9a-f]{64}$/.test(paymentHash)) throw new LightningBackendError('rejected', 'payment hash must be 64 hex characters');
    const answer = asRecord(await this.#rpc('listinvoices', { payment_hash: paymentHash }), 'listinvoices');
    const invoices = Array.isArray(answer['invoices']) ? answer['invoices'] : [];
    return invoices.length === 0 ? null : clnInvoice(invoices[0]);
  }

  // waitanyinvoice already hands out only what changed: `isWatched` is not needed here.
  poller(onBadInput: BadInputReporter): SettlementPoller {
    return {
      next: async (cursor: SettleCursor, signal?: AbortSignal): Promise<SettledPage> => {
        let last = cursor.settleIndex;
        const settled: BackendInvoice[] = [];
        while (settled.length < LightningLimits.settledPerPoll) {
          const next = await this.#waitAny(last, 0, onBadInput, 'cln poll', signal);
          // waitanyinvoice hands out every paid invoice after `last` in pay_index order, gaps
          // included, so everything up to the last one returned has been seen.
          if (next === null) return { settled, scanFrom: 0, more: false, confirmedThrough: last };
          if ('skipIndex' in next) last = next.skipIndex;
          else {
            last = next.settleIndex ?? last;
            settled.push(next);
          }
        }
        return { settled, scanFrom: 0, more: true, confirmedThrough: last };
      },
    };
  }

  async subscribeSettled(afterSettleIndex: number, onSettled: (invoice: BackendInvoice) => void, signal: AbortSignal, onBadInput: BadInputReporter): Promise<void> {
    let last = afterSettleIndex;
    while (!signal.aborted) {
      let next: BackendInvoice | Unreadable | null;
      try {
        next = await this.#waitAny(last, LightningLimits.longPollSeconds, onBadInput, 'cln stream', signal);
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      if (next === null) continue;
      if ('skipIndex' in next) {
        last = next.skipIndex;
        continue;
      }
      last = next.settleIndex ?? last;
      onSettled(next);
    }
  }

  close(): void {
    this.#client.close();
  }

  /**
   * The next invoice paid after `lastpayIndex`, or null when none arrived within `timeoutSeconds`.
   * An answer that does not read as a newly paid invoice is reported; if its pay_index is still
   * readable it is passed over (so one bad record cannot stall every later payment), else it fails.
   */
  async #waitAny(lastpayIndex: number, timeoutSeconds: number, onBadInput: BadInputReporter, source: string, signal?: AbortSignal): Promise<BackendInvoice | Unreadable | null> {
    let raw: unknown;
    try {
      raw = await this.#rpc('waitanyinvoice', { lastpay_index: lastpayIndex, timeout: timeoutSeconds }, signal, timeoutSeconds);
    } catch (error) {
      if (error instanceof ClnRpcError && error.code === CLN_TIMED_OUT) return null;
      throw error;
    }
    try {
      const invoice = clnInvoice(raw);
      if (invoice.state !== 'settled' || invoice.settleIndex === null || invoice.settleIndex <= lastpayIndex) {
        throw new LightningBackendError('protocol', 'waitanyinvoice returned an invoice that is not newly paid');
      }
      return invoice;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
      const payIndex = typeof record['pay_index'] === 'number' ? record['pay_index'] : 0;
      onBadInput(source, `waitanyinvoice after pay_index ${lastpayIndex}: ${reason}`);
      if (Number.isSafeInteger(payIndex) && payIndex > lastpayIndex) return { skipIndex: payIndex };
      throw error;
    }
  }

  async #rpc(method: string, params: object, signal?: AbortSignal, waitSeconds = 0): Promise<unknown> {
    // A long poll may legitimately take waitSeconds; the usual timeout applies on top of it.
    const timeoutMs = waitSeconds > 0 ? waitSeconds * 1000 + LightningLimits.requestTimeoutMsDefault : undefined;
    const answer = await this.#client.request('POST', `/v1/${method}`, params, { signal, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    const retryAfterMs = parseRetryAfter(answer.retryAfter, Date.now());
    if (answer.status === 429) throw new LightningBackendError('rate_limited', `CLN ${method}: HTTP 429`, retryAfterMs);
    let parsed: unknown;
    try {
      parsed = answer.text === '' ? {} : parseClnJson(answer.text);
    } catch {
      if (answer.status > 500) throw new LightningBackendError('unreachable', `CLN ${method} answered HTTP ${answer.status} (not JSON)`, retryAfterMs);
      throw new LightningBackendError('protocol', `CLN ${method} answered HTTP ${answer.status} with non-JSON: ${answer.text.slice(0, 80)}`);
    }
    if (answer.status >= 200 && answer.status < 300) return parsed;
    const body = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    const message = String(body['message'] ?? `HTTP ${answer.status}`);
    if (answer.status === 401 || answer.status === 403) throw new LightningBackendError('credentials', `CLN refused the rune: ${message}`);
    if (answer.status > 500) throw new LightningBackendError('unreachable', `CLN ${method}: ${message}`, retryAfterMs);
    const code = typeof body['code'] === 'number' ? body['code'] : null;
    throw new ClnRpcError(code, `CLN ${method}: ${message}`);
  }
}
