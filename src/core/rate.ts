// An exchange rate: how many units of a balance currency one whole crypto unit is worth, as an
// exact decimal, plus where it came from. Conversions name their rounding (DESIGN.md §3): a
// price the payer must send rounds up, an amount credited from a payment rounds down.

import type { BalanceCurrency, CryptoAsset } from './assets.ts';
import { CurrencyScale } from './assets.ts';
import { divide, formatDecimal, pow10, roundToPrecision, Rounding } from './money.ts';
import type { Decimal } from './money.ts';

export interface Rate {
  readonly base: CryptoAsset;
  readonly quote: BalanceCurrency;
  /** Quote-currency units per one whole base unit, e.g. 65000.5 USD per BTC. */
  readonly value: Decimal;
  readonly sources: readonly string[];
  readonly at: Date;
}

/** Most decimals a stored rate keeps. */
export const RATE_SCALE_MAX = 18;

export function rateText(rate: Decimal): string {
  return formatDecimal(rate.units, rate.scale);
}

/** The identity rate: BTC balances paid in bitcoin or lightning are credited sats 1:1. */
export function identityRate(at: Date): Rate {
  return { base: 'BTC', quote: 'BTC', value: { units: 1n, scale: 0 }, sources: ['identity'], at };
}

export interface AssetUnit {
  /** Decimals of the base unit a payment is counted in (sat 8, msat 11, wei 18). */
  readonly unitScale: number;
  /** Most decimals the price is quoted with. */
  readonly pricePrecision: number;
}

/** The crypto amount (base units) a payer must send for `amountMinor`, rounded up. */
export function priceFor(amountMinor: bigint, currency: BalanceCurrency, rate: Decimal, unit: AssetUnit): bigint {
  const numerator = amountMinor * pow10(unit.unitScale) * pow10(rate.scale);
  const denominator = rate.units * pow10(CurrencyScale[currency]);
  const exact = divide(numerator, denominator, Rounding.up);
  return roundToPrecision(exact, unit.unitScale, unit.pricePrecision, Rounding.up);
}

/** The balance amount (minor units) a received crypto amount is worth, rounded down. */
export function creditFor(receivedUnits: bigint, currency: BalanceCurrency, rate: Decimal, unit: Pick<AssetUnit, 'unitScale'>): bigint {
  const numerator = receivedUnits * rate.units * pow10(CurrencyScale[currency]);
  const denominator = pow10(unit.unitScale) * pow10(rate.scale);
  return divide(numerator, denominator, Rounding.down);
}

/** Where settlement and invoice creation get rates; throws CofferError('rate_unavailable'). */
export interface RateProvider {
  rate(base: CryptoAsset, quote: BalanceCurrency): Promise<Rate>;
}
