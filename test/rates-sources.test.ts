// Proves each price-source adapter reads the documented endpoint and answer shape exactly,
// against local HTTP servers, and turns every kind of failure into a RateSourceError.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createBitstampSource } from '../src/rates/bitstamp-source.ts';
import { createCoinbaseSource } from '../src/rates/coinbase-source.ts';
import { createCoinGeckoSource } from '../src/rates/coingecko-source.ts';
import { createKrakenSource } from '../src/rates/kraken-source.ts';
import { RateSourceError } from '../src/rates/rate-source.ts';
import type { RateSource } from '../src/rates/rate-source.ts';
import { startExchanges } from './support/rate-servers.ts';
import type { ExchangeKind, FakeExchange } from './support/rate-servers.ts';

let exchanges: Awaited<ReturnType<typeof startExchanges>>;
const sources = {} as Record<ExchangeKind, RateSource>;
const kinds: readonly ExchangeKind[] = ['kraken', 'coinbase', 'bitstamp', 'coingecko'];

before(async () => {
  exchanges = await startExchanges({ 'BTC/USD': '65000.1', 'ETH/EUR': '2760.55', 'ETH/BTC': '0.04615' });
  // The first fetch in a process loads the HTTP client; keep that out of the timeouts under test.
  await (await fetch(exchanges.kraken.url)).text();
  const http = (kind: ExchangeKind) => ({ baseUrl: exchanges[kind].url, timeoutMs: 500, fetch });
  sources.kraken = createKrakenSource(http('kraken'));
  sources.coinbase = createCoinbaseSource(http('coinbase'));
  sources.bitstamp = createBitstampSource(http('bitstamp'));
  sources.coingecko = createCoinGeckoSource({ ...http('coingecko'), apiKey: 'demo-key' });
});
after(async () => exchanges.closeAll());

async function withBehaviour(exchange: FakeExchange, behaviour: FakeExchange['behaviour'], run: () => Promise<void>): Promise<void> {
  exchange.behaviour = behaviour;
  try {
    await run();
  } finally {
    exchange.behaviour = 'ok';
  }
}

test('every source reads its recorded-shape answer exactly', async () => {
  for (const kind of kinds) {
    assert.deepEqual(await sources[kind].fetchPrice('BTC', 'USD'), { units: 650001n, scale: 1 }, kind);
    assert.deepEqual(await sources[kind].fetchPrice('ETH', 'EUR'), { units: 276055n, scale: 2 }, kind);
    assert.deepEqual(await sources[kind].fetchPrice('ETH', 'BTC'), { units: 4615n, scale: 5 }, kind);
  }
  assert.ok(exchanges.kraken.requests.includes('/0/public/Ticker?pair=XBTUSD'));
  assert.ok(exchanges.coinbase.requests.includes('/v2/prices/BTC-USD/spot'));
  assert.ok(exchanges.bitstamp.requests.includes('/api/v2/ticker/btcusd/'));
  assert.ok(exchanges.coingecko.requests.includes('/api/v3/simple/price?ids=bitcoin&vs_currencies=usd'));
});

test('a JSON-number price is read from its text, never through a float', async () => {
  exchanges.coingecko.setPrice('USDC/BTC', '1.5384615384615385e-05');
  assert.deepEqual(await sources.coingecko.fetchPrice('USDC', 'BTC'), { units: 15384615384615n, scale: 18 });
  exchanges.coingecko.setPrice('BTC/EUR', '59800.123456789012345');
  assert.deepEqual(await sources.coingecko.fetchPrice('BTC', 'EUR'), { units: 59800123456789012345n, scale: 15 });
});

test('sources declare the pairs they quote', () => {
  assert.equal(sources.kraken.supports('USDT', 'EUR'), true);
  assert.equal(sources.kraken.supports('USDC', 'BTC'), false);
  assert.equal(sources.coinbase.supports('USDT', 'BTC'), false);
  assert.equal(sources.coingecko.supports('USDT', 'BTC'), true);
  assert.equal(sources.coingecko.supports('BTC', 'BTC'), false);
});

test('zero, negative and junk prices are refused by every source', async () => {
  for (const bad of ['0', '0.00', '-65000', '1e13']) {
    for (const kind of kinds) {
      exchanges[kind].setPrice('BTC/USD', bad);
      await assert.rejects(sources[kind].fetchPrice('BTC', 'USD'), RateSourceError, `${kind} ${bad}`);
    }
  }
  for (const kind of ['kraken', 'coinbase', 'bitstamp'] as const) {
    exchanges[kind].setPrice('BTC/USD', 'NaN');
    await assert.rejects(sources[kind].fetchPrice('BTC', 'USD'), /not a number/, kind);
  }
  for (const kind of kinds) exchanges[kind].setPrice('BTC/USD', '65000.1');
});

test('failures of every kind become a RateSourceError naming the source', async () => {
  const cases: Array<[FakeExchange['behaviour'], RegExp]> = [
    ['http-503', /HTTP 503/],
    ['reset', /request failed/],
    ['malformed', /malformed JSON/],
    ['html', /malformed JSON/],
    ['slow', /no answer within 500 ms/],
    ['error-envelope', /./],
    ['huge', /response larger than 65536 bytes/],
  ];
  for (const kind of kinds) {
    for (const [behaviour, message] of cases) {
      await withBehaviour(exchanges[kind], behaviour, async () => {
        await assert.rejects(sources[kind].fetchPrice('BTC', 'USD'), (error: unknown) => {
          assert.ok(error instanceof RateSourceError, `${kind} ${behaviour}`);
          assert.equal(error.source, kind);
          assert.match(error.message, message, `${kind} ${behaviour}`);
          return true;
        });
      });
    }
  }
});

test('a pair the API does not know is an error, not a zero', async () => {
  await assert.rejects(sources.kraken.fetchPrice('USDT', 'USD'), /EQuery:Unknown asset pair/);
  await assert.rejects(sources.coinbase.fetchPrice('USDT', 'USD'), /HTTP 404/);
  await assert.rejects(sources.bitstamp.fetchPrice('USDT', 'USD'), /HTTP 404/);
  await assert.rejects(sources.coingecko.fetchPrice('USDT', 'USD'), /no entry for tether/);
  await assert.rejects(sources.kraken.fetchPrice('USDC', 'BTC'), /does not quote/);
});

test('a cancelled request stops at once', async () => {
  await withBehaviour(exchanges.kraken, 'slow', async () => {
    const controller = new AbortController();
    const pending = sources.kraken.fetchPrice('BTC', 'USD', controller.signal);
    controller.abort();
    await assert.rejects(pending, /cancelled/);
  });
});
