// Proves the exact JSON parser keeps number text verbatim and refuses what JSON.parse would
// silently accept or resolve (duplicate keys) as well as what it rejects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isJsonObject, JsonNumber, JsonSyntaxError, parseExactJson } from './exact-json.ts';

test('numbers keep their source text, strings and structure decode as JSON.parse would', () => {
  const value = parseExactJson(' {"a":[ "30300.10000", 0.1, 1.5e-05, -0, true, null ], "b\\u0041\\n":{"c":"x\\"y"}} ');
  assert.ok(isJsonObject(value));
  const a = value['a'];
  assert.ok(Array.isArray(a));
  assert.equal(a[0], '30300.10000');
  assert.deepEqual(a[1], new JsonNumber('0.1'));
  assert.deepEqual(a[2], new JsonNumber('1.5e-05'));
  assert.deepEqual(a[3], new JsonNumber('-0'));
  assert.equal(a[4], true);
  assert.equal(a[5], null);
  assert.deepEqual(value['bA\n'], Object.assign(Object.create(null) as object, { c: 'x"y' }));
});

test('a number too long for float keeps every digit', () => {
  const value = parseExactJson('{"p":67187.123456789012345678}');
  assert.ok(isJsonObject(value));
  assert.equal((value['p'] as JsonNumber).text, '67187.123456789012345678');
});

test('refuses malformed, ambiguous and oversized input', () => {
  const bad = [
    '', '{', '{"a":1,}', '[1,]', '{"a":1}{', '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":+1}', '{"a":NaN}',
    '{"a":Infinity}', "{'a':1}", '{"a":"\u0001"}', '{"a":"\\x"}', '{"a":1,"a":2}', 'tru', '<html>',
    '{"a":' + '1'.repeat(100) + '}', '['.repeat(40) + ']'.repeat(40),
  ];
  for (const text of bad) assert.throws(() => parseExactJson(text), JsonSyntaxError, text);
});

test('"__proto__" is an ordinary key, not a prototype change', () => {
  const value = parseExactJson('{"__proto__":{"x":"1"}}');
  assert.ok(isJsonObject(value));
  assert.equal(Object.getPrototypeOf(value), null);
  assert.ok(Object.hasOwn(value, '__proto__'));
});
