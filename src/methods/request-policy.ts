// One request policy for every follower of a remote node (DESIGN.md §6). What a follower asks
// for at once — a block range, a batch of calls, a byte budget — adapts to what the node
// accepts: a request refused as too large (or that timed out, or came back oversized) is split,
// never retried unchanged; the size grows back slowly after successes; a node that says "slow
// down" (429, Retry-After) is waited for, and other failures back off exponentially. Each rail
// classifies its own node's errors into the kinds below; the policy is the same for all.

import { PolicyLimits } from './limits.ts';

/** How a remote request failed, as far as the policy cares. */
export const RemoteFailureKind = {
  /** The request asked for too much: range, result count, batch, body size (split it). */
  tooLarge: 'too_large',
  /** The provider asked us to slow down (429, a rate-limit error): wait, then retry. */
  rateLimited: 'rate_limited',
  /** No answer in time: treated as too large once (split), and backed off. */
  timeout: 'timeout',
  /** Unreachable, 5xx, garbage: back off and retry the same request later. */
  unavailable: 'unavailable',
} as const;
export type RemoteFailureKind = (typeof RemoteFailureKind)[keyof typeof RemoteFailureKind];

/** A failure classified by a rail's client; `retryAfterMs` comes from the provider when it said. */
export class RemoteRequestError extends Error {
  override readonly name = 'RemoteRequestError';
  readonly kind: RemoteFailureKind;
  readonly retryAfterMs: number | null;
  constructor(kind: RemoteFailureKind, message: string, retryAfterMs: number | null = null, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface AdaptiveSizeOptions {
  readonly initial: number;
  readonly min: number;
  readonly max: number;
  /** Successes in a row before growing; default PolicyLimits.growAfterSuccesses. */
  readonly growAfterSuccesses?: number;
}

/**
 * The size of the next request (blocks, calls or bytes: the unit is the caller's). Halved on a
 * refusal; after enough successes in a row it grows by a quarter (at least 1), up to `max` or a
 * ceiling the provider taught us (a cap is only lifted by `uncap`).
 */
export class AdaptiveSize {
  readonly min: number;
  readonly max: number;
  readonly #growAfter: number;
  #value: number;
  #ceiling: number;
  #successes = 0;

  constructor(options: AdaptiveSizeOptions) {
    if (!(options.min >= 1 && options.min <= options.max)) throw new RangeError('AdaptiveSize: need 1 <= min <= max');
    this.min = Math.floor(options.min);
    this.max = Math.floor(options.max);
    this.#ceiling = this.max;
    this.#value = clamp(Math.floor(options.initial), this.min, this.max);
    this.#growAfter = options.growAfterSuccesses ?? PolicyLimits.growAfterSuccesses;
  }

  get value(): number {
    return this.#value;
  }

  /** Halves the size. False when it is already at the minimum: the caller must fail, not retry. */
  shrink(): boolean {
    this.#successes = 0;
    if (this.#value <= this.min) return false;
    this.#value = Math.max(this.min, Math.floor(this.#value / 2));
    return true;
  }

  /** Shrinks to at most `n` (a size the provider named, or one that is known to fit). */
  shrinkTo(n: number): void {
    this.#successes = 0;
    this.#value = clamp(Math.min(this.#value, Math.floor(n)), this.min, this.max);
  }

  /** A limit the provider states (e.g. "max 10 blocks per request"): never grow past it. */
  cap(n: number): void {
    this.#ceiling = clamp(Math.floor(n), this.min, this.max);
    this.shrinkTo(this.#ceiling);
  }

  uncap(): void {
    this.#ceiling = this.max;
  }

  succeeded(): void {
    this.#successes += 1;
    if (this.#successes < this.#growAfter || this.#value >= this.#ceiling) return;
    this.#successes = 0;
    this.#value = Math.min(this.#ceiling, this.#value + Math.max(1, Math.floor(this.#value / 4)));
  }
}

/**
 * When the next request to one endpoint may go out. A rate limit waits for the provider's
 * Retry-After (capped) or the backoff; other failures back off exponentially; a success resets.
 * Time is passed in as milliseconds so tests move it by hand.
 */
export class RequestPacer {
  #failures = 0;
  #notBeforeMs = 0;

  /** Milliseconds to wait at `nowMs` before sending. */
  delayMs(nowMs: number): number {
    return Math.max(0, this.#notBeforeMs - nowMs);
  }

  get failuresInARow(): number {
    return this.#failures;
  }

  failed(error: RemoteRequestError | null, nowMs: number): number {
    this.#failures += 1;
    const backoff = Math.min(PolicyLimits.backoffMsMax, PolicyLimits.backoffMsMin * 2 ** Math.min(this.#failures - 1, 16));
    const told = error?.retryAfterMs ?? null;
    const waitMs = told !== null ? Math.min(PolicyLimits.retryAfterMsMax, Math.max(0, told)) : backoff;
    this.#notBeforeMs = nowMs + waitMs;
    return waitMs;
  }

  succeeded(): void {
    this.#failures = 0;
    this.#notBeforeMs = 0;
  }
}

/**
 * Parses an HTTP Retry-After value (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) into
 * milliseconds from `nowMs`; null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/**
 * Runs `attempt` with the current size, splitting on a too-large (or timed-out) refusal until it
 * fits or the size is at its minimum; every other failure is thrown for the caller's pacer. The
 * loop is bounded by log2(max) halvings.
 */
export async function withAdaptiveSize<T>(
  size: AdaptiveSize,
  attempt: (n: number) => Promise<T>,
  classify: (error: unknown) => RemoteFailureKind | null,
): Promise<T> {
  for (;;) {
    try {
      const value = await attempt(size.value);
      size.succeeded();
      return value;
    } catch (error) {
      const kind = classify(error);
      const splittable = kind === RemoteFailureKind.tooLarge || kind === RemoteFailureKind.timeout;
      if (!splittable || !size.shrink()) throw error;
    }
  }
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

/** Waits `ms`, or less when `signal` aborts first (a watcher stopping mid-wait); never rejects. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
