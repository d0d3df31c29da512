// Proves prices are read exactly from source text (string or JSON number) and that zero,
// negative, non-finite, junk and absurd magnitudes are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDecimal } from '../core/money.ts';
import { InvalidPriceError, parsePriceText } from './price-text.ts';

test('reads plain, padded and exponent forms exactly', () => {
  const cases: Array<[string, bigint, number]> = [
    ['65000', 65000n, 0],
    ['30300.10000', 303001n, 1],
    ['0.1', 1n, 1],
    ['1.5e-05', 15n, 6],
    ['1.5E-5', 15n, 6],
    ['6.5e4', 65000n, 0],
    ['6.5e+4', 65000n, 0],
    ['0.99987', 99987n, 5],
    ['1e-12', 1n, 12],
  ];
  for (const [text, units, scale] of cases) assert.deepEqual(parsePriceText(text), { units, scale }, text);
});

test('cuts digits beyond 18 decimals rather than refusing a fully printed float', () => {
  assert.deepEqual(parsePriceText('0.0000153846153846153846'), { units: 15384615384615n, scale: 18 });
});

test('refuses zero, negative, non-finite, junk and absurd values', () => {
  const bad = ['0', '0.000', '-1', '-0.5', '+1', 'NaN', 'Infinity', '-Infinity', '', ' 1', '1 ', '1,5', '0x10', '.5',
    '5.', '1e13', '1000000000000', '1e-13', '0.0000000000001', '1e999999', '1e-99999', 'abc', '1.2.3', '１'];
  for (const text of bad) assert.throws(() => parsePriceText(text), InvalidPriceError, text);
});

test('any plain decimal in range parses to itself', () => {
  fc.assert(fc.property(fc.bigInt({ min: 1n, max: 10n ** 19n }), fc.integer({ min: 8, max: 12 }), (units, scale) => {
    const text = formatDecimal(units, scale);
    assert.equal(formatDecimal(parsePriceText(text).units, parsePriceText(text).scale), text);
  }));
});
