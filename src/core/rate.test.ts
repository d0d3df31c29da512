// Proves price rounds up, credit rounds down, and an exact payment of the price credits at
// least the requested amount — exactly it when no rounding was needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { creditFor, priceFor, rateFromText } from './rate.ts';

const at = new Date('2026-01-01T00:00:00Z');
const btc = { unitScale: 8, pricePrecision: 8 };
const eth = { unitScale: 18, pricePrecision: 8 };

test('USD 1000 at 50,000 USD/BTC is 0.02 BTC', () => {
  const rate = rateFromText('BTC', 'USD', '50000', ['static'], at).value;
  assert.equal(priceFor(100000n, 'USD', rate, btc), 2_000_000n);
  assert.equal(creditFor(2_000_000n, 'USD', rate, btc), 100000n);
});

test('a price that does not divide evenly rounds up to the price precision', () => {
  const rate = rateFromText('ETH', 'USD', '3000.33', ['static'], at).value;
  const price = priceFor(1000n, 'USD', rate, eth); // 10 USD
  assert.equal(price % 10n ** 10n, 0n, 'at most 8 decimals');
  assert.ok(creditFor(price, 'USD', rate, eth) >= 1000n);
  assert.ok(creditFor(price - 10n ** 10n, 'USD', rate, eth) < 1000n, 'one step less would not pay');
});

test('paying the quoted price always covers the requested amount; one unit less never does', () => {
  fc.assert(fc.property(
    fc.bigInt({ min: 1n, max: 10n ** 10n }),
    fc.bigInt({ min: 1n, max: 10n ** 9n }),
    fc.integer({ min: 0, max: 6 }),
    (amount, rateUnits, rateScale) => {
      const rate = { units: rateUnits, scale: rateScale };
      const price = priceFor(amount, 'USD', rate, btc);
      assert.ok(creditFor(price, 'USD', rate, btc) >= amount);
      if (price > 0n) assert.ok(creditFor(price - 1n, 'USD', rate, btc) < amount);
    }));
});
