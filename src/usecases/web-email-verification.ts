// Optional email confirmation for website logins, through the same one-time links as password
// reset (web-password-reset.ts: random token, only its SHA-256 stored, single use, expiring), with
// purpose 'verify' so a confirmation link can never reset a password. Sent at sign-up when the
// website sends email; a resend takes a slot of the same per-email and per-address limits as a
// reset request. Confirming gates nothing: the dashboard asks for it, and the operator can see it.

import { CofferError } from '../core/errors.ts';
import type { WebUser } from '../storage/web-store.ts';
import type { Deps } from './deps.ts';
import { recordFailedSignIn, reserveSignIn, throttleKeys } from './web-login-throttle.ts';
import { isResetTokenShaped, issueLink, resetTokenIdOf } from './web-password-reset.ts';
import type { IssuedReset } from './web-password-reset.ts';

const DEAD_LINK = 'This confirmation link is not valid any more: it was already used or has expired. Sign in to ask for a new one.';

export function issueEmailConfirmation(deps: Pick<Deps, 'store' | 'clock'>, user: WebUser): Promise<IssuedReset> {
  return issueLink(deps, user, 'verify');
}

/** A signed-in customer asks for the link again (rate-limited like reset requests). */
export async function resendEmailConfirmation(deps: Pick<Deps, 'store' | 'clock'>, user: WebUser, ip: string): Promise<IssuedReset | null> {
  if (user.emailVerifiedAt) return null;
  const keys = [throttleKeys.resetEmail(user.email), throttleKeys.resetAddress(ip)];
  await reserveSignIn(deps, keys);
  await recordFailedSignIn(deps, keys);
  return issueEmailConfirmation(deps, user);
}

/** Confirms the email of the link's login, once. */
export async function confirmEmail(deps: Pick<Deps, 'store' | 'clock'>, token: string): Promise<{ email: string }> {
  const now = deps.clock.now();
  const id = isResetTokenShaped(token) ? resetTokenIdOf(token) : null;
  const found = id ? await deps.store.web.liveResetToken(id, now, 'verify') : null;
  const user = found ? await deps.store.web.userById(found.userId) : null;
  if (!found || !user) throw new CofferError('not_found', DEAD_LINK);
  await deps.store.transaction(async (tx) => {
    if (!(await tx.web.consumeResetToken(found.id, now, 'verify'))) throw new CofferError('not_found', DEAD_LINK);
    await tx.web.setEmailVerified(user.id, now);
  });
  return { email: user.email };
}
