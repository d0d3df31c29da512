// Proves the configured rate provider, against four local exchange servers: takes the median
// of agreeing sources, survives a source down / wrong / slow / malformed, refuses with 503
// rate_unavailable when no fresh rate exists, caches and coalesces, and records its sources.
import { test, after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/core/clock.ts';
import { CofferError } from '../src/core/errors.ts';
import { silentLogger } from '../src/core/logger.ts';
import { rateText } from '../src/core/rate.ts';
import { createRateProvider } from '../src/rates/create-rate-provider.ts';
import type { RateAggregator } from '../src/rates/rate-aggregator.ts';
import { ratesConfigFromEnv } from '../src/rates/rates-config.ts';
import { startExchanges } from './support/rate-servers.ts';
import type { ExchangeKind } from './support/rate-servers.ts';

const kinds: readonly ExchangeKind[] = ['kraken', 'coinbase', 'bitstamp', 'coingecko'];
const btcUsd: Record<ExchangeKind, string> = { kraken: '65000', coinbase: '65010', bitstamp: '64990', coingecko: '65005' };
let exchanges: Awaited<ReturnType<typeof startExchanges>>;
let clock: ManualClock;

before(async () => {
  exchanges = await startExchanges({});
  // The first fetch in a process loads the HTTP client; keep that out of the timeouts under test.
  await (await fetch(exchanges.kraken.url)).text();
});
after(async () => exchanges.closeAll());
beforeEach(() => {
  clock = new ManualClock('2026-01-01T00:00:00Z');
  for (const kind of kinds) {
    const exchange = exchanges[kind];
    exchange.behaviour = 'ok';
    exchange.requests.length = 0;
    exchange.setPrice('BTC/USD', btcUsd[kind]);
    exchange.setPrice('USDC/USD', '0.9999');
    exchange.setPrice('USDC/BTC', '0.0000153');
  }
});

function provider(extra: Record<string, string> = {}): RateAggregator {
  const env = {
    COFFER_RATE_SOURCES: kinds.join(','),
    COFFER_RATE_KRAKEN_URL: exchanges.kraken.url,
    COFFER_RATE_COINBASE_URL: exchanges.coinbase.url,
    COFFER_RATE_BITSTAMP_URL: exchanges.bitstamp.url,
    COFFER_RATE_COINGECKO_URL: exchanges.coingecko.url,
    COFFER_RATE_TIMEOUT_MS: '1000',
    ...extra,
  };
  return createRateProvider(ratesConfigFromEnv(env, 'testnet'), { clock, log: silentLogger, fetch });
}

function requestCount(): number {
  return kinds.reduce((sum, kind) => sum + exchanges[kind].requests.length, 0);
}

async function assertUnavailable(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CofferError);
    assert.equal(error.code, 'rate_unavailable');
    assert.equal(error.status, 503);
    return true;
  });
}

test('normal: the median of four agreeing sources, with every source recorded', async () => {
  const rate = await provider().rate('BTC', 'USD');
  assert.equal(rateText(rate.value), '65002.5');
  assert.deepEqual(rate.sources, ['kraken', 'coinbase', 'bitstamp', 'coingecko']);
  assert.deepEqual([rate.base, rate.quote, rate.at.toISOString()], ['BTC', 'USD', '2026-01-01T00:00:00.000Z']);
});

test('one source down: the median of the other three, the down source not recorded', async () => {
  exchanges.kraken.behaviour = 'reset';
  const rate = await provider().rate('BTC', 'USD');
  assert.equal(rateText(rate.value), '65005');
  assert.deepEqual(rate.sources, ['coinbase', 'bitstamp', 'coingecko']);
});

test('one source wildly off: its quote is dropped from the median', async () => {
  exchanges.coingecko.setPrice('BTC/USD', '6500.5');
  const rate = await provider().rate('BTC', 'USD');
  assert.equal(rateText(rate.value), '65000');
  assert.deepEqual(rate.sources, ['kraken', 'coinbase', 'bitstamp']);
});

test('all sources down: 503 rate_unavailable, never a guess', async () => {
  for (const kind of kinds) exchanges[kind].behaviour = 'http-503';
  await assertUnavailable(provider().rate('BTC', 'USD'));
});

test('malformed JSON from a source is ignored; from every source it is rate_unavailable', async () => {
  exchanges.bitstamp.behaviour = 'malformed';
  exchanges.coinbase.behaviour = 'html';
  const rate = await provider().rate('BTC', 'USD');
  assert.deepEqual(rate.sources, ['kraken', 'coingecko']);
  assert.equal(rateText(rate.value), '65002.5');
  for (const kind of kinds) exchanges[kind].behaviour = 'malformed';
  await assertUnavailable(provider().rate('BTC', 'USD'));
});

test('slow source: it times out and the others make the rate', async () => {
  exchanges.coinbase.behaviour = 'slow';
  const rate = await provider().rate('BTC', 'USD');
  assert.deepEqual(rate.sources, ['kraken', 'bitstamp', 'coingecko']);
  assert.equal(rateText(rate.value), '65000');
});

