// Read-only queries of the operator's views (admin API and console): invoice and account search,
// an invoice's transfers and events, held payments, and the overview's aggregates. Sums of
// amounts stay exact on both dialects (PostgreSQL sums NUMERIC; SQLite sums two integer halves
// of the amount text, each far from the 64-bit limit, recombined as bigint).

import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import type { Account } from '../core/account.ts';
import type { Charge } from '../core/account.ts';
import type { Invoice, Payment } from '../core/invoice.ts';
import type { PostedTransfer } from '../core/ledger.ts';
import type { Database } from './schema.ts';
import type { Db } from './database.ts';
import { iso, toAmount, toDate } from './codec.ts';
import { toAccount } from './accounts-store.ts';
import { toInvoice } from './invoices-store.ts';
import { toTransfer } from './ledger-store.ts';
import { toCharge } from './charges-store.ts';
import { toPayment } from './payments-store.ts';

export interface InvoiceSearch {
  readonly id?: string | undefined;
  readonly accountId?: string | undefined;
  /** An address, payment reference (target key, BOLT11) or URI, exactly. */
  readonly target?: string | undefined;
  readonly txid?: string | undefined;
  readonly status?: string | undefined;
  readonly methodId?: string | undefined;
  readonly createdFrom?: Date | undefined;
  readonly createdBefore?: Date | undefined;
  readonly beforeSeq?: number | undefined;
  readonly limit: number;
}

export interface StoredEvent {
  readonly seq: number;
  readonly id: string;
  readonly type: string;
  readonly payload: string;
  readonly createdAt: Date;
}

export interface HeldPaymentRow {
  readonly payment: Payment;
  readonly invoice: Invoice;
}

export interface SumRow {
  readonly key: string;
  readonly day?: string;
  readonly currency: string;
  readonly totalMinor: bigint;
}

const SPLIT = 9;
const SPLIT_FACTOR = 10n ** BigInt(SPLIT);

export class AdminQueries {
  constructor(private readonly k: Kysely<Database>, private readonly dialect: Db['dialect']) {}

