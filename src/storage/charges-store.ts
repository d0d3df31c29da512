// Charges against a balance, and how much of each was refunded.

import type { Kysely, Selectable } from 'kysely';
import type { Charge } from '../core/account.ts';
import type { BalanceCurrency } from '../core/assets.ts';
import type { ChargesTable, Database } from './schema.ts';
import { fromAmount, iso, toAmount, toDate } from './codec.ts';

export function toCharge(row: Selectable<ChargesTable>): Charge {
  return {
    id: row.id, accountId: row.account_id, currency: row.currency as BalanceCurrency, amountMinor: toAmount(row.amount),
    refundedMinor: toAmount(row.refunded_amount), idempotencyKey: row.idempotency_key, description: row.description,
    createdAt: toDate(row.created_at),
  };
}

export class ChargesStore {
  constructor(private readonly k: Kysely<Database>, private readonly rowLocks: boolean) {}

  async insert(charge: Charge): Promise<void> {
    await this.k.insertInto('charges').values({
      id: charge.id, account_id: charge.accountId, currency: charge.currency, amount: fromAmount(charge.amountMinor),
      refunded_amount: fromAmount(charge.refundedMinor), idempotency_key: charge.idempotencyKey,
      description: charge.description, created_at: iso(charge.createdAt),
    }).execute();
  }

  async get(id: string, lock = false): Promise<Charge | null> {
    let query = this.k.selectFrom('charges').selectAll().where('id', '=', id);
    if (lock && this.rowLocks) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? toCharge(row) : null;
  }

  async byIdempotencyKey(accountId: string, key: string): Promise<Charge | null> {
    const row = await this.k.selectFrom('charges').selectAll().where('account_id', '=', accountId).where('idempotency_key', '=', key).executeTakeFirst();
    return row ? toCharge(row) : null;
  }

  async setRefunded(id: string, refundedMinor: bigint): Promise<void> {
    await this.k.updateTable('charges').set({ refunded_amount: fromAmount(refundedMinor) }).where('id', '=', id).execute();
  }
}
