// How amounts, times and names read on the website. Money is formatted from bigint base units
// only (core/money.ts); nothing here turns an amount into a JS number.

import { CurrencyScale } from '../core/assets.ts';
import type { BalanceCurrency } from '../core/assets.ts';
import type { Invoice } from '../core/invoice.ts';
import type { LedgerCurrency } from '../core/ledger.ts';
import { LedgerCurrencyScale } from '../core/ledger.ts';
import { formatDecimal, formatFixed } from '../core/money.ts';

/** "25.00 USD", "0.00100000 BTC": balances with all their decimals. */
export function balanceText(units: bigint, currency: BalanceCurrency): string {
  return `${formatFixed(units, CurrencyScale[currency])} ${currency}`;
}

/** A signed ledger amount ("+25.00 USD", "−3.10 EUR"). */
export function signedText(units: bigint, currency: LedgerCurrency): string {
  const scale = LedgerCurrencyScale[currency];
  const text = formatFixed(units < 0n ? -units : units, scale);
  return `${units < 0n ? '−' : '+'}${text} ${currency}`;
}

/** Crypto amounts exactly as the payer must send them: "0.0005 BTC". */
export function cryptoText(units: bigint, invoice: Pick<Invoice, 'unitScale' | 'asset'>): string {
  return `${formatDecimal(units, invoice.unitScale)} ${invoice.asset}`;
}

export function cryptoNumber(units: bigint, invoice: Pick<Invoice, 'unitScale'>): string {
  return formatDecimal(units, invoice.unitScale);
}

/** "2026-01-31 14:05 UTC": unambiguous for every reader, no locale guessing on the server. */
export function timeText(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How a payment method id reads ('USDC (Base)'): the label its rail declares (MethodRegistry.label). */
export type MethodLabel = (methodId: string) => string;

export const StatusNames: Readonly<Record<string, string>> = {
  unpaid: 'Awaiting payment', payment_detected: 'Payment detected', payment_confirmed: 'Payment confirmed', complete: 'Credited',
  expired: 'Expired', denied: 'Payment failed', payment_error: 'Held for review',
};

export function statusName(status: string): string {
  return StatusNames[status] ?? status;
}

export const TransferNames: Readonly<Record<string, string>> = {
  credit: 'Deposit credited', charge: 'Charge', refund: 'Refund', reversal: 'Reversal',
};
