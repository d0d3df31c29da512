// Website sign-in and password change. A wrong password, an unknown email and a login of a
// closed account all get the same answer after the same work; every password check takes a slot
// of the email's and the client address's limit first (web-login-throttle.ts).

import { CofferError } from '../core/errors.ts';
import type { Deps } from './deps.ts';
import { recordFailedSignIn, releaseSignIn, reserveSignIn, throttleKeys } from './web-login-throttle.ts';
import { burnPasswordCheck, checkNewPassword, hashPassword, normaliseEmail, verifyPassword } from './web-password.ts';
import type { SignedIn } from './web-sessions.ts';
import { startSession } from './web-sessions.ts';

export interface SignInInput {
  readonly email: string;
  readonly password: string;
  /** The client's address, for the per-address throttle. */
  readonly ip: string;
}

const WRONG = 'Wrong email or password';

export async function signIn(deps: Pick<Deps, 'store' | 'clock'>, input: SignInInput): Promise<{ token: string; accountId: string }> {
  const email = normaliseEmail(input.email);
  if (input.password.length === 0) throw new CofferError('missing_param', 'Enter your password', { field: 'password' });
  const keys = [throttleKeys.email(email), throttleKeys.address(input.ip)];
  await reserveSignIn(deps, keys);
  const user = await deps.store.web.userByEmail(email);
  const account = user ? await deps.store.accounts.get(user.accountId) : null;
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : (await burnPasswordCheck(input.password), false);
  if (!ok || !user || !account || account.status === 'closed') {
    await recordFailedSignIn(deps, keys);
    throw new CofferError('unauthorized', WRONG, { field: 'password' });
  }
  await releaseSignIn(deps, keys);
  const { token } = await deps.store.transaction((tx) => startSession(tx, user.id, deps.clock.now()));
  return { token, accountId: account.id };
}

export interface PasswordChangeInput {
  readonly current: string;
  readonly next: string;
  readonly nextConfirm: string;
}

/** Changes the password, ends every session of the user and starts a fresh one (returned). */
export async function changePassword(deps: Pick<Deps, 'store' | 'clock'>, signedIn: SignedIn, input: PasswordChangeInput): Promise<{ token: string }> {
  if (input.current.length === 0) throw new CofferError('missing_param', 'Enter your current password', { field: 'current_password' });
  checkNewPassword(input.next, signedIn.user.email, 'new_password');
  if (input.next !== input.nextConfirm) throw new CofferError('invalid_param', 'The two new passwords differ', { field: 'new_password_confirm' });
  const key = throttleKeys.email(signedIn.user.email);
  await reserveSignIn(deps, [key]);
  const user = await deps.store.web.userById(signedIn.user.id);
  if (!user || !(await verifyPassword(input.current, user.passwordHash))) {
    await recordFailedSignIn(deps, [key]);
    throw new CofferError('unauthorized', 'Your current password is not right', { field: 'current_password' });
  }
  await releaseSignIn(deps, [key]);
  const passwordHash = await hashPassword(input.next);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    await tx.web.setPasswordHash(user.id, passwordHash, now);
    await tx.web.deleteSessionsOfUser(user.id, null);
    await tx.web.deleteResetTokensOfUser(user.id);
    const { token } = await startSession(tx, user.id, now);
    return { token };
  });
}
