// Derivation indexes: the next unused HD index of each wallet.

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { SqlText } from './sql-text.ts';

export class DerivationStore {
  constructor(private readonly k: Kysely<Database>, private readonly q: SqlText) {}

  /**
   * Reserves `count` consecutive indexes for a wallet and returns the first: one atomic statement,
   * so no index is ever handed out twice.
   */
  async reserve(walletId: string, count: number): Promise<number> {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`reserve count must be a positive integer, got ${count}`);
    const row = await this.q.first<{ next_index: number }>`insert into derivation_indexes (wallet_id, next_index) values (${walletId}, ${count})
      on conflict (wallet_id) do update set next_index = derivation_indexes.next_index + ${count} returning next_index`;
    return Number(row!.next_index) - count;
  }

  async all(): Promise<Array<{ walletId: string; nextIndex: number }>> {
    const rows = await this.k.selectFrom('derivation_indexes').selectAll().orderBy('wallet_id').execute();
    return rows.map((r) => ({ walletId: r.wallet_id, nextIndex: Number(r.next_index) }));
  }
}
