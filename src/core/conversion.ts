// Deposits in another currency than the account's (issue 15, finding 8c). A client that reads only
// `data.balance` sees the account's own currency, so every deposit is credited there: the invoice
// locks, at creation, the rates of its crypto asset in both currencies, and settlement converts
// what today's rules credit in the invoice currency by their exact ratio, rounded down once.
// See docs/design-decisions.md ("Deposits in another currency than the account's").

import type { BalanceCurrency } from './assets.ts';
import { CurrencyScale } from './assets.ts';
import { divide, formatDecimal, pow10, Rounding } from './money.ts';
import type { Decimal } from './money.ts';
import { RATE_SCALE_MAX } from './rate.ts';

/** What an invoice in a foreign currency credits instead: the account's currency, at locked rates. */
export interface InvoiceConversion {
  /** The currency credited (the account's currency when the invoice was created). */
  readonly currency: BalanceCurrency;
  /** `currency` per one whole unit of the invoice's crypto asset, e.g. 65000 USD per BTC. */
  readonly creditRate: Decimal;
  /** The invoice's own currency per one whole unit of the same asset, e.g. 59800 EUR per BTC. */
  readonly invoiceRate: Decimal;
  /** Sources of the two rates, and when the older of them was made. */
  readonly sources: readonly string[];
  readonly at: Date;
}

/**
 * `amountMinor` of `from` in minor units of `conversion.currency`, at the exact ratio of the two
 * locked rates, rounded down once: at most one minor unit below the exact value, never above it
 * (DESIGN.md §3: credited amounts round down). No rounded cross rate sits in between, so 11.96 EUR
 * at 65000 USD/BTC and 59800 EUR/BTC is exactly 13.00 USD.
 */
export function convertMinor(amountMinor: bigint, from: BalanceCurrency, conversion: InvoiceConversion): bigint {
  const to = conversion.creditRate;
  const by = conversion.invoiceRate;
  const numerator = amountMinor * to.units * pow10(by.scale) * pow10(CurrencyScale[conversion.currency]);
  return divide(numerator, by.units * pow10(to.scale) * pow10(CurrencyScale[from]), Rounding.down);
}

/** The ratio of the two rates (`currency` per one unit of the invoice's), for people: 18 decimals, rounded down. */
export function conversionRate(conversion: InvoiceConversion): Decimal {
  const to = conversion.creditRate;
  const by = conversion.invoiceRate;
  let units = divide(to.units * pow10(by.scale) * pow10(RATE_SCALE_MAX), by.units * pow10(to.scale), Rounding.down);
  let scale = RATE_SCALE_MAX;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

/** The balance currency an invoice credits. */
export function creditCurrency(invoice: { readonly currency: BalanceCurrency; readonly conversion: InvoiceConversion | null }): BalanceCurrency {
  return invoice.conversion?.currency ?? invoice.currency;
}

/** The currency a credit of `invoice` lands in, and its amount there. */
export function creditedBalance(invoice: { readonly currency: BalanceCurrency; readonly conversion: InvoiceConversion | null },
  creditMinor: bigint): { currency: BalanceCurrency; amountMinor: bigint } {
  const { conversion } = invoice;
  if (conversion === null) return { currency: invoice.currency, amountMinor: creditMinor };
  return { currency: conversion.currency, amountMinor: convertMinor(creditMinor, invoice.currency, conversion) };
}

/**
 * What the balance got from `invoice` so far: on a converted invoice the sum of each credited
 * payment's conversion (each rounded down on its own, as the ledger posted them), not the
 * conversion of the total.
 */
export function balanceCredited(invoice: { readonly currency: BalanceCurrency; readonly conversion: InvoiceConversion | null; readonly creditedMinor: bigint },
  payments: ReadonlyArray<{ readonly creditedMinor: bigint | null; readonly reversed: boolean }>): { currency: BalanceCurrency; amountMinor: bigint } {
  const { conversion } = invoice;
  if (conversion === null) return { currency: invoice.currency, amountMinor: invoice.creditedMinor };
  const amountMinor = payments.reduce((sum, p) => (p.creditedMinor !== null && !p.reversed
    ? sum + convertMinor(p.creditedMinor, invoice.currency, conversion) : sum), 0n);
  return { currency: conversion.currency, amountMinor };
}

/** "25 EUR × 65000 USD/BTC ÷ 59800 EUR/BTC = 27.17 USD": the conversion as the ledger states it. */
export function conversionText(from: BalanceCurrency, asset: string, creditMinor: bigint, conversion: InvoiceConversion): string {
  const to = conversion.currency;
  const converted = convertMinor(creditMinor, from, conversion);
  return `${formatDecimal(creditMinor, CurrencyScale[from])} ${from}`
    + ` × ${formatDecimal(conversion.creditRate.units, conversion.creditRate.scale)} ${to}/${asset}`
    + ` ÷ ${formatDecimal(conversion.invoiceRate.units, conversion.invoiceRate.scale)} ${from}/${asset}`
    + ` (rates locked on the invoice; rounded down) = ${formatDecimal(converted, CurrencyScale[to])} ${to}`;
}
