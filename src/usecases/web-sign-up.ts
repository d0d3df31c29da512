// Website sign-up: a new personal account with an email + password login, and a first session,
// in one transaction — a refused sign-up stores nothing. The password is hashed before the
// transaction opens, so no row is locked during the slow hash.

import { randomUUID } from 'node:crypto';
import type { Account } from '../core/account.ts';
import { isBalanceCurrency } from '../core/assets.ts';
import { CofferError } from '../core/errors.ts';
import type { WebUser } from '../storage/web-store.ts';
import type { Deps } from './deps.ts';
import { checkNewPassword, hashPassword, normaliseEmail } from './web-password.ts';
import { startSession } from './web-sessions.ts';

export interface SignUpInput {
  readonly email: string;
  readonly password: string;
  readonly passwordConfirm: string;
  readonly currency: string;
}

export interface SignUpResult {
  readonly account: Account;
  readonly user: WebUser;
  /** Session cookie token. */
  readonly token: string;
}

const EMAIL_TAKEN = 'An account with this email already exists; sign in instead';

/** Every problem of the form at once, per field (empty: nothing wrong that can be told without the database). */
export function signUpProblems(input: SignUpInput): Record<string, string> {
  const problems: Record<string, string> = {};
  const check = (run: () => void) => {
    try { run(); } catch (error) {
      if (!(error instanceof CofferError)) throw error;
      const field = error.details['field'] ?? 'form';
      problems[field] ??= error.message;
    }
  };
  check(() => normaliseEmail(input.email));
  check(() => checkNewPassword(input.password, input.email));
  check(() => { if (input.password !== input.passwordConfirm) throw new CofferError('invalid_param', 'The two passwords differ', { field: 'password_confirm' }); });
  check(() => { if (!isBalanceCurrency(input.currency)) throw new CofferError('invalid_param', 'Choose USD, EUR or BTC', { field: 'currency' }); });
  return problems;
}

export async function signUp(deps: Pick<Deps, 'store' | 'clock'>, input: SignUpInput): Promise<SignUpResult> {
  const email = normaliseEmail(input.email);
  checkNewPassword(input.password, email);
  if (input.password !== input.passwordConfirm) throw new CofferError('invalid_param', 'The two passwords differ', { field: 'password_confirm' });
  if (!isBalanceCurrency(input.currency)) throw new CofferError('invalid_param', 'Choose USD, EUR or BTC', { field: 'currency' });
  if (await deps.store.web.userByEmail(email)) throw new CofferError('conflict', EMAIL_TAKEN, { field: 'email' });
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  const account: Account = {
    id: `acc_${randomUUID().replaceAll('-', '')}`, type: 'personal', currency: input.currency, status: 'active', label: null, createdAt: now,
  };
  const user: WebUser = { id: `usr_${randomUUID().replaceAll('-', '')}`, accountId: account.id, email, passwordHash, createdAt: now, updatedAt: now };
  try {
    return await deps.store.transaction(async (tx) => {
      if (await tx.web.userByEmail(email)) throw new CofferError('conflict', EMAIL_TAKEN, { field: 'email' });
      await tx.accounts.insert(account);
      await tx.web.insertUser(user);
      const { token } = await startSession(tx, user.id, now);
      return { account, user, token };
    });
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides, the loser gets the same answer.
    if (!(error instanceof CofferError) && (await deps.store.web.userByEmail(email))) throw new CofferError('conflict', EMAIL_TAKEN, { field: 'email' });
    throw error;
  }
}
