// CoinGecko's simple price: GET /api/v3/simple/price?ids=bitcoin&vs_currencies=usd answers
// {"bitcoin":{"usd":67187.33}} with the price as a JSON *number*, which is why bodies are
// parsed with parseExactJson (the digits as sent, never a float). Small prices may come in
// exponent form (1.5e-05), which parsePriceText reads exactly.
// A key is optional: the public API works without; a demo key goes in x-cg-demo-api-key, a
// paid key (pro-api.coingecko.com) in x-cg-pro-api-key.

import type { BalanceCurrency, CryptoAsset } from '../core/assets.ts';
import type { Decimal } from '../core/money.ts';
import { isJsonObject } from '../core/exact-json.ts';
import { fetchSourceJson } from './fetch-source-json.ts';
import { priceField } from './price-field.ts';
import { RateSourceError } from './rate-source.ts';
import type { HttpSourceOptions, RateSource } from './rate-source.ts';

export const COINGECKO_BASE_URL = 'https://api.coingecko.com';

export const COINGECKO_IDS: Readonly<Record<CryptoAsset, string>> = {
  BTC: 'bitcoin',
  ETH: 'ethereum',
  USDC: 'usd-coin',
  USDT: 'tether',
};

export interface CoinGeckoOptions extends HttpSourceOptions {
  readonly apiKey?: string;
}

export function createCoinGeckoSource(options: CoinGeckoOptions): RateSource {
  const name = 'coingecko';
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined && options.apiKey !== '') {
    headers[new URL(options.baseUrl).hostname.startsWith('pro-api.') ? 'x-cg-pro-api-key' : 'x-cg-demo-api-key'] = options.apiKey;
  }
  const supports = (base: CryptoAsset, quote: BalanceCurrency): boolean => !(base === 'BTC' && quote === 'BTC');
  return {
    name,
    supports,
    async fetchPrice(base: CryptoAsset, quote: BalanceCurrency, signal?: AbortSignal): Promise<Decimal> {
      if (!supports(base, quote)) throw new RateSourceError(name, `does not quote ${base}/${quote}`);
      const id = COINGECKO_IDS[base];
      const vs = quote.toLowerCase();
      const body = await fetchSourceJson(name, options, `/api/v3/simple/price?ids=${id}&vs_currencies=${vs}`, signal, headers);
      if (!isJsonObject(body)) throw new RateSourceError(name, 'answer is not an object');
      const coin = body[id];
      if (!isJsonObject(coin)) throw new RateSourceError(name, `answer has no entry for ${id}`);
      return priceField(name, coin[vs], `${id}.${vs}`);
    },
  };
}
