// Operator action (`coffer web-login attach`): give an existing account — typically a business
// account created with `coffer account create` — an email + password login for the website.

import { randomBytes, randomUUID } from 'node:crypto';
import { CofferError } from '../core/errors.ts';
import type { WebUser } from '../storage/web-store.ts';
import type { Deps } from './deps.ts';
import { checkNewPassword, hashPassword, normaliseEmail } from './web-password.ts';

export interface AttachLoginResult {
  readonly user: WebUser;
  /** Set when Coffer generated the password: shown once, to hand to the customer. */
  readonly generatedPassword: string | null;
}

export async function attachLogin(deps: Pick<Deps, 'store' | 'clock'>, input: { accountId: string; email: string; password?: string | undefined }): Promise<AttachLoginResult> {
  const email = normaliseEmail(input.email);
  const generatedPassword = input.password === undefined ? randomBytes(15).toString('base64url') : null;
  const password = input.password ?? generatedPassword!;
  checkNewPassword(password, email);
  const account = await deps.store.accounts.get(input.accountId);
  if (!account) throw new CofferError('not_found', `No account ${input.accountId}`, { field: 'account' });
  if (account.status === 'closed') throw new CofferError('invalid_param', 'The account is closed', { field: 'account' });
  if (await deps.store.web.userByEmail(email)) throw new CofferError('conflict', 'That email already has a login', { field: 'email' });
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  const user: WebUser = { id: `usr_${randomUUID().replaceAll('-', '')}`, accountId: account.id, email, passwordHash, createdAt: now, updatedAt: now };
  await deps.store.web.insertUser(user);
  return { user, generatedPassword };
}
