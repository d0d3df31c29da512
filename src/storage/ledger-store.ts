// The double-entry ledger: immutable transfers with unique keys, and balances materialised per
// ledger account in the same transaction. Balance arithmetic is done on bigint here, under the
// account rows' locks (PostgreSQL) or SQLite's single writer, never on floats in SQL.

import type { Kysely, Selectable } from 'kysely';
import type { LedgerCurrency, PostedTransfer, TransferKind, TransferSpec } from '../core/ledger.ts';
import type { InvoiceConversion } from '../core/conversion.ts';
import { CofferError } from '../core/errors.ts';
import type { Database, TransfersTable } from './schema.ts';
import { fromAmount, iso, toAmount, toDate } from './codec.ts';
import type { SqlText } from './sql-text.ts';
import type { ReadCache } from './read-cache.ts';
import { newPrefixedId } from './ids.ts';
import { conversionFromColumns } from './invoices-store.ts';

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
  /** A converted invoice's credit currency and locked rates (migration 005); null otherwise. */
  readonly conversion: InvoiceConversion | null;
}

/** An account's balances and pending invoice amounts; possibly shared between readers: never modified. */
export interface BalancesWithPending {
  readonly balances: readonly LedgerBalance[];
  readonly pending: readonly PendingInvoiceAmount[];
}

interface BalanceOrPendingRow {
  kind: string;
  id: string | null;
  currency: string;
  amount: string;
  credited: string | null;
  credit_currency: string | null;
  credit_rate_units: string | null;
  credit_rate_scale: number | null;
  fx_invoice_rate_units: string | null;
  fx_invoice_rate_scale: number | null;
}

function toPending(r: BalanceOrPendingRow): PendingInvoiceAmount {
  const conversion = conversionFromColumns({ ...r, fx_sources: null, fx_at: null });
  return { currency: r.currency, amountMinor: toAmount(r.amount), creditedMinor: toAmount(r.credited ?? '0'), conversion };
}

export interface TransferPage {
  readonly accountId: string;
  readonly start: number;
  readonly limit: number;
  readonly after?: Date | undefined;
  readonly before?: Date | undefined;
}

export class LedgerStore {
  constructor(private readonly k: Kysely<Database>, private readonly q: SqlText, private readonly readCache: ReadCache | null = null) {}

  /**
   * Posts transfers atomically within the caller's transaction. A transfer whose key exists is
   * skipped (replay = no-op) and the existing one returned. A debit that must be covered and is
   * not throws balance_too_low, and the caller's transaction rolls back. Hot path: every ledger
   * account involved is read (and on PostgreSQL locked, in id order, so two posts cannot
   * deadlock) in one statement, each transfer is one insert, and the new balances are written in
   * one statement.
   */
  async post(specs: readonly TransferSpec[], now: Date): Promise<PostedTransfer[]> {
    for (const spec of specs) {
      if (spec.amount <= 0n) throw new RangeError(`ledger: transfer ${spec.key} amount must be positive`);
    }
    if (specs.length === 0) return [];
    const currencies = new Map<string, LedgerCurrency>();
    for (const spec of specs) {
      for (const id of [spec.debitAccount, spec.creditAccount]) {
        const held = currencies.get(id);
        if (held !== undefined && held !== spec.currency) throw new Error(`ledger: account ${id} holds ${held}, not ${spec.currency}`);
        currencies.set(id, spec.currency);
      }
    }
    const balances = await this.#lockedBalances(currencies, now);
    const changed = new Set<string>();
    const posted: PostedTransfer[] = [];
    for (const spec of specs) {
      const transfer = await this.#insertTransfer(spec, now);
      if (!transfer) {
        posted.push((await this.getByKey(spec.key))!);
        continue;
      }
      const debitAfter = balances.get(spec.debitAccount)! - spec.amount;
      if (spec.debitMustCover && debitAfter < 0n) {
        throw new CofferError('balance_too_low', 'The account balance is too low for this charge');
      }
      balances.set(spec.debitAccount, debitAfter);
      balances.set(spec.creditAccount, balances.get(spec.creditAccount)! + spec.amount);
      changed.add(spec.debitAccount).add(spec.creditAccount);
      posted.push(transfer);
    }
    if (changed.size > 0) await this.#setBalances([...changed].map((id) => [id, balances.get(id)!]), now);
    return posted;
  }

