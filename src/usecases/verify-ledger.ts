// `coffer ledger verify`: recompute every balance from the transfers and compare (I2), check
// debits equal credits per currency (I1) and no customer balance is negative unless its account
// is frozen (I3). Streams transfers in bounded batches.

import { isCustomerLedgerAccount } from '../core/ledger.ts';
import { Limits } from '../core/limits.ts';
import type { Store, StoreTx } from '../storage/store.ts';

export interface LedgerReport {
  readonly transfers: number;
  readonly accounts: number;
  readonly drift: ReadonlyArray<{ ledgerAccount: string; stored: string; computed: string }>;
  readonly imbalance: ReadonlyArray<{ currency: string; sum: string }>;
  readonly negative: ReadonlyArray<{ ledgerAccount: string; balance: string }>;
  readonly ok: boolean;
}

export function verifyLedger(store: Store, onProgress?: (transfers: number) => void): Promise<LedgerReport> {
  return store.snapshot((tx) => verifyIn(tx, onProgress));
}

async function verifyIn(store: StoreTx, onProgress?: (transfers: number) => void): Promise<LedgerReport> {
  const computed = new Map<string, bigint>();
  let transfers = 0;
  for await (const batch of store.ledger.allTransfers(Limits.verifyBatchSize)) {
    for (const t of batch) {
      computed.set(t.debitAccount, (computed.get(t.debitAccount) ?? 0n) - t.amount);
      computed.set(t.creditAccount, (computed.get(t.creditAccount) ?? 0n) + t.amount);
    }
    transfers += batch.length;
    onProgress?.(transfers);
  }
  const stored = await store.ledger.allBalances();
  const drift: Array<{ ledgerAccount: string; stored: string; computed: string }> = [];
  const sums = new Map<string, bigint>();
  const negative: Array<{ ledgerAccount: string; balance: string }> = [];
  const seen = new Set<string>();
  for (const row of stored) {
    seen.add(row.ledgerAccount);
    const expected = computed.get(row.ledgerAccount) ?? 0n;
    if (expected !== row.balance) drift.push({ ledgerAccount: row.ledgerAccount, stored: row.balance.toString(), computed: expected.toString() });
    sums.set(row.currency, (sums.get(row.currency) ?? 0n) + row.balance);
    if (isCustomerLedgerAccount(row.ledgerAccount) && row.balance < 0n) {
      const accountId = row.ledgerAccount.split(':')[1] ?? '';
      const account = await store.accounts.get(accountId);
      if (account?.status !== 'frozen') negative.push({ ledgerAccount: row.ledgerAccount, balance: row.balance.toString() });
    }
  }
  for (const [account, value] of computed) {
    if (!seen.has(account)) drift.push({ ledgerAccount: account, stored: 'missing', computed: value.toString() });
  }
  const imbalance = [...sums].filter(([, sum]) => sum !== 0n).map(([currency, sum]) => ({ currency, sum: sum.toString() }));
  return { transfers, accounts: stored.length, drift, imbalance, negative, ok: drift.length === 0 && imbalance.length === 0 && negative.length === 0 };
}
