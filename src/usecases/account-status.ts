// Freezing and unfreezing an account (an operator's decision after a reversal, or for abuse).

import type { Account, AccountStatus } from '../core/account.ts';
import { CofferError } from '../core/errors.ts';
import type { Deps } from './deps.ts';
import type { RecordResponse } from './idempotency.ts';

export async function setAccountStatus(deps: Pick<Deps, 'store'>, accountId: string, status: Extract<AccountStatus, 'active' | 'frozen'>, record?: RecordResponse<Account>): Promise<Account> {
  return deps.store.transaction(async (tx) => {
    const account = await tx.accounts.get(accountId, true);
    if (!account) throw new CofferError('not_found', 'No such account');
    await tx.accounts.setStatus(accountId, status);
    const updated = { ...account, status };
    if (record) await record(tx, updated);
    return updated;
  });
}
