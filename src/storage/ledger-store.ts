// The double-entry ledger: immutable transfers with unique keys, and balances materialised per
// ledger account in the same transaction. Balance arithmetic is done on bigint here, under the
// account rows' locks (PostgreSQL) or SQLite's single writer, never on floats in SQL.

import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { LedgerCurrency, PostedTransfer, TransferKind, TransferSpec } from '../core/ledger.ts';
import { CofferError } from '../core/errors.ts';
import type { Database, TransfersTable } from './schema.ts';
import { fromAmount, iso, toAmount, toDate } from './codec.ts';
import type { SqlText } from './sql-text.ts';

export function toTransfer(row: Selectable<TransfersTable>): PostedTransfer {
  return {
    id: row.id, key: row.key, kind: row.kind as TransferKind, currency: row.currency as LedgerCurrency,
    amount: toAmount(row.amount), debitAccount: row.debit_account, creditAccount: row.credit_account,
    accountId: row.account_id, invoiceId: row.invoice_id, paymentId: row.payment_id, chargeId: row.charge_id,
    reversesId: row.reverses_id, description: row.description, createdAt: toDate(row.created_at), seq: Number(row.seq),
  };
}

export interface LedgerBalance {
  readonly ledgerAccount: string;
  readonly currency: LedgerCurrency;
  readonly balance: bigint;
}

export interface PendingInvoiceAmount {
  readonly currency: string;
  readonly amountMinor: bigint;
  readonly creditedMinor: bigint;
}

export interface TransferPage {
  readonly accountId: string;
  readonly start: number;
  readonly limit: number;
  readonly after?: Date | undefined;
  readonly before?: Date | undefined;
}

export class LedgerStore {
  constructor(private readonly k: Kysely<Database>, private readonly q: SqlText) {}

  /**
   * Posts transfers atomically within the caller's transaction. A transfer whose key exists is
   * skipped (replay = no-op) and the existing one returned. A debit that must be covered and is
   * not throws balance_too_low, and the caller's transaction rolls back. Hot path: five
   * statements per transfer, written as SQL so no query is rebuilt per call.
   */
  async post(specs: readonly TransferSpec[], now: Date): Promise<PostedTransfer[]> {
    const posted: PostedTransfer[] = [];
    for (const spec of specs) {
      if (spec.amount <= 0n) throw new RangeError(`ledger: transfer ${spec.key} amount must be positive`);
      // Lock (or create) both rows in a fixed order so two transfers cannot deadlock.
      const ids = [spec.debitAccount, spec.creditAccount].sort();
      const balances = new Map<string, bigint>();
      for (const id of ids) balances.set(id, await this.#lockedBalance(id, spec.currency, now));
      const row = await this.#insertTransfer(spec, now);
      if (!row) {
        posted.push((await this.getByKey(spec.key))!);
        continue;
      }
      const debitAfter = balances.get(spec.debitAccount)! - spec.amount;
      if (spec.debitMustCover && debitAfter < 0n) {
        throw new CofferError('balance_too_low', 'The account balance is too low for this charge');
      }
      await this.#setBalance(spec.debitAccount, debitAfter, now);
      await this.#setBalance(spec.creditAccount, balances.get(spec.creditAccount)! + spec.amount, now);
      posted.push(toTransfer(row));
    }
    return posted;
  }

  async #insertTransfer(spec: TransferSpec, now: Date): Promise<Selectable<TransfersTable> | undefined> {
    const id = `tr_${randomUUID().replaceAll('-', '')}`;
    return this.q.first<Selectable<TransfersTable>>`insert into transfers
      (id, key, currency, amount, debit_account, credit_account, kind, account_id, invoice_id, payment_id, charge_id, reverses_id, description, created_at)
      values (${id}, ${spec.key}, ${spec.currency}, ${fromAmount(spec.amount)}, ${spec.debitAccount}, ${spec.creditAccount}, ${spec.kind},
        ${spec.accountId ?? null}, ${spec.invoiceId ?? null}, ${spec.paymentId ?? null}, ${spec.chargeId ?? null}, ${spec.reversesId ?? null},
        ${spec.description ?? null}, ${iso(now)})
      on conflict (key) do nothing returning *`;
  }

