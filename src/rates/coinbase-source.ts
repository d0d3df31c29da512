// Coinbase's public spot price: GET /v2/prices/BTC-USD/spot answers
// {"data":{"amount":"65000.12","base":"BTC","currency":"USD"}} (older answers omit "base").
// The base and currency in the answer are checked when present, so a proxy or API change that
// answers for another pair is refused rather than believed.

import type { BalanceCurrency, CryptoAsset } from '../core/assets.ts';
import type { Decimal } from '../core/money.ts';
import { isJsonObject } from '../core/exact-json.ts';
import { fetchSourceJson } from './fetch-source-json.ts';
import { priceField } from './price-field.ts';
import { RateSourceError } from './rate-source.ts';
import type { HttpSourceOptions, RateSource } from './rate-source.ts';

export const COINBASE_BASE_URL = 'https://api.coinbase.com';

export function createCoinbaseSource(options: HttpSourceOptions): RateSource {
  const name = 'coinbase';
  // Fiat quotes for every asset; against BTC only ETH, the one altcoin/BTC pair Coinbase lists
  // as a product (stablecoin/BTC goes to sources that list it).
  const supports = (base: CryptoAsset, quote: BalanceCurrency): boolean =>
    quote === 'USD' || quote === 'EUR' || (base === 'ETH' && quote === 'BTC');
  return {
    name,
    supports,
    async fetchPrice(base: CryptoAsset, quote: BalanceCurrency, signal?: AbortSignal): Promise<Decimal> {
      if (!supports(base, quote)) throw new RateSourceError(name, `does not quote ${base}/${quote}`);
      const body = await fetchSourceJson(name, options, `/v2/prices/${base}-${quote}/spot`, signal);
      if (!isJsonObject(body)) throw new RateSourceError(name, 'answer is not an object');
      const data = body['data'];
      if (!isJsonObject(data)) throw new RateSourceError(name, 'answer has no data');
      const answeredBase = data['base'];
      const answeredCurrency = data['currency'];
      if (answeredBase !== undefined && answeredBase !== base) throw new RateSourceError(name, `answered for base ${String(answeredBase)}`);
      if (answeredCurrency !== quote) throw new RateSourceError(name, `answered in currency ${String(answeredCurrency)}`);
      return priceField(name, data['amount'], 'data.amount');
    },
  };
}
