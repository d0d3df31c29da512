// Kraken's public Ticker endpoint: GET /0/public/Ticker?pair=XBTUSD answers
// {"error":[],"result":{"XXBTZUSD":{"a":[..],"b":[..],"c":["<last price>","<lot volume>"],..}}}.
// Kraken names bitcoin XBT and answers under its canonical pair name (XXBTZUSD for XBTUSD),
// so each pair lists both. The price used is "c"[0], the last trade closed.

import type { BalanceCurrency, CryptoAsset } from '../core/assets.ts';
import type { Decimal } from '../core/money.ts';
import { isJsonObject } from '../core/exact-json.ts';
import { fetchSourceJson } from './fetch-source-json.ts';
import { priceField } from './price-field.ts';
import { pairKey, RateSourceError } from './rate-source.ts';
import type { HttpSourceOptions, PairKey, RateSource } from './rate-source.ts';

export const KRAKEN_BASE_URL = 'https://api.kraken.com';

/** Our pair → [the name we ask for, the canonical name Kraken answers under]. */
export const KRAKEN_PAIRS: Readonly<Partial<Record<PairKey, readonly [string, string]>>> = {
  'BTC/USD': ['XBTUSD', 'XXBTZUSD'],
  'BTC/EUR': ['XBTEUR', 'XXBTZEUR'],
  'ETH/USD': ['ETHUSD', 'XETHZUSD'],
  'ETH/EUR': ['ETHEUR', 'XETHZEUR'],
  'ETH/BTC': ['ETHXBT', 'XETHXXBT'],
  'USDC/USD': ['USDCUSD', 'USDCUSD'],
  'USDC/EUR': ['USDCEUR', 'USDCEUR'],
  'USDT/USD': ['USDTUSD', 'USDTZUSD'],
  'USDT/EUR': ['USDTEUR', 'USDTEUR'],
};

export function createKrakenSource(options: HttpSourceOptions): RateSource {
  const name = 'kraken';
  return {
    name,
    supports: (base: CryptoAsset, quote: BalanceCurrency) => KRAKEN_PAIRS[pairKey(base, quote)] !== undefined,
    async fetchPrice(base: CryptoAsset, quote: BalanceCurrency, signal?: AbortSignal): Promise<Decimal> {
      const names = KRAKEN_PAIRS[pairKey(base, quote)];
      if (names === undefined) throw new RateSourceError(name, `does not quote ${base}/${quote}`);
      const [asked, canonical] = names;
      const body = await fetchSourceJson(name, options, `/0/public/Ticker?pair=${asked}`, signal);
      if (!isJsonObject(body)) throw new RateSourceError(name, 'answer is not an object');
      const errors = body['error'];
      if (!Array.isArray(errors)) throw new RateSourceError(name, 'answer has no error list');
      if (errors.length > 0) throw new RateSourceError(name, `error ${errors.filter((e) => typeof e === 'string').join('; ').slice(0, 200)}`);
      const result = body['result'];
      if (!isJsonObject(result)) throw new RateSourceError(name, 'answer has no result');
      const ticker = result[canonical] ?? result[asked];
      if (!isJsonObject(ticker)) throw new RateSourceError(name, `answer has no ticker for ${canonical}`);
      const last = ticker['c'];
      if (!Array.isArray(last)) throw new RateSourceError(name, 'ticker has no last trade');
      return priceField(name, last[0], `${canonical}.c[0]`);
    },
  };
}
