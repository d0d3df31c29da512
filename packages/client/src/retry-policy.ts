// When the client retries and how long it waits. Retries are bounded; waits grow exponentially
// with jitter (so many clients failing together do not retry in lockstep); a server-sent
// Retry-After is honoured as given, never shortened.

import { ClientLimits } from './limits.ts';

export interface RetrySettings {
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After above this is not waited out; the error goes to the caller instead. */
  readonly maxRetryAfterMs: number;
}

export const defaultRetrySettings: RetrySettings = {
  maxRetries: ClientLimits.maxRetriesDefault,
  initialDelayMs: ClientLimits.retryInitialDelayMsDefault,
  maxDelayMs: ClientLimits.retryMaxDelayMsDefault,
  maxRetryAfterMs: ClientLimits.retryAfterMsMaxDefault,
};

/**
 * Whether an error status may be retried. 429 means the server refused before doing anything,
 * so it is safe for any request. 409 (a duplicate still in flight, or a conflict the server asks
 * to retry) and 5xx are retried only when repeating the request cannot repeat its effect: GETs,
 * and POSTs carrying an Idempotency-Key (the client puts one on every POST).
 */
export function isRetryableStatus(status: number, idempotent: boolean): boolean {
  if (status === 429) return true;
  if (!idempotent) return false;
  return status === 409 || status === 408 || status >= 500;
}

/** Exponential backoff with "equal jitter": half the step fixed, half random. `retry` counts from 0. */
export function backoffDelayMs(retry: number, settings: RetrySettings, random: () => number): number {
  const step = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** Math.min(retry, 30));
  return Math.round(step / 2 + (step / 2) * clampUnit(random()));
}

/** The wait after a Retry-After: what the server said plus a little jitter, or null when too long to wait. */
export function retryAfterDelayMs(retryAfterMs: number, settings: RetrySettings, random: () => number): number | null {
  if (retryAfterMs > settings.maxRetryAfterMs) return null;
  const jitter = Math.min(ClientLimits.retryAfterJitterMsMax, retryAfterMs / 10);
  return Math.ceil(retryAfterMs + jitter * clampUnit(random()));
}

/** Retry-After as delay-seconds or an HTTP date, in milliseconds from `nowMs`; null when absent or unreadable. */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