test('non-positive prices are rejected, and too few valid quotes is rate_unavailable', async () => {
  exchanges.kraken.setPrice('BTC/USD', '0');
  exchanges.coinbase.setPrice('BTC/USD', '-65010');
  const rate = await provider().rate('BTC', 'USD');
  assert.deepEqual(rate.sources, ['bitstamp', 'coingecko']);
  assert.equal(rateText(rate.value), '64997.5');
  exchanges.bitstamp.setPrice('BTC/USD', '0.00');
  await assertUnavailable(provider().rate('BTC', 'USD'));
});

test('two remaining quotes that disagree give no rate rather than their midpoint', async () => {
  exchanges.kraken.behaviour = 'http-503';
  exchanges.coinbase.behaviour = 'http-503';
  exchanges.coingecko.setPrice('BTC/USD', '70000');
  await assertUnavailable(provider().rate('BTC', 'USD'));
});

test('a fresh rate is served from memory within the cache TTL: no network', async () => {
  const rates = provider({ COFFER_RATE_CACHE_SECONDS: '30' });
  const first = await rates.rate('BTC', 'USD');
  const before = requestCount();
  clock.advance(29_000);
  assert.equal(await rates.rate('BTC', 'USD'), first);
  assert.equal(requestCount(), before);
  clock.advance(2_000);
  await rates.rate('BTC', 'USD');
  assert.equal(requestCount(), before + 4);
});

test('concurrent requests for one pair share one fetch per source', async () => {
  const rates = provider();
  const all = await Promise.all(Array.from({ length: 25 }, () => rates.rate('BTC', 'USD')));
  assert.ok(all.every((rate) => rate === all[0]));
  for (const kind of kinds) assert.equal(exchanges[kind].requests.length, 1, kind);
});

test('stale cache: the last good rate is served until max age, then rate_unavailable', async () => {
  const rates = provider({ COFFER_RATE_CACHE_SECONDS: '30', COFFER_RATE_MAX_AGE_SECONDS: '300' });
  const good = await rates.rate('BTC', 'USD');
  for (const kind of kinds) exchanges[kind].behaviour = 'reset';
  clock.advance(120_000);
  const served = await rates.rate('BTC', 'USD');
  assert.equal(served, good, 'the last good rate, with its original time');
  assert.equal(served.at.toISOString(), '2026-01-01T00:00:00.000Z');
  clock.advance(181_000);
  await assertUnavailable(rates.rate('BTC', 'USD'));
});

test('after a failed refresh the pair is not fetched again until the backoff passes', async () => {
  for (const kind of kinds) exchanges[kind].behaviour = 'http-503';
  const rates = provider();
  await assertUnavailable(rates.rate('BTC', 'USD'));
  const afterFirst = requestCount();
  await assertUnavailable(rates.rate('BTC', 'USD'));
  assert.equal(requestCount(), afterFirst, 'no network during backoff');
  for (const kind of kinds) exchanges[kind].behaviour = 'ok';
  clock.advance(5_000);
  assert.equal(rateText((await rates.rate('BTC', 'USD')).value), '65002.5');
});

test('an altcoin/BTC pair too few sources quote is derived via USD, naming both legs', async () => {
  const rate = await provider().rate('USDC', 'BTC');
  // Only CoinGecko quotes USDC/BTC directly; 0.9999 / 65002.5, cut at 18 decimals.
  assert.equal(rateText(rate.value), '0.000015382485289027');
  assert.deepEqual(rate.sources, [
    'kraken:USDC/USD', 'coinbase:USDC/USD', 'bitstamp:USDC/USD', 'coingecko:USDC/USD',
    'kraken:BTC/USD', 'coinbase:BTC/USD', 'bitstamp:BTC/USD', 'coingecko:BTC/USD',
  ]);
  const direct = await provider({ COFFER_RATE_MIN_SOURCES: '1' }).rate('USDC', 'BTC');
  assert.deepEqual([rateText(direct.value), direct.sources], ['0.0000153', ['coingecko']]);
});

test('BTC balances paid in BTC use the identity rate without any request', async () => {
  const rate = await provider().rate('BTC', 'BTC');
  assert.equal(rateText(rate.value), '1');
  assert.equal(requestCount(), 0);
});

test('sandbox defaults to the static table and records it as the source', async () => {
  const rates = createRateProvider(ratesConfigFromEnv({ COFFER_STATIC_RATES: 'ETH/USD=3100.5' }, 'sandbox'), { clock, log: silentLogger });
  const btc = await rates.rate('BTC', 'USD');
  assert.deepEqual([rateText(btc.value), btc.sources], ['65000', ['static']]);
  assert.equal(rateText((await rates.rate('ETH', 'USD')).value), '3100.5');
  assert.equal(rateText((await rates.rate('USDT', 'BTC')).value), '0.00001538');
});
