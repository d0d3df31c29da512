// Sign-in throttling: after too many failed attempts for one email (or from one client address)
// within a window, sign-in is refused until the lock passes — without checking the password, so
// a locked account cannot be probed. Kept in the database so every process enforces the same
// count. A success clears the email's counter.

import { CofferError } from '../core/errors.ts';
import type { Deps } from './deps.ts';
import { WebLimits } from '../core/limits.ts';

export const throttleKeys = {
  email: (email: string) => `email:${email}`,
  address: (ip: string) => `ip:${ip}`,
} as const;

function limitFor(key: string): number {
  return key.startsWith('ip:') ? WebLimits.loginFailuresPerAddressMax : WebLimits.loginFailuresPerEmailMax;
}

/** Throws rate_limited when any of `keys` is locked now. */
export async function assertNotThrottled(deps: Pick<Deps, 'store' | 'clock'>, keys: readonly string[]): Promise<void> {
  const now = deps.clock.now();
  for (const key of keys) {
    const state = await deps.store.web.throttle(key);
    if (state?.lockedUntil && state.lockedUntil > now) {
      const seconds = Math.ceil((state.lockedUntil.getTime() - now.getTime()) / 1000);
      const minutes = Math.max(1, Math.ceil(seconds / 60));
      throw new CofferError('rate_limited', `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, { retryAfter: String(seconds) });
    }
  }
}

export async function recordFailedSignIn(deps: Pick<Deps, 'store' | 'clock'>, keys: readonly string[]): Promise<void> {
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    for (const key of keys) {
      const state = await tx.web.throttle(key);
      const fresh = !state || now.getTime() - state.windowStartedAt.getTime() >= WebLimits.loginWindowMs;
      const failures = fresh ? 1 : state.failures + 1;
      const windowStartedAt = fresh ? now : state.windowStartedAt;
      const lockedUntil = failures >= limitFor(key) ? new Date(now.getTime() + WebLimits.loginLockMs) : null;
      await tx.web.putThrottle({ key, failures, windowStartedAt, lockedUntil });
    }
  });
}

export async function clearFailedSignIns(deps: Pick<Deps, 'store'>, key: string): Promise<void> {
  await deps.store.web.clearThrottle(key);
}
