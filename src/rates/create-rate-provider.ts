// Builds the RateProvider from configuration: one source adapter per configured name, all
// sharing the injected fetch (tests and the composition root pass their own).

import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { createBitstampSource } from './bitstamp-source.ts';
import { createCoinbaseSource } from './coinbase-source.ts';
import { createCoinGeckoSource } from './coingecko-source.ts';
import { createKrakenSource } from './kraken-source.ts';
import { RateAggregator } from './rate-aggregator.ts';
import type { RateSource } from './rate-source.ts';
import type { RateSourceName, RatesConfig } from './rates-config.ts';
import { createStaticSource } from './static-source.ts';

export interface RateProviderDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
}

export function createRateProvider(config: RatesConfig, deps: RateProviderDeps): RateAggregator {
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const sources = config.sources.map((name) => createSource(name, config, fetchFn));
  deps.log.info({ sources: config.sources, minSources: config.minSources }, 'rate sources configured');
  return new RateAggregator({
    sources,
    minSources: config.minSources,
    outlierBasisPoints: config.outlierBasisPoints,
    cacheTtlMs: config.cacheTtlMs,
    maxAgeMs: config.maxAgeMs,
  }, deps);
}

function createSource(name: RateSourceName, config: RatesConfig, fetchFn: typeof fetch): RateSource {
  const http = (baseUrl: string) => ({ baseUrl, timeoutMs: config.timeoutMs, fetch: fetchFn });
  switch (name) {
    case 'static': return createStaticSource(config.staticRates);
    case 'kraken': return createKrakenSource(http(config.baseUrls.kraken));
    case 'coinbase': return createCoinbaseSource(http(config.baseUrls.coinbase));
    case 'bitstamp': return createBitstampSource(http(config.baseUrls.bitstamp));
    case 'coingecko': return createCoinGeckoSource({ ...http(config.baseUrls.coingecko), ...(config.coingeckoApiKey ? { apiKey: config.coingeckoApiKey } : {}) });
  }
}
