// What a business account sees as its usage: deposits created and balance movements (credits,
// charges, refunds, reversals) over a recent period, summed exactly per currency.

import type { Account } from '../core/account.ts';
import type { UsageRow } from '../storage/web-store.ts';
import type { Deps } from './deps.ts';

export const USAGE_PERIOD_DAYS = 30;

export interface AccountUsage {
  readonly since: Date;
  readonly deposits: ReadonlyArray<{ status: string; count: number }>;
  readonly movements: readonly UsageRow[];
}

export async function accountUsage(deps: Pick<Deps, 'store' | 'clock'>, account: Account): Promise<AccountUsage> {
  const since = new Date(deps.clock.now().getTime() - USAGE_PERIOD_DAYS * 24 * 60 * 60 * 1000);
  const [deposits, movements] = await Promise.all([deps.store.web.depositCounts(account.id, since), deps.store.web.usage(account.id, since)]);
  return { since, deposits, movements };
}
