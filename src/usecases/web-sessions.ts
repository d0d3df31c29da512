// Browser sessions: a random 256-bit token in an HttpOnly cookie; the database keeps only its
// SHA-256, so a leaked database row cannot be replayed as a cookie. Sessions slide forward on
// use and end on sign-out, expiry, or a password change.

import { createHash, randomBytes } from 'node:crypto';
import type { Account } from '../core/account.ts';
import type { WebSession, WebUser } from '../storage/web-store.ts';
import type { StoreTx } from '../storage/store.ts';
import type { Deps } from './deps.ts';
import { WebLimits } from '../core/limits.ts';

export interface SignedIn {
  readonly user: WebUser;
  readonly account: Account;
  readonly session: WebSession;
}

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Starts a session for `userId` inside `tx`; returns the cookie token (shown to the browser only). */
export async function startSession(tx: StoreTx, userId: string, now: Date): Promise<{ token: string; session: WebSession }> {
  const token = randomBytes(32).toString('base64url');
  const session: WebSession = { id: sessionIdOf(token), userId, createdAt: now, expiresAt: new Date(now.getTime() + WebLimits.sessionTtlMs) };
  await tx.web.insertSession(session);
  return { token, session };
}

/** The signed-in user behind a cookie token, or null (unknown, expired, or the account closed). */
export async function resolveSession(deps: Pick<Deps, 'store' | 'clock'>, token: string | undefined): Promise<SignedIn | null> {
  if (token === undefined || !TOKEN_RE.test(token)) return null;
  const now = deps.clock.now();
  const session = await deps.store.web.session(sessionIdOf(token));
  if (!session) return null;
  if (session.expiresAt <= now) {
    await deps.store.web.deleteSession(session.id);
    return null;
  }
  const user = await deps.store.web.userById(session.userId);
  const account = user ? await deps.store.accounts.get(user.accountId) : null;
  if (!user || !account || account.status === 'closed') return null;
  const slid = new Date(now.getTime() + WebLimits.sessionTtlMs);
  if (slid.getTime() - session.expiresAt.getTime() >= WebLimits.sessionRefreshMs) {
    await deps.store.web.extendSession(session.id, slid);
    return { user, account, session: { ...session, expiresAt: slid } };
  }
  return { user, account, session };
}

export async function endSession(deps: Pick<Deps, 'store'>, token: string | undefined): Promise<void> {
  if (token === undefined || !TOKEN_RE.test(token)) return;
  await deps.store.web.deleteSession(sessionIdOf(token));
}

/** Housekeeping for a worker loop: drops expired sessions and reset links, and throttle rows that limit nothing. */
export async function purgeExpiredSessions(deps: Pick<Deps, 'store' | 'clock'>): Promise<number> {
  const now = deps.clock.now();
  const sessions = await deps.store.web.deleteExpiredSessions(now);
  const throttles = await deps.store.web.deleteStaleThrottles(new Date(now.getTime() - WebLimits.loginWindowMs), now);
  const resetLinks = await deps.store.web.deleteExpiredResetTokens(now);
  return sessions + throttles + resetLinks;
}
