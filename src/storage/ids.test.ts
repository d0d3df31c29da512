// Proves the id format: RFC 9562 version 7 layout, time order across milliseconds, no repeats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPrefixedId, newUuid, uuidV7From } from './ids.ts';

test('UUIDv7: layout, version and variant bits, timestamp first', () => {
  const id = uuidV7From(0x0192_3456_789a, new Uint8Array(10).fill(0xff));
  assert.equal(id, '01923456-789a-7fff-bfff-ffffffffffff');
  assert.equal(uuidV7From(0, new Uint8Array(10)), '00000000-0000-7000-8000-000000000000');
  assert.throws(() => uuidV7From(-1, new Uint8Array(10)), RangeError);
  assert.throws(() => uuidV7From(0, new Uint8Array(9)), RangeError);
  assert.match(newUuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(newPrefixedId('evt'), /^evt_[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
});

test('ids of later milliseconds sort after earlier ones; 100,000 ids do not repeat', async () => {
  const before = newUuid();
  await new Promise((resolve) => setTimeout(resolve, 3));
  assert.ok(newUuid() > before);
  const ids = new Set(Array.from({ length: 100_000 }, () => newUuid()));
  assert.equal(ids.size, 100_000);
});
