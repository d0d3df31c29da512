// The small tables: charges, idempotency keys, the outbox, watcher state, derivation indexes and
// leases.

import type { Kysely, Selectable } from 'kysely';
import type { Charge } from '../core/account.ts';
import type { BalanceCurrency } from '../core/assets.ts';
import type { OutboxEvent } from '../core/events.ts';
import type { ChargesTable, Database } from './schema.ts';
import { fromAmount, iso, toAmount, toDate } from './codec.ts';
import type { SqlText, SqlValue } from './sql-text.ts';

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

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly responseStatus: number;
  readonly responseBody: string;
  readonly createdAt: Date;
}

export class IdempotencyStore {
  constructor(private readonly k: Kysely<Database>) {}

  async get(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const row = await this.k.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
    if (!row || row.response_status === null || row.response_body === null) return null;
    return { requestHash: row.request_hash, responseStatus: row.response_status, responseBody: row.response_body, createdAt: toDate(row.created_at) };
  }

  /** Records the response of a completed request; false when another request recorded the key first. */
  async insert(scope: string, key: string, requestHash: string, status: number, body: string, now: Date): Promise<boolean> {
    const result = await this.k.insertInto('idempotency_keys').values({
      scope, key, request_hash: requestHash, state: 'done', response_status: status, response_body: body, created_at: iso(now),
    }).onConflict((oc) => oc.columns(['scope', 'key']).doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async purgeOlderThan(before: Date): Promise<void> {
    await this.k.deleteFrom('idempotency_keys').where('created_at', '<', iso(before)).execute();
  }
}

export const INSERT_OUTBOX = 'insert into outbox (id, type, account_id, invoice_id, payload, created_at) values (?, ?, ?, ?, ?, ?)';

/** The values of INSERT_OUTBOX for `e`. */
export function outboxValues(e: OutboxEvent): SqlValue[] {
  return [e.id, e.type, e.accountId, e.invoiceId, JSON.stringify(e.payload), iso(e.createdAt)];
}

export class OutboxStore {
  constructor(private readonly k: Kysely<Database>, private readonly q: SqlText) {}

  /** One fixed statement per event (a status change writes one or two): no query is built per call. */
  async insert(events: readonly OutboxEvent[]): Promise<void> {
    for (const e of events) await this.q.query(INSERT_OUTBOX, outboxValues(e));
  }
}

export class WatcherStateStore {
  constructor(private readonly k: Kysely<Database>) {}

  async get(watcher: string, key: string): Promise<string | null> {
    const row = await this.k.selectFrom('watcher_state').select('value').where('watcher', '=', watcher).where('key', '=', key).executeTakeFirst();
    return row?.value ?? null;
  }

  async set(watcher: string, key: string, value: string, now: Date): Promise<void> {
    await this.k.insertInto('watcher_state').values({ watcher, key, value, updated_at: iso(now) })
      .onConflict((oc) => oc.columns(['watcher', 'key']).doUpdateSet({ value, updated_at: iso(now) })).execute();
  }
}

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

export class LeasesStore {
  constructor(private readonly k: Kysely<Database>) {}

  /** Takes or renews a lease; true when `holder` holds it until `until`. */
  async acquire(name: string, holder: string, now: Date, until: Date): Promise<boolean> {
    await this.k.insertInto('leases').values({ name, holder, expires_at: iso(until) })
      .onConflict((oc) => oc.column('name').doUpdateSet({ holder, expires_at: iso(until) })
        .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.expires_at', '<', iso(now))])))
      .execute();
    const row = await this.k.selectFrom('leases').select('holder').where('name', '=', name).executeTakeFirst();
    return row?.holder === holder;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.k.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
  }
}
