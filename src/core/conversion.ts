// Deposits in another currency than the account's (issue 15, finding 8c). A client that reads only
// `data.balance` sees the account's own currency, so every deposit is credited there: the invoice
// locks, at creation, how many account-currency units one invoice-currency unit is worth, and
// settlement converts what today's rules credit in the invoice currency with that rate, rounded
// down. See docs/design-decisions.md ("Deposits in another currency").

import type { BalanceCurrency } from './assets.ts';
import { CurrencyScale } from './assets.ts';
import type { LockedRate } from './invoice.ts';
import { divide, formatDecimal, pow10, Rounding } from './money.ts';
import type { Decimal } from './money.ts';
import { RATE_SCALE_MAX } from './rate.ts';

/** What an invoice in a foreign currency credits instead: the account's currency, at a locked rate. */
export interface InvoiceConversion {
  /** The currency credited (the account's currency when the invoice was created). */
  readonly currency: BalanceCurrency;
  /** `currency` units per one whole unit of the invoice's currency, e.g. 1.0869 USD per EUR. */
  readonly rate: LockedRate;
}

/** Decimals of a cross rate: 18, so the rate's own rounding stays far below one minor unit. */
export const CROSS_RATE_SCALE = RATE_SCALE_MAX;

/**
 * The rate `to` per `from` derived from two rates of one crypto asset (`to` per asset ÷ `from`
 * per asset), rounded down at 18 decimals: the aggregator's rates are the only rate source, so
 * the cross rate follows the same sources, quorum and freshness as the crypto rate.
 */
export function crossRate(toPerAsset: LockedRate, fromPerAsset: LockedRate): LockedRate {
  const a = toPerAsset.value;
  const b = fromPerAsset.value;
  const numerator = a.units * pow10(b.scale) * pow10(CROSS_RATE_SCALE);
  const units = divide(numerator, b.units * pow10(a.scale), Rounding.down);
  if (units <= 0n) throw new RangeError('crossRate: the rate rounds to zero');
  const sources = [...new Set([...toPerAsset.sources, ...fromPerAsset.sources])];
  const at = toPerAsset.at < fromPerAsset.at ? toPerAsset.at : fromPerAsset.at;
  return { value: trimScale({ units, scale: CROSS_RATE_SCALE }), sources, at };
}

/** The same value with trailing zero decimals dropped (1.5 rather than 1.500000000000000000). */
function trimScale(value: Decimal): Decimal {
  let { units, scale } = value;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

/**
 * `amountMinor` of `from` in minor units of `to` at `rate`, rounded down: at most one minor unit
 * below the exact product, never above it (DESIGN.md §3: credited amounts round down).
 */
export function convertMinor(amountMinor: bigint, from: BalanceCurrency, to: BalanceCurrency, rate: Decimal): bigint {
  const numerator = amountMinor * rate.units * pow10(CurrencyScale[to]);
  return divide(numerator, pow10(CurrencyScale[from]) * pow10(rate.scale), Rounding.down);
}

/** The currency a credit of `invoice` lands in, and its amount there. */
export function creditedBalance(invoice: { readonly currency: BalanceCurrency; readonly conversion: InvoiceConversion | null },
  creditMinor: bigint): { currency: BalanceCurrency; amountMinor: bigint } {
  const { conversion } = invoice;
  if (conversion === null) return { currency: invoice.currency, amountMinor: creditMinor };
  return { currency: conversion.currency, amountMinor: convertMinor(creditMinor, invoice.currency, conversion.currency, conversion.rate.value) };
}

/** "25 EUR × 1.0869 USD/EUR = 27.17 USD": the conversion as the ledger and the invoice state it. */
export function conversionText(from: BalanceCurrency, creditMinor: bigint, conversion: InvoiceConversion): string {
  const converted = convertMinor(creditMinor, from, conversion.currency, conversion.rate.value);
  const rate = formatDecimal(conversion.rate.value.units, conversion.rate.value.scale);
  return `${formatDecimal(creditMinor, CurrencyScale[from])} ${from} × ${rate} ${conversion.currency}/${from} (locked on the invoice, rounded down)`
    + ` = ${formatDecimal(converted, CurrencyScale[conversion.currency])} ${conversion.currency}`;
}
