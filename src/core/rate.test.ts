// Proves price rounds up, credit rounds down, and an exact payment of the price credits at
// least the requested amount — exactly it when no rounding was needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDecimal } from './money.ts';
import type { Decimal } from './money.ts';
import { creditFor, priceFor } from './rate.ts';

/** A rate's value written as it reads, e.g. '3000.33'. */
function rateValue(text: string): Decimal {
  const scale = (text.split('.')[1] ?? '').length;
  return { units: parseDecimal(text, scale), scale };
}
const btc = { unitScale: 8, pricePrecision: 8 };
const eth = { unitScale: 18, pricePrecision: 8 };

test('USD 1000 at 50,000 USD/BTC is 0.02 BTC', () => {
  const rate = rateValue('50000');
  assert.equal(priceFor(100000n, 'USD', rate, btc), 2_000_000n);
  assert.equal(creditFor(2_000_000n, 'USD', rate, btc), 100000n);
});

test('a price that does not divide evenly rounds up to the price precision', () => {
  const rate = rateValue('3000.33');
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
