// Proves rates configuration defaults per mode and refuses bad values with a ConfigError that
// names the setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../core/errors.ts';
import { formatDecimal } from '../core/money.ts';
import { parseStaticRates, ratesConfigFromEnv } from './rates-config.ts';

test('sandbox and regtest default to the static table; testnet and live to the four market sources', () => {
  assert.deepEqual(ratesConfigFromEnv({}, 'sandbox').sources, ['static']);
  assert.deepEqual(ratesConfigFromEnv({}, 'regtest').sources, ['static']);
  const live = ratesConfigFromEnv({}, 'live');
  assert.deepEqual(live.sources, ['kraken', 'coinbase', 'bitstamp', 'coingecko']);
  assert.equal(live.minSources, 2);
  assert.equal(live.outlierBasisPoints, 200n);
  assert.equal(live.maxAgeMs, 300_000);
  assert.equal(live.cacheTtlMs, 30_000);
  assert.equal(live.timeoutMs, 3_000);
  assert.equal(live.baseUrls.kraken, 'https://api.kraken.com');
  assert.equal(ratesConfigFromEnv({}, 'sandbox').minSources, 1);
});

test('settings are read and trimmed', () => {
  const config = ratesConfigFromEnv({
    COFFER_RATE_SOURCES: ' Kraken, bitstamp ,coingecko', COFFER_RATE_MIN_SOURCES: '3', COFFER_RATE_OUTLIER_PERCENT: '0.75',
    COFFER_RATE_MAX_AGE_SECONDS: '20', COFFER_RATE_TIMEOUT_MS: '1500', COFFER_RATE_KRAKEN_URL: 'https://kraken.example/',
    COFFER_RATE_COINGECKO_API_KEY: ' key ',
  }, 'live');
  assert.deepEqual(config.sources, ['kraken', 'bitstamp', 'coingecko']);
  assert.equal(config.minSources, 3);
  assert.equal(config.outlierBasisPoints, 75n);
  assert.equal(config.maxAgeMs, 20_000);
  assert.equal(config.cacheTtlMs, 20_000, 'the default TTL never exceeds max age');
  assert.equal(config.timeoutMs, 1500);
  assert.equal(config.baseUrls.kraken, 'https://kraken.example');
  assert.equal(config.coingeckoApiKey, 'key');
});

test('bad values name their setting', () => {
  const cases: Array<[Record<string, string>, 'sandbox' | 'live', string]> = [
    [{ COFFER_RATE_SOURCES: 'kraken,binance' }, 'live', 'COFFER_RATE_SOURCES'],
    [{ COFFER_RATE_SOURCES: 'kraken,kraken' }, 'live', 'COFFER_RATE_SOURCES'],
    [{ COFFER_RATE_SOURCES: 'static' }, 'live', 'COFFER_RATE_SOURCES'],
    [{ COFFER_RATE_SOURCES: 'static,kraken' }, 'sandbox', 'COFFER_RATE_SOURCES'],
    [{ COFFER_RATE_MIN_SOURCES: '5' }, 'live', 'COFFER_RATE_MIN_SOURCES'],
    [{ COFFER_RATE_MIN_SOURCES: '0' }, 'live', 'COFFER_RATE_MIN_SOURCES'],
    [{ COFFER_RATE_MIN_SOURCES: 'two' }, 'live', 'COFFER_RATE_MIN_SOURCES'],
    [{ COFFER_RATE_OUTLIER_PERCENT: '0' }, 'live', 'COFFER_RATE_OUTLIER_PERCENT'],
    [{ COFFER_RATE_OUTLIER_PERCENT: '51' }, 'live', 'COFFER_RATE_OUTLIER_PERCENT'],
    [{ COFFER_RATE_OUTLIER_PERCENT: '1.005' }, 'live', 'COFFER_RATE_OUTLIER_PERCENT'],
    [{ COFFER_RATE_OUTLIER_PERCENT: '-1' }, 'live', 'COFFER_RATE_OUTLIER_PERCENT'],
    [{ COFFER_RATE_MAX_AGE_SECONDS: '0' }, 'live', 'COFFER_RATE_MAX_AGE_SECONDS'],
    [{ COFFER_RATE_MAX_AGE_SECONDS: '86400' }, 'live', 'COFFER_RATE_MAX_AGE_SECONDS'],
    [{ COFFER_RATE_MAX_AGE_SECONDS: '60', COFFER_RATE_CACHE_SECONDS: '61' }, 'live', 'COFFER_RATE_CACHE_SECONDS'],
    [{ COFFER_RATE_TIMEOUT_MS: '10' }, 'live', 'COFFER_RATE_TIMEOUT_MS'],
    [{ COFFER_RATE_TIMEOUT_MS: '1e3' }, 'live', 'COFFER_RATE_TIMEOUT_MS'],
    [{ COFFER_RATE_KRAKEN_URL: 'ftp://x' }, 'live', 'COFFER_RATE_KRAKEN_URL'],
    [{ COFFER_RATE_KRAKEN_URL: 'http://kraken.example' }, 'live', 'COFFER_RATE_KRAKEN_URL'],
    [{ COFFER_RATE_COINBASE_URL: 'https://user:pw@x.example' }, 'live', 'COFFER_RATE_COINBASE_URL'],
    [{ COFFER_RATE_COINGECKO_URL: 'not a url' }, 'live', 'COFFER_RATE_COINGECKO_URL'],
    [{ COFFER_STATIC_RATES: 'BTC/USD=0' }, 'sandbox', 'COFFER_STATIC_RATES'],
    [{ COFFER_STATIC_RATES: 'BTC/USD=-1' }, 'sandbox', 'COFFER_STATIC_RATES'],
    [{ COFFER_STATIC_RATES: 'BTC/GBP=1' }, 'sandbox', 'COFFER_STATIC_RATES'],
    [{ COFFER_STATIC_RATES: 'BTC/BTC=1' }, 'sandbox', 'COFFER_STATIC_RATES'],
    [{ COFFER_STATIC_RATES: 'BTC/USD=1,BTC/USD=2' }, 'sandbox', 'COFFER_STATIC_RATES'],
    [{ COFFER_STATIC_RATES: 'BTC/USD:65000' }, 'sandbox', 'COFFER_STATIC_RATES'],
  ];
  for (const [env, mode, setting] of cases) {
    assert.throws(() => ratesConfigFromEnv(env, mode), (error: unknown) => {
      assert.ok(error instanceof ConfigError, JSON.stringify(env));
      assert.equal(error.setting, setting, JSON.stringify(env));
      return true;
    });
  }
});

test('static overrides lay over the realistic defaults', () => {
  const table = parseStaticRates('btc/usd = 70000.5, USDT/EUR=0.93');
  const text = (pair: 'BTC/USD' | 'USDT/EUR' | 'ETH/USD') => {
    const value = table.get(pair);
    return value === undefined ? undefined : formatDecimal(value.units, value.scale);
  };
  assert.equal(text('BTC/USD'), '70000.5');
  assert.equal(text('USDT/EUR'), '0.93');
  assert.equal(text('ETH/USD'), '3000');
});
