// Proves paging parameters are checked and formatted as the API expects before a request goes out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageQuery } from './page.ts';
import { CofferInputError } from './errors.ts';

test('dates become UTC "YYYY-MM-DD HH:MM:SS"; absent parameters stay absent', () => {
  assert.deepEqual(pageQuery({ start: 50, limit: 25, after: new Date('2026-03-04T05:06:07.890Z'), before: '2026-03-05 00:00:00' }), {
    start: '50', limit: '25', after: '2026-03-04 05:06:07', before: '2026-03-05 00:00:00',
  });
  assert.deepEqual(pageQuery(), { start: undefined, limit: undefined, after: undefined, before: undefined });
});

test('out-of-range offsets and limits and malformed times are refused', () => {
  for (const bad of [{ limit: 0 }, { limit: 51 }, { start: -1 }, { start: 100_001 }, { limit: 1.5 }, { after: '2026-03-04T05:06:07Z' }, { before: new Date('x') }]) {
    assert.throws(() => pageQuery(bad), CofferInputError, JSON.stringify(bad));
  }
});
