// Account recovery: a password-reset link carrying a random single-use token that expires after
// WebLimits.resetTokenTtlMs. Only the token's SHA-256 is stored, so a leaked database row cannot
// be used as a link. A request for an unknown email does nearly the same database work (all but
// the token insert) and gets the same
// answer as one for a real login (the caller sends the email after answering, so the time of the
// answer does not tell them apart either). Requests take a slot of the email's and the client
// address's limit first, through the sign-in throttle's concurrency-safe reserve
// (web-login-throttle.ts); a slot is never given back. A reset ends every session of the login,
// makes its other links worthless and lifts a sign-in lock on the email.
//
// Follows the OWASP Forgot Password Cheat Sheet: same response for existing and non-existing
// accounts, random tokens stored hashed, single use, short expiry, all sessions invalidated
// (https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html).

import { createHash, randomBytes } from 'node:crypto';
import { CofferError } from '../core/errors.ts';
import { WebLimits } from '../core/limits.ts';
import type { LinkPurpose, WebUser } from '../storage/web-store.ts';
import type { Deps } from './deps.ts';
import { recordFailedSignIn, reserveSignIn, throttleKeys } from './web-login-throttle.ts';
import { checkNewPassword, hashPassword, normaliseEmail } from './web-password.ts';

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const DEAD_LINK = 'This password-reset link is not valid any more: it was already used, has expired, or was replaced by a newer one. Ask for a new link.';

export function resetTokenIdOf(token: string): string {
  return createHash('sha256').update(`reset:${token}`).digest('hex');
}

export function isResetTokenShaped(token: string): boolean {
  return TOKEN_RE.test(token);
}

/** The link a reset token opens, on the configured public address of the website. */
export function resetLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/reset-password/${token}`;
}

export interface IssuedReset {
  readonly email: string;
  /** The token for the link (shown once: emailed, or printed by the CLI). */
  readonly token: string;
  readonly expiresAt: Date;
}

export async function issueLink(deps: Pick<Deps, 'store' | 'clock'>, user: WebUser, purpose: LinkPurpose = 'reset'): Promise<IssuedReset> {
  const token = randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + (purpose === 'reset' ? WebLimits.resetTokenTtlMs : WebLimits.verifyTokenTtlMs));
  await deps.store.web.insertResetToken({ id: resetTokenIdOf(token), userId: user.id, purpose, createdAt: now, expiresAt });
  return { email: user.email, token, expiresAt };
}

/**
 * A visitor asks for a reset link. Returns the link's token when the email has a login of an open
 * account, null otherwise; the caller answers the same either way and sends the email afterwards.
 * Throws a field error for text that is not an email, and rate_limited past the limits.
 */
export async function requestPasswordReset(deps: Pick<Deps, 'store' | 'clock'>, input: { email: string; ip: string }): Promise<IssuedReset | null> {
  const email = normaliseEmail(input.email);
  const keys = [throttleKeys.resetEmail(email), throttleKeys.resetAddress(input.ip)];
  await reserveSignIn(deps, keys);
  // The slot stays taken: every request counts, and a key at its limit is locked for a while.
  await recordFailedSignIn(deps, keys);
  const user = await deps.store.web.userByEmail(email);
  const account = user ? await deps.store.accounts.get(user.accountId) : null;
  if (!user || !account || account.status === 'closed') return null;
  return issueLink(deps, user);
}

/** The operator issues a link for a login (`coffer web-login reset-link`): no throttle, a clear error for an unknown email. */
export async function issueResetLinkByOperator(deps: Pick<Deps, 'store' | 'clock'>, emailText: string): Promise<IssuedReset> {
  const email = normaliseEmail(emailText);
  const user = await deps.store.web.userByEmail(email);
  if (!user) throw new CofferError('not_found', `No website login has the email ${email}`, { field: 'email' });
  return issueLink(deps, user);
}

/** The login a live link belongs to (to show the form), or a form error when the link is dead. */
export async function resetLinkUser(deps: Pick<Deps, 'store' | 'clock'>, token: string): Promise<WebUser> {
  const found = isResetTokenShaped(token) ? await deps.store.web.liveResetToken(resetTokenIdOf(token), deps.clock.now()) : null;
  const user = found ? await deps.store.web.userById(found.userId) : null;
  if (!user) throw new CofferError('not_found', DEAD_LINK);
  return user;
}

export interface ResetInput {
  readonly token: string;
  readonly password: string;
  readonly passwordConfirm: string;
}

/**
 * Sets the new password with a live link, once: the token is consumed by a conditional update in
 * the same transaction as the password change, so two submits of one link cannot both succeed.
 * Ends every session of the login and every other link; lifts the sign-in lock on the email.
 */
export async function resetPassword(deps: Pick<Deps, 'store' | 'clock'>, input: ResetInput): Promise<{ email: string }> {
  const user = await resetLinkUser(deps, input.token);
  checkNewPassword(input.password, user.email, 'password');
  if (input.password !== input.passwordConfirm) throw new CofferError('invalid_param', 'The two passwords differ', { field: 'password_confirm' });
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    if (!(await tx.web.consumeResetToken(resetTokenIdOf(input.token), now))) throw new CofferError('not_found', DEAD_LINK);
    await tx.web.setPasswordHash(user.id, passwordHash, now);
    await tx.web.deleteSessionsOfUser(user.id, null);
    await tx.web.deleteResetTokensOfUser(user.id);
    await tx.web.clearThrottle(throttleKeys.email(user.email));
  });
  return { email: user.email };
}
