// A fixed table of rates for sandbox mode and tests: no network, always answers. The defaults
// are realistic round numbers (EUR at 0.92 USD) so sandbox prices look like real ones; an
// operator overrides any of them with COFFER_STATIC_RATES. Never allowed in live mode.

import type { BalanceCurrency, CryptoAsset } from '../core/assets.ts';
import type { Decimal } from '../core/money.ts';
import { parsePriceText } from './price-text.ts';
import { pairKey, RateSourceError } from './rate-source.ts';
import type { PairKey, RateSource } from './rate-source.ts';

export const DEFAULT_STATIC_RATES: Readonly<Partial<Record<PairKey, string>>> = {
  'BTC/USD': '65000',
  'BTC/EUR': '59800',
  'ETH/USD': '3000',
  'ETH/EUR': '2760',
  'ETH/BTC': '0.04615385',
  'USDC/USD': '1',
  'USDC/EUR': '0.92',
  'USDC/BTC': '0.00001538',
  'USDT/USD': '1',
  'USDT/EUR': '0.92',
  'USDT/BTC': '0.00001538',
};

export type StaticRateTable = ReadonlyMap<PairKey, Decimal>;

/** The default table with `overrides` laid over it. */
export function staticRateTable(overrides: Readonly<Partial<Record<PairKey, Decimal>>> = {}): StaticRateTable {
  const table = new Map<PairKey, Decimal>();
  for (const [pair, text] of Object.entries(DEFAULT_STATIC_RATES) as Array<[PairKey, string]>) table.set(pair, parsePriceText(text));
  for (const [pair, value] of Object.entries(overrides) as Array<[PairKey, Decimal]>) table.set(pair, value);
  return table;
}

export function createStaticSource(table: StaticRateTable = staticRateTable()): RateSource {
  const name = 'static';
  return {
    name,
    supports: (base: CryptoAsset, quote: BalanceCurrency) => table.has(pairKey(base, quote)),
    async fetchPrice(base: CryptoAsset, quote: BalanceCurrency): Promise<Decimal> {
      const value = table.get(pairKey(base, quote));
      if (value === undefined) throw new RateSourceError(name, `has no ${base}/${quote} rate`);
      return value;
    },
  };
}
