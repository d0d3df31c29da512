// Proves the response parser keeps every number's text exactly and refuses ambiguous JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isJsonObject, JsonNumber, parseExactJson } from './exact-json.ts';
import { exactValue, plainValue } from './wire-values.ts';

test('numbers keep their source text, which a float would change', () => {
  const value = parseExactJson('{"balance":90071992547409.93,"n":[1,-0.5,1e-8]}');
  assert.ok(isJsonObject(value));
  assert.deepEqual(value['balance'], new JsonNumber('90071992547409.93'));
  assert.notEqual(String(JSON.parse('90071992547409.93')), '90071992547409.93');
  assert.deepEqual(exactValue(value), { balance: '90071992547409.93', n: ['1', '-0.5', '0.00000001'] });
  assert.deepEqual(plainValue(value), JSON.parse('{"balance":90071992547409.93,"n":[1,-0.5,1e-8]}'));
});

test('counts become numbers, amounts stay strings', () => {
  const value = parseExactJson('{"confirmations":6,"chain_id":8453,"amount":6,"limit":50}');
  assert.deepEqual(exactValue(value), { confirmations: 6, chain_id: 8453, amount: '6', limit: 50 });
});

test('duplicate keys, trailing text, bad escapes and deep nesting are refused', () => {
  assert.throws(() => parseExactJson('{"a":1,"a":2}'), /duplicate key/);
  assert.throws(() => parseExactJson('{"a":1} x'), /after the JSON value/);
  assert.throws(() => parseExactJson('"\\x"'), /bad escape/);
  assert.throws(() => parseExactJson('['.repeat(100) + ']'.repeat(100)), /nested too deeply/);
  assert.throws(() => parseExactJson('01'), /after the JSON value/);
});

test('a "__proto__" key is data, not a prototype change', () => {
  const value = exactValue(parseExactJson('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.deepEqual(Object.keys(value), ['__proto__']);
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
});

test('strings, escapes and literals parse as JSON.parse does', () => {
  const text = '{"s":"a\\"b\\u00e9\\n","t":true,"f":false,"z":null,"e":[],"o":{}}';
  assert.deepEqual(plainValue(parseExactJson(text)), JSON.parse(text));
});
