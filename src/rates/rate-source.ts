// What the aggregator asks of a price source: which pairs it quotes, and one price for one
// pair. Sources make exactly one request per call (no retries: the aggregator's cache and
// failure backoff decide when to ask again) and throw RateSourceError when they have no price.

import type { BalanceCurrency, CryptoAsset } from '../core/assets.ts';
import type { Decimal } from '../core/money.ts';

export type PairKey = `${CryptoAsset}/${BalanceCurrency}`;

export function pairKey(base: CryptoAsset, quote: BalanceCurrency): PairKey {
  return `${base}/${quote}`;
}

export interface RateSource {
  /** Recorded in Rate.sources, e.g. 'kraken'. */
  readonly name: string;
  supports(base: CryptoAsset, quote: BalanceCurrency): boolean;
  /** Quote-currency units per one whole base unit, exact. Throws RateSourceError. */
  fetchPrice(base: CryptoAsset, quote: BalanceCurrency, signal?: AbortSignal): Promise<Decimal>;
}

/** What every HTTP source is built from; tests pass a local server's URL as `baseUrl`. */
export interface HttpSourceOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

export class RateSourceError extends Error {
  override readonly name = 'RateSourceError';
  readonly source: string;
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.source = source;
  }
}
