// The one small interface both lightning node backends (LND REST, Core Lightning REST) implement.
// The adapter and watcher only ever speak to this; node-specific shapes stay in lnd-backend.ts and
// cln-backend.ts. Amounts are millisatoshi bigints; payment hashes lowercase hex.

import type { Bolt11Network } from './bolt11.ts';

export interface NodeInfo {
  /** Compressed secp256k1 node key, hex; null when the credentials cannot read it (LND invoice.macaroon, no invoice yet). */
  readonly nodeKey: string | null;
  /** null when the credentials cannot read it; every created BOLT11 is still checked. */
  readonly network: Bolt11Network | null;
  readonly alias?: string;
  readonly blockHeight?: number;
}

export interface CreateInvoiceRequest {
  /** Millisatoshi, or null for an amountless invoice. */
  readonly amountMsat: bigint | null;
  readonly expirySeconds: number;
  readonly description: string;
  /** Unique per invoice on the node (CLN requires a label; LND ignores it). */
  readonly label: string;
}

export interface CreatedInvoice {
  readonly bolt11: string;
  readonly paymentHash: string;
}

export const InvoiceStates = ['open', 'settled', 'canceled'] as const;
export type InvoiceState = (typeof InvoiceStates)[number];

export interface BackendInvoice {
  readonly paymentHash: string;
  readonly bolt11: string;
  readonly state: InvoiceState;
  readonly amountMsat: bigint | null;
  /** What was actually paid (0 until settled); may exceed amountMsat, never less for a settled fixed invoice. */
  readonly receivedMsat: bigint;
  /** LND settle_index / CLN pay_index; null until settled. */
  readonly settleIndex: number | null;
  /** Unix seconds the invoice settled, when known. */
  readonly settledAt?: number;
}

/**
 * Where settlement reading stands. `settleIndex` is a watermark: every settlement the node lists
 * with an index at or below it has been applied (LND settle_index, CLN pay_index: both count
 * settlements 1, 2, 3... in order, but LND may leave gaps, e.g. AMP payments settle sub-sets
 * without a settled top-level invoice). `scanFrom` is a backend hint for polling (LND: the
 * add_index at or below which every invoice is final and applied); 0 when unused. Both only grow.
 */
export interface SettleCursor {
  readonly settleIndex: number;
  readonly scanFrom: number;
}

export interface SettledPage {
  /** Settled invoices with settleIndex > cursor.settleIndex, in settlement order. */
  readonly settled: readonly BackendInvoice[];
  /** New scan hint, valid once all of `settled` is applied. */
  readonly scanFrom: number;
  /** True when the read was cut at a bound and continues on the next call (after a pause). */
  readonly more: boolean;
  /**
   * Every settlement the node lists with an index at or below this has now been returned, by this
   * call or an earlier one (0: no such promise yet). Lets the watermark step over gaps.
   */
  readonly confirmedThrough: number;
}

/** Reads settlements by polling. Stateful (a sweep may span calls): one per watcher. */
export interface SettlementPoller {
  next(cursor: SettleCursor, signal?: AbortSignal): Promise<SettledPage>;
}

/** Where a node answer that Coffer refused came from, for the log (never credited). */
export type BadInputReporter = (source: string, reason: string) => void;

export interface LightningBackend {
  readonly kind: 'lnd' | 'cln';
  getInfo(signal?: AbortSignal): Promise<NodeInfo>;
  createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice>;
  /** null when the node does not know the payment hash. */
  lookupInvoice(paymentHash: string): Promise<BackendInvoice | null>;
  /**
   * A settlement poller for one watcher; unreadable invoices are reported and skipped.
   * `watched()` gives, as of now, whether an invoice is one of Coffer's (its target was stored
   * before the invoice was handed out): a poller may follow only those closely.
   */
  poller(onBadInput: BadInputReporter, watched: () => Promise<(paymentHash: string) => boolean>): SettlementPoller;
  /**
   * Streams settlements with settleIndex > `afterSettleIndex` in settlement order until `signal`
   * aborts (resolves) or the stream fails or ends (the caller reconnects). May repeat one.
   * An unreadable item is reported and skipped, not fatal.
   */
  subscribeSettled(afterSettleIndex: number, onSettled: (invoice: BackendInvoice) => void, signal: AbortSignal, onBadInput: BadInputReporter): Promise<void>;
  close(): void;
}

export const BackendErrorKinds = ['unreachable', 'credentials', 'protocol', 'rejected', 'rate_limited', 'too_large', 'tls', 'timeout'] as const;
export type BackendErrorKind = (typeof BackendErrorKinds)[number];

/**
 * A backend failure, by kind: `unreachable` (network, timeout), `credentials` (macaroon /
 * rune refused or lacking a permission), `protocol` (an answer Coffer cannot read), `rejected`
 * (the node refused the request), `rate_limited` (429; `retryAfterMs` when the node said),
 * `too_large` (the answer exceeded the response limit: ask for less), `timeout` (no
 * answer in time: a page is asked again smaller), `tls` (the node's
 * certificate does not chain to the pinned one, or names another host).
 */
export class LightningBackendError extends Error {
  override readonly name = 'LightningBackendError';
  readonly kind: BackendErrorKind;
  readonly retryAfterMs: number | null;
  constructor(kind: BackendErrorKind, message: string, retryAfterMs: number | null = null) {
    super(message);
    this.kind = kind;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Parses a non-negative integer amount or index given as a JSON string or number, exactly. */
export function parseUnsigned(value: unknown, field: string): bigint {
  if (typeof value === 'string' && /^\d{1,30}$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw new LightningBackendError('protocol', `${field} is not an unsigned integer`);
}

/** Like parseUnsigned, for indexes that fit a JS number (uint64 counters far below 2^53 in practice). */
export function parseIndex(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  const parsed = parseUnsigned(value, field);
  if (parsed > BigInt(Number.MAX_SAFE_INTEGER)) throw new LightningBackendError('protocol', `${field} is too large`);
  return Number(parsed);
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LightningBackendError('protocol', `${what} is not an object`);
  return value as Record<string, unknown>;
}

export function asString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new LightningBackendError('protocol', `${field} is not a string`);
  return value;
}
