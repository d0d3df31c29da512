// Deposit invoices and the targets watchers look for.

import type { Kysely, Selectable } from 'kysely';
import type { BalanceCurrency, CryptoAsset } from '../core/assets.ts';
import type { Invoice, InvoiceStatus, LockedRate } from '../core/invoice.ts';
import type { WatchedTarget } from '../core/payment-method.ts';
import type { Database, InvoicesTable } from './schema.ts';
import { fromAmount, iso, toAmount, toAmountOrNull, toDate, toDateOrNull } from './codec.ts';
import type { SqlText } from './sql-text.ts';

export function rateFromColumns(units: string | null, scale: number | null, sources: string | null, at: string | null): LockedRate | null {
  if (units === null || scale === null) return null;
  return { value: { units: toAmount(units), scale }, sources: sources ? sources.split(',') : [], at: toDate(at ?? new Date(0).toISOString()) };
}

function toInvoice(row: Selectable<InvoicesTable>): Invoice {
  return {
    seq: Number(row.seq), id: row.id, accountId: row.account_id, status: row.status as InvoiceStatus,
    currency: row.currency as BalanceCurrency, amountMinor: toAmountOrNull(row.amount), methodId: row.method_id,
    asset: row.asset as CryptoAsset, unitScale: row.unit_scale, pricePrecision: row.price_precision,
    priceUnits: toAmountOrNull(row.price_units),
    rate: rateFromColumns(row.rate_units, row.rate_scale, row.rate_sources, row.rate_at),
    targetKey: row.target_key, address: row.address, uri: row.uri, lightningInvoice: row.lightning_invoice,
    network: row.network, chainId: row.chain_id, contractAddress: row.contract_address, walletId: row.wallet_id,
    derivationIndex: row.derivation_index, confirmationsRequired: row.confirmations_required,
    receivedUnits: toAmount(row.received_units), creditedMinor: toAmount(row.credited_amount), webhookUrl: row.webhook_url,
    createdAt: toDate(row.created_at), expiresAt: toDate(row.expires_at), watchUntil: toDate(row.watch_until),
    completedAt: toDateOrNull(row.completed_at), updatedAt: toDate(row.updated_at),
  };
}

export type NewInvoice = Omit<Invoice, 'seq'>;

export interface InvoicePage {
  readonly accountId: string;
  readonly start: number;
  readonly limit: number;
  readonly after?: Date | undefined;
  readonly before?: Date | undefined;
}

export interface InvoiceUpdate {
  readonly status: InvoiceStatus;
  readonly receivedUnits: bigint;
  readonly creditedMinor: bigint;
  readonly completedAt: Date | null;
  readonly updatedAt: Date;
}

export class InvoicesStore {
  constructor(private readonly k: Kysely<Database>, private readonly rowLocks: boolean, private readonly q: SqlText) {}

  async insert(invoice: NewInvoice): Promise<Invoice> {
    const i = invoice;
    const row = await this.q.first<{ seq: number }>`insert into invoices (id, account_id, status, currency, amount, method_id, asset,
      unit_scale, price_precision, price_units, rate_units, rate_scale, rate_sources, rate_at, target_key, address, uri,
      lightning_invoice, network, chain_id, contract_address, wallet_id, derivation_index, confirmations_required,
      received_units, credited_amount, webhook_url, created_at, expires_at, watch_until, completed_at, updated_at)
      values (${i.id}, ${i.accountId}, ${i.status}, ${i.currency}, ${i.amountMinor === null ? null : fromAmount(i.amountMinor)}, ${i.methodId}, ${i.asset},
      ${i.unitScale}, ${i.pricePrecision}, ${i.priceUnits === null ? null : fromAmount(i.priceUnits)},
      ${i.rate ? fromAmount(i.rate.value.units) : null}, ${i.rate?.value.scale ?? null}, ${i.rate ? i.rate.sources.join(',') : null},
      ${i.rate ? iso(i.rate.at) : null}, ${i.targetKey}, ${i.address}, ${i.uri}, ${i.lightningInvoice}, ${i.network}, ${i.chainId},
      ${i.contractAddress}, ${i.walletId}, ${i.derivationIndex}, ${i.confirmationsRequired}, ${fromAmount(i.receivedUnits)},
      ${fromAmount(i.creditedMinor)}, ${i.webhookUrl}, ${iso(i.createdAt)}, ${iso(i.expiresAt)}, ${iso(i.watchUntil)},
      ${i.completedAt ? iso(i.completedAt) : null}, ${iso(i.updatedAt)}) returning seq`;
    return { ...invoice, seq: Number(row!.seq) };
  }

