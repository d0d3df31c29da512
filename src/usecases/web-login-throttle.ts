// Sign-in throttling: at most N password checks per email (and per client address) within a
// window; past that, sign-in is refused without checking the password, so a locked account
// cannot be probed. Kept in the database so every process enforces the same count.
//
// An attempt is counted BEFORE its password hash runs: reserveSignIn takes a slot atomically
// (the throttle row is locked in a transaction), so concurrent guesses cannot all pass a check
// made before any of them is recorded. A failure keeps its slot (and locks the key once the limit
// is reached); a success gives back only its own slot — never the failures of others in the
// same window.

import { CofferError } from '../core/errors.ts';
import type { Deps } from './deps.ts';
import { WebLimits } from '../core/limits.ts';
import type { ThrottleState } from '../storage/web-store.ts';

// Password-reset requests use the same rows and the same reserve → record cycle under their own
// keys (`reset:…`): each request keeps its slot, so the limit counts requests, not failures.
export const throttleKeys = {
  email: (email: string) => `email:${email}`,
  address: (ip: string) => `ip:${ip}`,
  resetEmail: (email: string) => `reset:email:${email}`,
  resetAddress: (ip: string) => `reset:ip:${ip}`,
} as const;

function limitFor(key: string): number {
  if (key.startsWith('reset:')) return key.startsWith('reset:ip:') ? WebLimits.resetRequestsPerAddressMax : WebLimits.resetRequestsPerEmailMax;
  return key.startsWith('ip:') ? WebLimits.loginFailuresPerAddressMax : WebLimits.loginFailuresPerEmailMax;
}

function refused(key: string, until: Date, now: Date): CofferError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  const what = key.startsWith('reset:') ? 'Too many password-reset requests' : 'Too many failed sign-ins';
  return new CofferError('rate_limited', `${what}. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, { retryAfter: String(seconds) });
}

/** The state's window as of `now`: a window that has run out starts again from zero. */
function current(state: ThrottleState, now: Date): ThrottleState {
  const lockedUntil = state.lockedUntil && state.lockedUntil > now ? state.lockedUntil : null;
  if (now.getTime() - state.windowStartedAt.getTime() >= WebLimits.loginWindowMs) return { ...state, failures: 0, windowStartedAt: now, lockedUntil };
  return { ...state, lockedUntil };
}

/**
 * Takes one attempt slot on every key, atomically (all or none), or throws rate_limited when a
 * key is locked or its slots are all taken (by failures, or by checks still running).
 */
export async function reserveSignIn(deps: Pick<Deps, 'store' | 'clock'>, keys: readonly string[]): Promise<void> {
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    for (const key of keys) {
      const state = current(await tx.web.lockThrottle(key, now), now);
      if (state.lockedUntil) throw refused(key, state.lockedUntil, now);
      if (state.failures >= limitFor(key)) throw refused(key, new Date(state.windowStartedAt.getTime() + WebLimits.loginWindowMs), now);
      await tx.web.putThrottle({ ...state, failures: state.failures + 1 });
    }
  });
}

/** The reserved attempt failed: its slot stays taken, and a key at its limit is locked. */
export async function recordFailedSignIn(deps: Pick<Deps, 'store' | 'clock'>, keys: readonly string[]): Promise<void> {
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    for (const key of keys) {
      const state = current(await tx.web.lockThrottle(key, now), now);
      if (state.failures >= limitFor(key) && !state.lockedUntil) {
        await tx.web.putThrottle({ ...state, lockedUntil: new Date(now.getTime() + WebLimits.loginLockMs) });
      }
    }
  });
}

/** The reserved attempt succeeded: gives back its own slot; others' failures stay counted. */
export async function releaseSignIn(deps: Pick<Deps, 'store' | 'clock'>, keys: readonly string[]): Promise<void> {
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    for (const key of keys) {
      const state = current(await tx.web.lockThrottle(key, now), now);
      if (state.failures > 0) await tx.web.putThrottle({ ...state, failures: state.failures - 1 });
    }
  });
}