  /** Exact sum of an integer amount column, as text (PostgreSQL) or two integer halves (SQLite). */
  #sum(column: string): { high: RawBuilder<string>; low: RawBuilder<string> } {
    const ref = sql.ref(column);
    if (this.dialect === 'postgres') return { high: sql<string>`cast(sum(${ref}) as text)`, low: sql<string>`'0'` };
    return {
      high: sql<string>`cast(coalesce(sum(cast(substr(${ref}, 1, max(length(${ref}) - ${sql.lit(SPLIT)}, 0)) as integer)), 0) as text)`,
      low: sql<string>`cast(coalesce(sum(cast(substr(${ref}, max(length(${ref}) - ${sql.lit(SPLIT - 1)}, 1)) as integer)), 0) as text)`,
    };
  }

  #total(high: string | null, low: string | null): bigint {
    if (this.dialect === 'postgres') return toAmount(high ?? '0');
    return toAmount(high ?? '0') * SPLIT_FACTOR + toAmount(low ?? '0');
  }

  async searchInvoices(search: InvoiceSearch): Promise<Invoice[]> {
    let query = this.k.selectFrom('invoices').selectAll();
    if (search.id !== undefined) query = query.where('id', '=', search.id);
    if (search.accountId !== undefined) query = query.where('account_id', '=', search.accountId);
    if (search.target !== undefined) {
      const target = search.target;
      query = query.where((eb) => eb.or([
        eb('address', '=', target), eb('target_key', '=', target), eb('lightning_invoice', '=', target), eb('uri', '=', target),
        eb('id', 'in', eb.selectFrom('invoice_targets').select('invoice_id').where('target_key', '=', target)),
      ]));
    }
    if (search.txid !== undefined) {
      const txid = search.txid;
      query = query.where('id', 'in', (eb) => eb.selectFrom('payments').select('invoice_id').where('txid', '=', txid));
    }
    if (search.status !== undefined) query = query.where('status', '=', search.status);
    if (search.methodId !== undefined) query = query.where('method_id', '=', search.methodId);
    if (search.createdFrom !== undefined) query = query.where('created_at', '>=', iso(search.createdFrom));
    if (search.createdBefore !== undefined) query = query.where('created_at', '<', iso(search.createdBefore));
    if (search.beforeSeq !== undefined) query = query.where('seq', '<', search.beforeSeq);
    return (await query.orderBy('seq', 'desc').limit(search.limit).execute()).map(toInvoice);
  }

  /** Accounts by exact id, or label / website login email containing `text` (case-insensitive). */
  async searchAccounts(text: string, limit: number): Promise<Account[]> {
    let query = this.k.selectFrom('accounts').selectAll();
    if (text !== '') {
      const like = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([
        eb('id', '=', text),
        eb(sql`lower(label)`, 'like', sql`${like} escape '\\'`),
        eb('id', 'in', eb.selectFrom('web_users').select('account_id').where(sql`lower(email)`, 'like', sql`${like} escape '\\'`)),
      ]));
    }
    return (await query.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute()).map(toAccount);
  }

  async transfersForInvoice(invoiceId: string): Promise<PostedTransfer[]> {
    return (await this.k.selectFrom('transfers').selectAll().where('invoice_id', '=', invoiceId).orderBy('seq').execute()).map(toTransfer);
  }

  async transfersForAccount(accountId: string, limit: number): Promise<PostedTransfer[]> {
    return (await this.k.selectFrom('transfers').selectAll().where('account_id', '=', accountId).orderBy('seq', 'desc').limit(limit).execute()).map(toTransfer);
  }

  async eventsForInvoice(invoiceId: string, limit: number): Promise<StoredEvent[]> {
    const rows = await this.k.selectFrom('outbox').selectAll().where('invoice_id', '=', invoiceId).orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ seq: Number(r.seq), id: r.id, type: r.type, payload: r.payload, createdAt: toDate(r.created_at) }));
  }

  async chargesForAccount(accountId: string, limit: number): Promise<Charge[]> {
    return (await this.k.selectFrom('charges').selectAll().where('account_id', '=', accountId).orderBy('seq', 'desc').limit(limit).execute()).map(toCharge);
  }

  /** Payments held for a person (not credited, not resolved), oldest first, with their invoices. */
  async heldPayments(limit: number): Promise<HeldPaymentRow[]> {
    const rows = await this.k.selectFrom('payments').selectAll().where('held_reason', 'is not', null).where('credited_amount', 'is', null)
      .where('resolution', 'is', null).where('state', '<>', 'gone').orderBy('seq').limit(limit).execute();
    if (rows.length === 0) return [];
    const invoices = await this.k.selectFrom('invoices').selectAll().where('id', 'in', [...new Set(rows.map((r) => r.invoice_id))]).execute();
    const byId = new Map(invoices.map((row) => [row.id, toInvoice(row)]));
    return rows.map((row) => ({ payment: toPayment(row), invoice: byId.get(row.invoice_id)! }));
  }

  async heldCount(): Promise<number> {
    const row = await this.k.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).where('held_reason', 'is not', null)
      .where('credited_amount', 'is', null).where('resolution', 'is', null).where('state', '<>', 'gone').executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** What arrived per received account (`received:<method>:<currency>`) and UTC day since `since`. */
  async receivedPerDay(since: Date): Promise<SumRow[]> {
    const { high, low } = this.#sum('amount');
    const day = sql<string>`substr(created_at, 1, 10)`;
    const rows = await this.k.selectFrom('transfers').select(['debit_account', 'currency']).select(day.as('day'))
      .select(high.as('high')).select(low.as('low'))
      .where('kind', '=', 'receive').where('created_at', '>=', iso(since))
      .groupBy(['debit_account', 'currency', day]).orderBy(day).orderBy('debit_account').execute();
    return rows.map((r) => ({ key: r.debit_account, day: r.day, currency: r.currency, totalMinor: this.#total(r.high, r.low) }));
  }

  /** The sum of customer balances per currency: what the operator owes. */
  async customerBalances(): Promise<SumRow[]> {
    const { high, low } = this.#sum('balance');
    const rows = await this.k.selectFrom('ledger_accounts').select('currency').select(high.as('high')).select(low.as('low'))
      .where('id', 'like', 'customer:%').groupBy('currency').orderBy('currency').execute();
    return rows.map((r) => ({ key: 'customer', currency: r.currency, totalMinor: this.#total(r.high, r.low) }));
  }

  /** Per endpoint: deliveries that failed for good, and pending ones whose last attempt failed. */
  async failingEndpoints(): Promise<Array<{ endpointId: string; failed: number; retrying: number }>> {
    const rows = await this.k.selectFrom('webhook_deliveries').select('endpoint_id')
      .select(sql<number>`sum(case when status = 'failed' then 1 else 0 end)`.as('failed'))
      .select(sql<number>`sum(case when status = 'pending' and attempts > 0 then 1 else 0 end)`.as('retrying'))
      .where('endpoint_id', 'is not', null).where((eb) => eb.or([eb('status', '=', 'failed'), eb.and([eb('status', '=', 'pending'), eb('attempts', '>', 0)])]))
      .groupBy('endpoint_id').execute();
    return rows.map((r) => ({ endpointId: r.endpoint_id!, failed: Number(r.failed), retrying: Number(r.retrying) }));
  }
}