  async get(id: string, lock = false): Promise<Invoice | null> {
    const row = lock && this.rowLocks
      ? await this.q.first<Selectable<InvoicesTable>>`select * from invoices where id = ${id} for update`
      : await this.q.first<Selectable<InvoicesTable>>`select * from invoices where id = ${id}`;
    return row ? toInvoice(row) : null;
  }

  async findByTarget(methodId: string, targetKey: string): Promise<Invoice | null> {
    const row = await this.q.first<Selectable<InvoicesTable>>`select * from invoices where target_key = ${targetKey} and method_id = ${methodId}`;
    return row ? toInvoice(row) : null;
  }

  /** The invoice holding `targetKey` under any of `methodIds` (a payment of another asset to its address). */
  async findByTargetKey(targetKey: string, methodIds: readonly string[]): Promise<Invoice | null> {
    if (methodIds.length === 0) return null;
    const row = await this.k.selectFrom('invoices').selectAll().where('target_key', '=', targetKey).where('method_id', 'in', methodIds).executeTakeFirst();
    return row ? toInvoice(row) : null;
  }

  /** Newest first, Bitrefill-style offset paging with an inclusive `after` and exclusive `before`. */
  async page(page: InvoicePage): Promise<Invoice[]> {
    let query = this.k.selectFrom('invoices').selectAll().where('account_id', '=', page.accountId);
    if (page.after) query = query.where('created_at', '>=', iso(page.after));
    if (page.before) query = query.where('created_at', '<', iso(page.before));
    const rows = await query.orderBy('seq', 'desc').limit(page.limit).offset(page.start).execute();
    return rows.map(toInvoice);
  }

  async update(id: string, update: InvoiceUpdate): Promise<void> {
    await this.q.changed`update invoices set status = ${update.status}, received_units = ${fromAmount(update.receivedUnits)},
      credited_amount = ${fromAmount(update.creditedMinor)}, completed_at = ${update.completedAt ? iso(update.completedAt) : null},
      updated_at = ${iso(update.updatedAt)} where id = ${id}`;
  }

  /** Open invoices whose expiry has passed, oldest first. */
  async dueForExpiry(now: Date, limit: number): Promise<string[]> {
    const rows = await this.k.selectFrom('invoices').select('id')
      .where('status', 'in', ['unpaid', 'payment_detected', 'payment_confirmed'])
      .where('expires_at', '<=', iso(now)).orderBy('expires_at').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  /** Targets still watched (watch_until in the future), after a sequence cursor. */
  async watchedTargets(methodIds: readonly string[], afterSeq: number, now: Date, limit: number): Promise<{ targets: WatchedTarget[]; cursor: number }> {
    if (methodIds.length === 0) return { targets: [], cursor: afterSeq };
    const rows = await this.k.selectFrom('invoices').select(['seq', 'id', 'method_id', 'target_key', 'watch_until'])
      .where('method_id', 'in', methodIds).where('seq', '>', afterSeq).where('watch_until', '>', iso(now))
      .orderBy('seq').limit(limit).execute();
    const last = rows.at(-1);
    return {
      targets: rows.map((r) => ({ methodId: r.method_id, targetKey: r.target_key, invoiceId: r.id, watchUntil: toDate(r.watch_until) })),
      cursor: last ? Number(last.seq) : afterSeq,
    };
  }

  /** Highest derivation index of `walletId` whose address received a payment that did not vanish. */
  async highestPaidIndex(walletId: string): Promise<number | null> {
    const row = await this.k.selectFrom('invoices').select((eb) => eb.fn.max('derivation_index').as('highest'))
      .where('wallet_id', '=', walletId)
      .where((eb) => eb.exists(eb.selectFrom('payments').select('payments.id')
        .whereRef('payments.invoice_id', '=', 'invoices.id').where('payments.state', '<>', 'gone')))
      .executeTakeFirst();
    return row?.highest === null || row?.highest === undefined ? null : Number(row.highest);
  }

  /** Fixed-amount invoices of an account with a payment on its way, for the `pending` balance. */
  async pendingFor(accountId: string, limit: number): Promise<Array<{ currency: string; amountMinor: bigint; creditedMinor: bigint }>> {
    const rows = await this.q.rows<{ currency: string; amount: string | null; credited_amount: string }>`select currency, amount, credited_amount
      from invoices where account_id = ${accountId} and status in ('payment_detected', 'payment_confirmed', 'payment_error')
      and amount is not null limit ${limit}`;
    return rows.map((r) => ({ currency: r.currency, amountMinor: toAmount(r.amount ?? '0'), creditedMinor: toAmount(r.credited_amount) }));
  }

  async countByStatus(): Promise<Array<{ status: string; count: number }>> {
    const rows = await this.k.selectFrom('invoices').select(['status']).select((eb) => eb.fn.countAll<number>().as('count')).groupBy('status').execute();
    return rows.map((r) => ({ status: r.status, count: Number(r.count) }));
  }
}
