// Proves input amounts are taken exactly (strings or bigint + scale), JS numbers are refused,
// and decimal text converts to base units and back without loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { amountText, formatUnits, plainDecimal, toUnits } from './decimal.ts';
import { CofferInputError } from './errors.ts';
import { decimalNumber, writeBody } from './json-body.ts';

test('amounts are decimal strings or bigint units with a scale', () => {
  assert.equal(amountText('10.50'), '10.50');
  assert.equal(amountText({ units: 1050n, scale: 2 }), '10.5');
  assert.equal(amountText({ units: 2_099_999_999_999_999n, scale: 8 }), '20999999.99999999');
  assert.equal(amountText({ units: 0n, scale: 0 }), '0');
});

test('JS numbers, signs, exponents and junk are refused before anything is sent', () => {
  for (const bad of [10.5, '1e3', '-1', ' 1', '1.', '.5', '1,5', '', { units: -1n, scale: 2 }, { units: 1n, scale: 2.5 }]) {
    assert.throws(() => amountText(bad as never), CofferInputError, JSON.stringify(String(bad)));
  }
});

test('toUnits is exact and refuses excess precision instead of rounding', () => {
  assert.equal(toUnits('20999999.99999999', 8), 2_099_999_999_999_999n);
  assert.equal(toUnits('-0.01', 2), -1n);
  assert.equal(toUnits('10.500', 2), 1050n);
  assert.throws(() => toUnits('10.001', 2), /more than 2 decimal places/);
});

test('formatUnits and toUnits round-trip every amount at every scale', () => {
  fc.assert(fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), (units, scale) => {
    assert.equal(toUnits(formatUnits(units, scale), scale), units);
  }));
});

test('exponent forms expand to plain decimals exactly', () => {
  assert.equal(plainDecimal('1.5e-7'), '0.00000015');
  assert.equal(plainDecimal('12e2'), '1200');
  assert.equal(plainDecimal('-1.23E1'), '-12.3');
  assert.equal(plainDecimal('0e5'), '0');
  assert.equal(plainDecimal('10.50'), '10.50');
});

test('a body writes amounts as exact JSON numbers', () => {
  const body = writeBody({ amount: decimalNumber(amountText('0020999999.99999999')), currency: 'BTC', skip: undefined, confirmations: 2 });
  assert.equal(body, '{"amount":20999999.99999999,"currency":"BTC","confirmations":2}');
  assert.throws(() => writeBody({ confirmations: 1.5 }), /safe integer/);
});
