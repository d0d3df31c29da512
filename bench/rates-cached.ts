// Benchmark of the rate provider's paths: the cached path every invoice creation takes (the
// point of the cache: no network per request), a full refresh against four local exchange
// servers (the cost when the TTL has expired), and the static table used in sandbox.
// Run: node --import tsx bench/rates-cached.ts   (optional: CALLS=2000000)

import { performance } from 'node:perf_hooks';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { createRateProvider } from '../src/rates/create-rate-provider.ts';
import { ratesConfigFromEnv } from '../src/rates/rates-config.ts';
import { startExchanges } from '../test/support/rate-servers.ts';

const calls = Number(process.env['CALLS'] ?? 1_000_000);
const refreshes = Number(process.env['REFRESHES'] ?? 500);

const exchanges = await startExchanges({ 'BTC/USD': '65000.12' });
const env = (cacheSeconds: string) => ({
  COFFER_RATE_SOURCES: 'kraken,coinbase,bitstamp,coingecko',
  COFFER_RATE_KRAKEN_URL: exchanges.kraken.url,
  COFFER_RATE_COINBASE_URL: exchanges.coinbase.url,
  COFFER_RATE_BITSTAMP_URL: exchanges.bitstamp.url,
  COFFER_RATE_COINGECKO_URL: exchanges.coingecko.url,
  COFFER_RATE_CACHE_SECONDS: cacheSeconds,
});
const deps = { clock: systemClock, log: silentLogger, fetch };

try {
  // 1. Cached path.
  const cached = createRateProvider(ratesConfigFromEnv(env('300'), 'live'), deps);
  await cached.rate('BTC', 'USD');
  for (let i = 0; i < 10_000; i++) await cached.rate('BTC', 'USD'); // warm-up
  const requestsBefore = exchanges.kraken.requests.length;
  let start = performance.now();
  for (let i = 0; i < calls; i++) await cached.rate('BTC', 'USD');
  const cachedNs = ((performance.now() - start) * 1e6) / calls;
  const extraRequests = exchanges.kraken.requests.length - requestsBefore;

  // 2. Full refresh every call (TTL 0): four parallel local HTTP requests + parse + median.
  const uncached = createRateProvider(ratesConfigFromEnv(env('0'), 'live'), deps);
  for (let i = 0; i < 50; i++) await uncached.rate('BTC', 'USD'); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < refreshes; i++) {
    const t = performance.now();
    await uncached.rate('BTC', 'USD');
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? NaN;

  // 3. Static table (sandbox) with the cache.
  const sandbox = createRateProvider(ratesConfigFromEnv({}, 'sandbox'), deps);
  await sandbox.rate('BTC', 'USD');
  start = performance.now();
  for (let i = 0; i < calls; i++) await sandbox.rate('BTC', 'USD');
  const staticNs = ((performance.now() - start) * 1e6) / calls;

  console.log(JSON.stringify({
    node: process.version,
    cachedPath: { calls, nsPerCall: Math.round(cachedNs), callsPerSecond: Math.round(1e9 / cachedNs), networkRequestsDuring: extraRequests },
    refreshPath4Sources: { refreshes, p50Ms: +pct(0.5).toFixed(3), p99Ms: +pct(0.99).toFixed(3) },
    staticCachedPath: { calls, nsPerCall: Math.round(staticNs) },
  }, null, 2));
} finally {
  await exchanges.closeAll();
}
