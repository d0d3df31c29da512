// The one small interface both lightning node backends (LND REST, Core Lightning REST) implement.
// The adapter and watcher only ever speak to this; node-specific shapes stay in lnd-backend.ts and
// cln-backend.ts. Amounts are millisatoshi bigints; payment hashes lowercase hex.

import type { Bolt11Network } from './bolt11.ts';

export interface NodeInfo {
  /** Compressed secp256k1 node key, hex. */
  readonly nodeKey: string;
  readonly network: Bolt11Network;
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
 * Where settlement reading stands. `settleIndex` is the last settlement applied (LND settle_index,
 * CLN pay_index: both count settlements 1, 2, 3... in order). `scanFrom` is a backend hint for
 * polling (LND: the add_index below which every invoice is final); 0 when unused. Both only grow.
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
  /** True when the page was cut at a limit and more may follow at once. */
  readonly more: boolean;
}

export interface LightningBackend {
  readonly kind: 'lnd' | 'cln';
  getInfo(signal?: AbortSignal): Promise<NodeInfo>;
  createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice>;
  /** null when the node does not know the payment hash. */
  lookupInvoice(paymentHash: string): Promise<BackendInvoice | null>;
  /** Settled invoices after `cursor`, oldest settlement first; bounded per call. */
  settledSince(cursor: SettleCursor, signal?: AbortSignal): Promise<SettledPage>;
  /**
   * Streams settlements with settleIndex > `afterSettleIndex` in settlement order until `signal`
   * aborts (resolves) or the stream fails or ends (the caller reconnects). May repeat one.
   */
  subscribeSettled(afterSettleIndex: number, onSettled: (invoice: BackendInvoice) => void, signal: AbortSignal): Promise<void>;
  close(): void;
}

export const BackendErrorKinds = ['unreachable', 'credentials', 'protocol', 'rejected'] as const;
export type BackendErrorKind = (typeof BackendErrorKinds)[number];

/**
 * A backend failure, by kind: `unreachable` (network, timeout), `credentials` (macaroon / rune
 * refused), `protocol` (an answer Coffer cannot read), `rejected` (the node refused the request).
 */
export class LightningBackendError extends Error {
  override readonly name = 'LightningBackendError';
  readonly kind: BackendErrorKind;
  constructor(kind: BackendErrorKind, message: string) {
    super(message);
    this.kind = kind;
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
