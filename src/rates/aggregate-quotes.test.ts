// Proves the aggregate is the exact median after dropping far quotes, cuts only with three or
// more quotes, and refuses (rather than guesses) when too few quotes agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Decimal } from '../core/money.ts';
import { aggregateQuotes, medianOf, withinTolerance } from './aggregate-quotes.ts';
import { parsePriceText } from './price-text.ts';

const q = (source: string, text: string) => ({ source, value: parsePriceText(text) });
const d = (text: string): Decimal => parsePriceText(text);
const policy = { minSources: 2, outlierBasisPoints: 200n };

test('median of an odd count is the middle, of an even count the exact midpoint', () => {
  assert.deepEqual(medianOf([d('3'), d('1'), d('2')]), d('2'));
  assert.deepEqual(medianOf([d('65000.1'), d('65000.2')]), d('65000.15'));
  assert.deepEqual(medianOf([d('1'), d('2'), d('4'), d('100')]), d('3'));
  assert.deepEqual(medianOf([{ units: 1n, scale: 18 }, { units: 2n, scale: 18 }]), { units: 1n, scale: 18 });
});

test('a quote far from the others is dropped and named', () => {
  const result = aggregateQuotes([q('kraken', '65000'), q('coinbase', '65010'), q('bitstamp', '64990'), q('coingecko', '6500')], policy);
  assert.ok(result.ok);
  assert.deepEqual(result.value, d('65000'));
  assert.deepEqual(result.sources, ['kraken', 'coinbase', 'bitstamp']);
  assert.deepEqual(result.dropped, ['coingecko']);
});

test('two quotes are never cut: agreeing ones give the midpoint, disagreeing ones give no rate', () => {
  const agree = aggregateQuotes([q('a', '100'), q('b', '101')], policy);
  assert.ok(agree.ok);
  assert.deepEqual(agree.value, d('100.5'));
  assert.equal(aggregateQuotes([q('a', '100'), q('b', '150')], policy).ok, false);
});

test('too few sources, or too few agreeing after the cut, give no rate', () => {
  assert.equal(aggregateQuotes([q('a', '100')], policy).ok, false);
  assert.equal(aggregateQuotes([], { minSources: 1, outlierBasisPoints: 200n }).ok, false);
  const spread = aggregateQuotes([q('a', '100'), q('b', '200'), q('c', '300')], policy);
  assert.equal(spread.ok, false);
  assert.deepEqual(spread.ok ? [] : spread.dropped, ['a', 'c']);
  const single = aggregateQuotes([q('static', '65000')], { minSources: 1, outlierBasisPoints: 200n });
  assert.ok(single.ok);
});

test('tolerance is inclusive and exact', () => {
  assert.equal(withinTolerance(d('102'), d('100'), 200n), true);
  assert.equal(withinTolerance(d('102.000000001'), d('100'), 200n), false);
  assert.equal(withinTolerance(d('98'), d('100'), 200n), true);
  assert.equal(withinTolerance(d('97.99'), d('100'), 200n), false);
});

test('the aggregate always lies between the smallest and largest kept quote', () => {
  fc.assert(fc.property(fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { minLength: 1, maxLength: 7 }), (units) => {
    const quotes = units.map((u, i) => ({ source: `s${i}`, value: { units: u, scale: 4 } }));
    const result = aggregateQuotes(quotes, { minSources: 1, outlierBasisPoints: 500n });
    if (!result.ok) return;
    const kept = quotes.filter((x) => result.sources.includes(x.source)).map((x) => x.value.units * 10n ** 14n);
    const v = result.value.units * 10n ** BigInt(18 - result.value.scale);
    assert.ok(kept.every((k) => k >= v) === false || kept.some((k) => k === v));
    assert.ok(v >= kept.reduce((a, b) => (a < b ? a : b)) && v <= kept.reduce((a, b) => (a > b ? a : b)));
  }));
});
