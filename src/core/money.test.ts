// Proves decimal parsing is exact and strict, and formatting round-trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { divide, formatDecimal, formatFixed, parseDecimal, rescale, roundToPrecision, Rounding } from './money.ts';

test('parses plain decimals exactly at the given scale', () => {
  assert.equal(parseDecimal('10', 2), 1000n);
  assert.equal(parseDecimal('10.5', 2), 1050n);
  assert.equal(parseDecimal('10.50', 2), 1050n);
  assert.equal(parseDecimal('10.500000', 2), 1050n);
  assert.equal(parseDecimal('0.00000001', 8), 1n);
  assert.equal(parseDecimal('123456789012345678901234567890', 0), 123456789012345678901234567890n);
});

test('rejects excess precision, signs, exponents and junk instead of rounding', () => {
  for (const bad of ['10.001', '-1', '+1', '1e3', '1E-2', ' 1', '1 ', '', '.5', '5.', '0x10', 'NaN', 'Infinity', '1,5', '١']) {
    assert.throws(() => parseDecimal(bad, 2), { name: 'CofferError' }, bad);
  }
});

test('formats the shortest exact text and fixed text', () => {
  assert.equal(formatDecimal(1050n, 2), '10.5');
  assert.equal(formatDecimal(100000n, 2), '1000');
  assert.equal(formatDecimal(-1n, 2), '-0.01');
  assert.equal(formatDecimal(1n, 18), '0.000000000000000001');
  assert.equal(formatFixed(1050n, 2), '10.50');
  assert.equal(formatFixed(-5n, 2), '-0.05');
});

test('format then parse is the identity for any amount and scale', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), (units, scale) => {
    assert.equal(parseDecimal(formatDecimal(units, scale), scale), units);
    assert.equal(parseDecimal(formatFixed(units, scale), scale), units);
  }));
});

test('division and rescaling name their rounding', () => {
  assert.equal(divide(10n, 3n, Rounding.down), 3n);
  assert.equal(divide(10n, 3n, Rounding.up), 4n);
  assert.equal(divide(9n, 3n, Rounding.up), 3n);
  assert.equal(rescale(123456n, 11, 8, Rounding.down), 123n);
  assert.equal(rescale(123456n, 11, 8, Rounding.up), 124n);
  assert.equal(rescale(5n, 8, 11, Rounding.down), 5000n);
  assert.equal(roundToPrecision(1_000_000_000_000_000_001n, 18, 8, Rounding.up), 1_000_000_010_000_000_000n);
});
