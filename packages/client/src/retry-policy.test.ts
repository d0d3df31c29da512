// Proves which answers are retried, that backoff grows and stays bounded, and that a
// Retry-After is honoured as given (never shortened) or handed back when too long.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs, defaultRetrySettings, isRetryableStatus, parseRetryAfterMs, retryAfterDelayMs } from './retry-policy.ts';

test('429 always; 409 and 5xx only for idempotent requests; other 4xx never', () => {
  assert.equal(isRetryableStatus(429, false), true);
  for (const status of [409, 500, 502, 503, 504]) {
    assert.equal(isRetryableStatus(status, true), true, String(status));
    assert.equal(isRetryableStatus(status, false), false, String(status));
  }
  for (const status of [400, 401, 403, 404, 413, 422]) assert.equal(isRetryableStatus(status, true), false, String(status));
});

test('backoff doubles with jitter inside [step/2, step] and stops growing at the cap', () => {
  const settings = { ...defaultRetrySettings, initialDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(backoffDelayMs(0, settings, () => 0), 50);
  assert.equal(backoffDelayMs(0, settings, () => 1), 100);
  assert.equal(backoffDelayMs(2, settings, () => 1), 400);
  assert.equal(backoffDelayMs(10, settings, () => 1), 1000);
  assert.equal(backoffDelayMs(60, settings, () => 0.5), 750);
});

test('Retry-After: seconds or an HTTP date; waited out in full, or refused when too long', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfterMs('3', now), 3000);
  assert.equal(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000);
  assert.equal(parseRetryAfterMs('soon', now), null);
  assert.equal(parseRetryAfterMs(null, now), null);
  const settings = { ...defaultRetrySettings, maxRetryAfterMs: 10_000 };
  assert.equal(retryAfterDelayMs(3000, settings, () => 0), 3000);
  assert.equal(retryAfterDelayMs(3000, settings, () => 1), 3300);
  assert.equal(retryAfterDelayMs(20_000, settings, () => 0), null);
});
