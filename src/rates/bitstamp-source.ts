// Bitstamp's public ticker: GET /api/v2/ticker/btcusd/ answers
// {"timestamp":"1700000000","last":"65000","bid":"..","ask":"..","vwap":"..",...} with prices
// as strings. The price used is "last".

import type { BalanceCurrency, CryptoAsset } from '../core/assets.ts';
import type { Decimal } from '../core/money.ts';
import { isJsonObject } from '../core/exact-json.ts';
import { fetchSourceJson } from './fetch-source-json.ts';
import { priceField } from './price-field.ts';
import { pairKey, RateSourceError } from './rate-source.ts';
import type { HttpSourceOptions, PairKey, RateSource } from './rate-source.ts';

export const BITSTAMP_BASE_URL = 'https://www.bitstamp.net';

export const BITSTAMP_PAIRS: Readonly<Partial<Record<PairKey, string>>> = {
  'BTC/USD': 'btcusd',
  'BTC/EUR': 'btceur',
  'ETH/USD': 'ethusd',
  'ETH/EUR': 'etheur',
  'ETH/BTC': 'ethbtc',
  'USDC/USD': 'usdcusd',
  'USDC/EUR': 'usdceur',
  'USDT/USD': 'usdtusd',
  'USDT/EUR': 'usdteur',
};

export function createBitstampSource(options: HttpSourceOptions): RateSource {
  const name = 'bitstamp';
  return {
    name,
    supports: (base: CryptoAsset, quote: BalanceCurrency) => BITSTAMP_PAIRS[pairKey(base, quote)] !== undefined,
    async fetchPrice(base: CryptoAsset, quote: BalanceCurrency, signal?: AbortSignal): Promise<Decimal> {
      const pair = BITSTAMP_PAIRS[pairKey(base, quote)];
      if (pair === undefined) throw new RateSourceError(name, `does not quote ${base}/${quote}`);
      const body = await fetchSourceJson(name, options, `/api/v2/ticker/${pair}/`, signal);
      if (!isJsonObject(body)) throw new RateSourceError(name, 'answer is not an object');
      return priceField(name, body['last'], `${pair}.last`);
    },
  };
}
