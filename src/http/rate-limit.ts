// Fixed-window request limits per credential (or per client address before authentication),
// with Bitrefill's X-RateLimit-* headers and the IETF draft's RateLimit-* ones. In memory, per process: behind a load balancer each
// process enforces its share. Bounded: past Limits.rateLimitKeysMax keys the oldest window goes.

import { Limits } from '../core/limits.ts';
import type { Clock } from '../core/clock.ts';

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Unix seconds when the window resets (X-RateLimit-Reset, as Bitrefill documents it). */
  readonly resetSeconds: number;
  /** Seconds from now until the window resets (RateLimit-Reset, as the IETF draft defines it). */
  readonly resetInSeconds: number;
  readonly retryAfterSeconds: number;
}

export class RateLimiter {
  readonly #windows = new Map<string, { startMs: number; count: number }>();

  constructor(readonly perMinute: number, private readonly clock: Clock) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  take(key: string): RateDecision {
    const now = this.clock.now().getTime();
    const windowMs = Limits.rateLimitWindowMs;
    let window = this.#windows.get(key);
    if (!window || now - window.startMs >= windowMs) {
      if (!window && this.#windows.size >= Limits.rateLimitKeysMax) {
        const oldest = this.#windows.keys().next().value;
        if (oldest !== undefined) this.#windows.delete(oldest);
      }
      window = { startMs: now - (now % windowMs), count: 0 };
      this.#windows.delete(key);
      this.#windows.set(key, window);
    }
    const resetMs = window.startMs + windowMs;
    const allowed = window.count < this.perMinute;
    if (allowed) window.count++;
    return {
      allowed, limit: this.perMinute, remaining: Math.max(0, this.perMinute - window.count),
      resetSeconds: Math.ceil(resetMs / 1000), resetInSeconds: Math.ceil((resetMs - now) / 1000),
      retryAfterSeconds: Math.max(1, Math.ceil((resetMs - now) / 1000)),
    };
  }
}
