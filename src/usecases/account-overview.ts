// One account and its balances, for the operator's tools (CLI `account show`), which reach
// storage only through use cases.

import type { Account } from '../core/account.ts';
import type { Deps } from './deps.ts';
import { accountBalances } from './read-account.ts';
import type { AccountBalance } from './read-account.ts';

export interface AccountOverview {
  readonly account: Account;
  readonly balances: AccountBalance[];
}

/** The account with every balance it holds, or null when there is no such account. */
export async function accountOverview(deps: Pick<Deps, 'store'>, accountId: string): Promise<AccountOverview | null> {
  const account = await deps.store.accounts.get(accountId);
  if (!account) return null;
  return { account, balances: await accountBalances(deps.store, account) };
}