  /** Creates the ledger row if new and returns its balance; on PostgreSQL the upsert also locks the row. */
  async #lockedBalance(id: string, currency: LedgerCurrency, now: Date): Promise<bigint> {
    const row = (await this.q.first<{ balance: string; currency: string }>`insert into ledger_accounts (id, currency, balance, updated_at)
      values (${id}, ${currency}, '0', ${iso(now)})
      on conflict (id) do update set updated_at = excluded.updated_at returning balance, currency`)!;
    if (row.currency !== currency) throw new Error(`ledger: account ${id} holds ${row.currency}, not ${currency}`);
    return toAmount(row.balance);
  }

  async #setBalance(id: string, balance: bigint, now: Date): Promise<void> {
    await this.q.changed`update ledger_accounts set balance = ${fromAmount(balance)}, updated_at = ${iso(now)} where id = ${id}`;
  }

  async balance(ledgerAccount: string): Promise<bigint> {
    const row = await this.k.selectFrom('ledger_accounts').select('balance').where('id', '=', ledgerAccount).executeTakeFirst();
    return row ? toAmount(row.balance) : 0n;
  }

  /**
   * An account's balances (ledger accounts under `prefix`) and its pending invoice amounts, read
   * in one statement (one snapshot, one round trip): the balance endpoint's whole read.
   * Pending rows are fixed-amount invoices with a payment on its way, at most 1,000 of them.
   */
  async balancesWithPending(prefix: string, accountId: string): Promise<{ balances: LedgerBalance[]; pending: PendingInvoiceAmount[] }> {
    // Balances are polled often and change rarely: served from the read cache while the database is unchanged.
    const rows = await this.q.cachedRows<{ kind: string; id: string | null; currency: string; amount: string; credited: string | null }>`
      select 'b' as kind, id, currency, balance as amount, null as credited from ledger_accounts where id >= ${prefix} and id < ${prefix + '\uffff'}
      union all
      select 'p', null, currency, amount, credited_amount from (select currency, amount, credited_amount from invoices
        where account_id = ${accountId} and status in ('payment_detected', 'payment_confirmed', 'payment_error') and amount is not null
        limit 1000) pending_invoices`;
    const balances: LedgerBalance[] = [];
    const pending: PendingInvoiceAmount[] = [];
    for (const r of rows) {
      if (r.kind === 'b') balances.push({ ledgerAccount: r.id ?? '', currency: r.currency as LedgerCurrency, balance: toAmount(r.amount) });
      else pending.push({ currency: r.currency, amountMinor: toAmount(r.amount), creditedMinor: toAmount(r.credited ?? '0') });
    }
    balances.sort((a, b) => (a.ledgerAccount < b.ledgerAccount ? -1 : a.ledgerAccount > b.ledgerAccount ? 1 : 0));
    return { balances, pending };
  }

  async forPayment(paymentId: string): Promise<PostedTransfer[]> {
    const rows = await this.k.selectFrom('transfers').selectAll().where('payment_id', '=', paymentId).orderBy('seq').execute();
    return rows.map(toTransfer);
  }

  async getByKey(key: string): Promise<PostedTransfer | null> {
    const row = await this.k.selectFrom('transfers').selectAll().where('key', '=', key).executeTakeFirst();
    return row ? toTransfer(row) : null;
  }

  /** Transfers touching a customer's balances, newest first. */
  async pageForAccount(page: TransferPage): Promise<PostedTransfer[]> {
    let query = this.k.selectFrom('transfers').selectAll().where('account_id', '=', page.accountId).where('kind', '<>', 'receive');
    if (page.after) query = query.where('created_at', '>=', iso(page.after));
    if (page.before) query = query.where('created_at', '<', iso(page.before));
    const rows = await query.orderBy('seq', 'desc').limit(page.limit).offset(page.start).execute();
    return rows.map(toTransfer);
  }

  /** Streams every transfer in sequence order, in bounded batches (for verification and export). */
  async *allTransfers(batchSize: number): AsyncGenerator<PostedTransfer[]> {
    let after = 0;
    for (;;) {
      const rows = await this.k.selectFrom('transfers').selectAll().where('seq', '>', after).orderBy('seq').limit(batchSize).execute();
      if (rows.length === 0) return;
      yield rows.map(toTransfer);
      after = Number(rows.at(-1)!.seq);
    }
  }

  async allBalances(): Promise<LedgerBalance[]> {
    const rows = await this.k.selectFrom('ledger_accounts').select(['id', 'currency', 'balance']).orderBy('id').execute();
    return rows.map((r) => ({ ledgerAccount: r.id, currency: r.currency as LedgerCurrency, balance: toAmount(r.balance) }));
  }
}