  /** Inserts the transfer unless its key exists (then undefined); returns it as posted. */
  async #insertTransfer(spec: TransferSpec, now: Date): Promise<PostedTransfer | undefined> {
    const id = newPrefixedId('tr');
    const row = await this.q.first<{ seq: number | string }>`insert into transfers
      (id, key, currency, amount, debit_account, credit_account, kind, account_id, invoice_id, payment_id, charge_id, reverses_id, description, created_at)
      values (${id}, ${spec.key}, ${spec.currency}, ${fromAmount(spec.amount)}, ${spec.debitAccount}, ${spec.creditAccount}, ${spec.kind},
        ${spec.accountId ?? null}, ${spec.invoiceId ?? null}, ${spec.paymentId ?? null}, ${spec.chargeId ?? null}, ${spec.reversesId ?? null},
        ${spec.description ?? null}, ${iso(now)})
      on conflict (key) do nothing returning seq`;
    if (!row) return undefined;
    return {
      id, key: spec.key, kind: spec.kind, currency: spec.currency, amount: spec.amount, debitAccount: spec.debitAccount,
      creditAccount: spec.creditAccount, accountId: spec.accountId ?? null, invoiceId: spec.invoiceId ?? null,
      paymentId: spec.paymentId ?? null, chargeId: spec.chargeId ?? null, reversesId: spec.reversesId ?? null,
      description: spec.description ?? null, createdAt: now, seq: Number(row.seq),
    };
  }

  /**
   * The balances of `accounts` (id → currency), creating the rows that do not exist yet; on
   * PostgreSQL the rows are locked (`for update`, in id order) until the transaction ends.
   */
  async #lockedBalances(accounts: ReadonlyMap<string, LedgerCurrency>, now: Date): Promise<Map<string, bigint>> {
    const ids = [...accounts.keys()].sort();
    let rows = await this.#selectBalances(ids);
    if (rows.length < ids.length) {
      const found = new Set(rows.map((r) => r.id));
      for (const id of ids.filter((i) => !found.has(i))) {
        await this.q.changed`insert into ledger_accounts (id, currency, balance, updated_at)
          values (${id}, ${accounts.get(id)!}, '0', ${iso(now)}) on conflict (id) do nothing`;
      }
      rows = await this.#selectBalances(ids);
    }
    const balances = new Map<string, bigint>();
    for (const row of rows) {
      if (row.currency !== accounts.get(row.id)) throw new Error(`ledger: account ${row.id} holds ${row.currency}, not ${accounts.get(row.id)}`);
      balances.set(row.id, toAmount(row.balance));
    }
    return balances;
  }

  #selectBalances(ids: readonly string[]): Promise<Array<{ id: string; currency: string; balance: string }>> {
    // One statement for any number of accounts: a JSON array on SQLite, an array parameter on PostgreSQL.
    return this.q.dialect === 'postgres'
      ? this.q.rows`select id, currency, balance::text as balance from ledger_accounts where id = any(${ids}) order by id for update`
      : this.q.rows`select id, currency, balance from ledger_accounts where id in (select value from json_each(${JSON.stringify(ids)}))`;
  }

  async #setBalances(balances: ReadonlyArray<readonly [string, bigint]>, now: Date): Promise<void> {
    const ids = balances.map(([id]) => id);
    const amounts = balances.map(([, balance]) => fromAmount(balance));
    if (this.q.dialect === 'postgres') {
      await this.q.changed`update ledger_accounts set balance = u.balance::numeric, updated_at = ${iso(now)}
        from unnest(${ids}::text[], ${amounts}::text[]) as u(id, balance) where ledger_accounts.id = u.id`;
    } else {
      await this.q.changed`update ledger_accounts set balance = u.value ->> 1, updated_at = ${iso(now)}
        from json_each(${JSON.stringify(balances.map(([id], i) => [id, amounts[i]]))}) as u where ledger_accounts.id = u.value ->> 0`;
    }
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
  async balancesWithPending(prefix: string, accountId: string): Promise<BalancesWithPending> {
    // Balances are polled often and change rarely: on SQLite, outside a transaction, remembered
    // while the database is unchanged.
    const read = () => this.#readBalancesWithPending(prefix, accountId);
    return this.readCache ? this.readCache.remember(`balances\u0000${prefix}\u0000${accountId}`, read) : read();
  }

  async #readBalancesWithPending(prefix: string, accountId: string): Promise<BalancesWithPending> {
    const rows = await this.q.rows<BalanceOrPendingRow>`
      select 'b' as kind, id, currency, balance as amount, null as credited, null as credit_currency, null as credit_rate_units,
        null as credit_rate_scale, null as fx_invoice_rate_units, null as fx_invoice_rate_scale
        from ledger_accounts where id >= ${prefix} and id < ${prefix + '\uffff'}
      union all
      select 'p', null, currency, amount, credited_amount, credit_currency, credit_rate_units, credit_rate_scale, fx_invoice_rate_units,
        fx_invoice_rate_scale from (select currency, amount, credited_amount, credit_currency, credit_rate_units, credit_rate_scale,
        fx_invoice_rate_units, fx_invoice_rate_scale from invoices
        where account_id = ${accountId} and status in ('payment_detected', 'payment_confirmed', 'payment_error') and amount is not null
        limit 1000) pending_invoices`;
    const balances: LedgerBalance[] = [];
    const pending: PendingInvoiceAmount[] = [];
    for (const r of rows) {
      if (r.kind === 'b') balances.push({ ledgerAccount: r.id ?? '', currency: r.currency as LedgerCurrency, balance: toAmount(r.amount) });
      else pending.push(toPending(r));
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

  /** Transfers with `afterSeq` < seq <= `uptoSeq`, in seq order (keyset pages of an export). */
  async transfersBetween(afterSeq: number, uptoSeq: number, limit: number): Promise<PostedTransfer[]> {
    const rows = await this.k.selectFrom('transfers').selectAll().where('seq', '>', afterSeq).where('seq', '<=', uptoSeq).orderBy('seq').limit(limit).execute();
    return rows.map(toTransfer);
  }

  async maxTransferSeq(): Promise<number> {
    const row = await this.k.selectFrom('transfers').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    return row?.seq === null || row?.seq === undefined ? 0 : Number(row.seq);
  }

  async allBalances(): Promise<LedgerBalance[]> {
    const rows = await this.k.selectFrom('ledger_accounts').select(['id', 'currency', 'balance']).orderBy('id').execute();
    return rows.map((r) => ({ ledgerAccount: r.id, currency: r.currency as LedgerCurrency, balance: toAmount(r.balance) }));
  }
}
