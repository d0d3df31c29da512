// Derivation indexes: the next unused HD index of each wallet.

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { SqlText } from './sql-text.ts';

export class DerivationStore {
  constructor(private readonly k: Kysely<Database>, private readonly q: SqlText) {}

  /**
   * Reserves `count` consecutive indexes for a wallet and returns the first: one atomic statement,
   * so no index is ever handed out twice. Run it on its own, never inside a larger transaction: on
   * PostgreSQL it turns synchronous commit off for the transaction it runs in (see below).
   */
  async reserve(walletId: string, count: number): Promise<number> {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`reserve count must be a positive integer, got ${count}`);
    // PostgreSQL commits this one statement without waiting for its WAL flush (synchronous_commit
    // off for its transaction only): a deposit waits one disk flush, not two. Safe: an index is
    // used only by an invoice inserted afterwards, and that insert's synchronous commit flushes
    // the WAL up to its own record, so past this reservation's too. A reservation lost in a
    // database crash therefore had no committed invoice, and handing its indexes out again reuses
    // nothing a customer saw.
    const row = this.q.dialect === 'postgres'
      ? await this.q.first<{ next_index: number }>`insert into derivation_indexes (wallet_id, next_index)
          select ${walletId}, ${count} from (select set_config('synchronous_commit', 'off', true)) as asynchronous
          on conflict (wallet_id) do update set next_index = derivation_indexes.next_index + ${count} returning next_index`
      : await this.q.first<{ next_index: number }>`insert into derivation_indexes (wallet_id, next_index) values (${walletId}, ${count})
          on conflict (wallet_id) do update set next_index = derivation_indexes.next_index + ${count} returning next_index`;
    return Number(row!.next_index) - count;
  }

  async all(): Promise<Array<{ walletId: string; nextIndex: number }>> {
    const rows = await this.k.selectFrom('derivation_indexes').selectAll().orderBy('wallet_id').execute();
    return rows.map((r) => ({ walletId: r.wallet_id, nextIndex: Number(r.next_index) }));
  }
}
