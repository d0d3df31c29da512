// The response writer: exact decimals verbatim, everything else exactly as JSON.stringify writes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonDecimal, writeJson } from './json-writer.ts';

test('plain JSON values are written exactly as JSON.stringify writes them', () => {
  fc.assert(fc.property(fc.jsonValue(), (value) => writeJson(value) === JSON.stringify(value)), { numRuns: 500 });
  const odd = { 'a"b': 1, 'ü': 'x\u0000y', '': [undefined, null], skip: undefined, when: new Date(0), nested: { 'line\nbreak': '\\' } };
  assert.equal(writeJson(odd), JSON.stringify(odd));
});

test('exact decimals and bigints are written as JSON numbers, digit for digit', () => {
  assert.equal(writeJson({ amount: new JsonDecimal('21000000.12345678'), units: 12345678901234567890n, neg: new JsonDecimal('-0.5') }),
    '{"amount":21000000.12345678,"units":12345678901234567890,"neg":-0.5}');
  assert.equal(writeJson([new JsonDecimal('0'), 1.5]), '[0,1.5]');
  for (const bad of ['1e5', '01', '.5', '1.', 'NaN', '', '- 1']) assert.throws(() => new JsonDecimal(bad), RangeError);
});
