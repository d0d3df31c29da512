// The deposit invoice and its payments as the domain sees them (amounts as bigint).

import type { BalanceCurrency, CryptoAsset } from './assets.ts';
import type { InvoiceConversion } from './conversion.ts';
import type { Decimal } from './money.ts';
import type { ObservationState } from './observation.ts';

export const InvoiceStatuses = [
  'unpaid', 'payment_detected', 'payment_confirmed', 'complete', 'expired', 'denied', 'payment_error',
] as const;
export type InvoiceStatus = (typeof InvoiceStatuses)[number];

export const PaymentStatuses = ['unpaid', 'processing', 'partially_paid', 'payment_confirmed', 'paid', 'overpaid'] as const;
/** The invoice-level `payment.status` (API.md). */
export type PaymentStatus = (typeof PaymentStatuses)[number];

export interface LockedRate {
  readonly value: Decimal;
  readonly sources: readonly string[];
  readonly at: Date;
}

export interface Invoice {
  readonly seq: number;
  readonly id: string;
  readonly accountId: string;
  readonly status: InvoiceStatus;
  readonly currency: BalanceCurrency;
  /** Requested amount in minor units of `currency`; null for a flexible invoice. */
  readonly amountMinor: bigint | null;
  readonly methodId: string;
  readonly asset: CryptoAsset;
  readonly unitScale: number;
  readonly pricePrecision: number;
  /** Quoted price in the method's base units; null for a flexible invoice. */
  readonly priceUnits: bigint | null;
  /** Rate locked at creation (fixed invoices); null for flexible ones. */
  readonly rate: LockedRate | null;
  /**
   * When `currency` is not the account's: the account currency credited instead and the rate
   * locked at creation (fixed and flexible invoices alike); null otherwise, and on invoices
   * created before conversions existed (those credit `currency`, as they did).
   */
  readonly conversion: InvoiceConversion | null;
  readonly targetKey: string;
  readonly address: string;
  readonly uri: string;
  readonly lightningInvoice: string | null;
  readonly network: string;
  readonly chainId: number | null;
  readonly contractAddress: string | null;
  readonly walletId: string | null;
  readonly derivationIndex: number | null;
  readonly confirmationsRequired: number;
  readonly receivedUnits: bigint;
  /** What has been credited, in `currency` (converted afterwards when `conversion` is set). */
  readonly creditedMinor: bigint;
  readonly webhookUrl: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly watchUntil: Date;
  readonly completedAt: Date | null;
  readonly updatedAt: Date;
}

/**
 * What settling an invoice reads and writes: its money, rate, status and times, not how it is
 * shown (no URI, address or BOLT11: the long columns a settlement never needs to read).
 */
export type SettlementInvoice = Pick<Invoice, 'id' | 'accountId' | 'status' | 'currency' | 'amountMinor' | 'methodId' | 'asset'
  | 'unitScale' | 'priceUnits' | 'rate' | 'conversion' | 'targetKey' | 'receivedUnits' | 'creditedMinor' | 'expiresAt' | 'completedAt' | 'updatedAt'>;

/** Which invoice a payment belongs to, and what a rate for it is quoted in (found before its transaction). */
export type InvoiceRef = Pick<Invoice, 'id' | 'currency' | 'asset'>;

export interface Payment {
  readonly seq: number;
  readonly id: string;
  readonly invoiceId: string;
  readonly accountId: string;
  readonly methodId: string;
  readonly paymentKey: string;
  readonly targetKey: string;
  readonly txid: string;
  readonly amountUnits: bigint;
  readonly state: ObservationState;
  readonly confirmations: number;
  readonly blockHash: string | null;
  readonly blockHeight: number | null;
  readonly rbf: boolean;
  /** First seen after the invoice expired or was settled: credited at the rate when seen. */
  readonly late: boolean;
  /** Rate at the moment the payment was first seen; null when none was available (held). */
  readonly rate: LockedRate | null;
  /** What this payment credited; null until credited. */
  readonly creditedMinor: bigint | null;
  readonly reversed: boolean;
  readonly heldReason: string | null;
  /**
   * How an operator resolved the payment after it was held (issue 19): credited at a rate they
   * chose, or refunded outside Coffer. A resolved payment is out of automatic settlement.
   */
  readonly resolution?: PaymentResolution | null;
  readonly resolutionNote?: string | null;
  readonly firstSeenAt: Date;
  readonly updatedAt: Date;
}

export const PaymentResolutions = ['credited', 'refunded_outside'] as const;
export type PaymentResolution = (typeof PaymentResolutions)[number];
/** What an operator does with a held payment: credit it at a chosen rate, or record a refund made outside Coffer. */
export const HoldActions = ['credit', 'refunded_outside'] as const;
export type HoldAction = (typeof HoldActions)[number];

export const FINAL_INVOICE_STATUSES: readonly InvoiceStatus[] = ['complete', 'expired', 'denied'];
