// Proves the shared request policy: a refused request is split (never retried unchanged) down to
// the minimum and then reported; sizes grow back only slowly and never past a provider's cap;
// Retry-After is honoured (both forms) and other failures back off exponentially.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyLimits } from './limits.ts';
import {
  AdaptiveSize, RemoteFailureKind, RemoteRequestError, RequestPacer, parseRetryAfter, withAdaptiveSize,
} from './request-policy.ts';

const classify = (e: unknown) => (e instanceof RemoteRequestError ? e.kind : null);

test('a too-large refusal is split until it fits, then the size grows back slowly', async () => {
  const size = new AdaptiveSize({ initial: 100, min: 1, max: 100, growAfterSuccesses: 2 });
  const tried: number[] = [];
  const got = await withAdaptiveSize(size, async (n) => {
    tried.push(n);
    if (n > 10) throw new RemoteRequestError(RemoteFailureKind.tooLarge, 'block range too large');
    return n;
  }, classify);
  assert.deepEqual(tried, [100, 50, 25, 12, 6]);
  assert.equal(got, 6);
  size.succeeded();
  assert.equal(size.value, 7, 'grows by a quarter (at least 1) after two successes');
});

test('at the minimum the failure is thrown, not retried unchanged', async () => {
  const size = new AdaptiveSize({ initial: 2, min: 1, max: 10 });
  let calls = 0;
  await assert.rejects(withAdaptiveSize(size, async () => {
    calls += 1;
    throw new RemoteRequestError(RemoteFailureKind.timeout, 'timed out');
  }, classify), /timed out/);
  assert.equal(calls, 2);
});

test('rate limits and outages are not split: the pacer handles them', async () => {
  const size = new AdaptiveSize({ initial: 8, min: 1, max: 8 });
  await assert.rejects(withAdaptiveSize(size, async () => {
    throw new RemoteRequestError(RemoteFailureKind.rateLimited, '429', 2000);
  }, classify), /429/);
  assert.equal(size.value, 8);
});

test('a provider cap is never grown past', () => {
  const size = new AdaptiveSize({ initial: 100, min: 1, max: 1000, growAfterSuccesses: 1 });
  size.cap(10);
  assert.equal(size.value, 10);
  for (let i = 0; i < 20; i++) size.succeeded();
  assert.equal(size.value, 10);
  size.uncap();
  size.succeeded();
  assert.equal(size.value, 12);
});

test('the pacer honours Retry-After, capped, and backs off exponentially otherwise', () => {
  const pacer = new RequestPacer();
  assert.equal(pacer.delayMs(0), 0);
  assert.equal(pacer.failed(new RemoteRequestError(RemoteFailureKind.rateLimited, '429', 3000), 1000), 3000);
  assert.equal(pacer.delayMs(2000), 2000);
  assert.equal(pacer.failed(new RemoteRequestError(RemoteFailureKind.rateLimited, '429', 3_600_000), 0), PolicyLimits.retryAfterMsMax);
  pacer.succeeded();
  const waits = [1, 2, 3].map(() => pacer.failed(null, 0));
  assert.deepEqual(waits, [PolicyLimits.backoffMsMin, PolicyLimits.backoffMsMin * 2, PolicyLimits.backoffMsMin * 4]);
  for (let i = 0; i < 40; i++) pacer.failed(null, 0);
  assert.equal(pacer.delayMs(0), PolicyLimits.backoffMsMax);
});

test('Retry-After is read as delay-seconds or an HTTP-date', () => {
  const now = Date.parse('2026-12-06T08:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Sun, 06 Dec 2026 08:00:05 GMT', now), 5000);
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(parseRetryAfter(null, now), null);
});
