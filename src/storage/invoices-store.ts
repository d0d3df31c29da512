// Deposit invoices and the targets watchers look for.

import type { Kysely, Selectable } from 'kysely';
import type { BalanceCurrency, CryptoAsset } from '../core/assets.ts';
import type { Invoice, InvoiceStatus, LockedRate } from '../core/invoice.ts';
import type { WatchedTarget } from '../core/payment-method.ts';
import type { Database, InvoicesTable } from './schema.ts';
import { fromAmount, iso, toAmount, toAmountOrNull, toDate, toDateOrNull } from './codec.ts';

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
  constructor(private readonly k: Kysely<Database>, private readonly rowLocks: boolean) {}

  async insert(invoice: NewInvoice): Promise<Invoice> {
    const row = await this.k.insertInto('invoices').values({
      id: invoice.id, account_id: invoice.accountId, status: invoice.status, currency: invoice.currency,
      amount: invoice.amountMinor === null ? null : fromAmount(invoice.amountMinor), method_id: invoice.methodId,
      asset: invoice.asset, unit_scale: invoice.unitScale, price_precision: invoice.pricePrecision,
      price_units: invoice.priceUnits === null ? null : fromAmount(invoice.priceUnits),
      rate_units: invoice.rate ? fromAmount(invoice.rate.value.units) : null, rate_scale: invoice.rate?.value.scale ?? null,
      rate_sources: invoice.rate ? invoice.rate.sources.join(',') : null, rate_at: invoice.rate ? iso(invoice.rate.at) : null,
      target_key: invoice.targetKey, address: invoice.address, uri: invoice.uri, lightning_invoice: invoice.lightningInvoice,
      network: invoice.network, chain_id: invoice.chainId, contract_address: invoice.contractAddress,
      wallet_id: invoice.walletId, derivation_index: invoice.derivationIndex,
      confirmations_required: invoice.confirmationsRequired, received_units: fromAmount(invoice.receivedUnits),
      credited_amount: fromAmount(invoice.creditedMinor), webhook_url: invoice.webhookUrl,
      created_at: iso(invoice.createdAt), expires_at: iso(invoice.expiresAt), watch_until: iso(invoice.watchUntil),
      completed_at: invoice.completedAt ? iso(invoice.completedAt) : null, updated_at: iso(invoice.updatedAt),
    }).returning('seq').executeTakeFirstOrThrow();
    return { ...invoice, seq: Number(row.seq) };
  }

  async get(id: string, lock = false): Promise<Invoice | null> {
    let query = this.k.selectFrom('invoices').selectAll().where('id', '=', id);
    if (lock && this.rowLocks) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? toInvoice(row) : null;
  }

  async findByTarget(methodId: string, targetKey: string, lock = false): Promise<Invoice | null> {
    let query = this.k.selectFrom('invoices').selectAll().where('method_id', '=', methodId).where('target_key', '=', targetKey);
    if (lock && this.rowLocks) query = query.forUpdate();
    const row = await query.executeTakeFirst();
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
    await this.k.updateTable('invoices').set({
      status: update.status, received_units: fromAmount(update.receivedUnits), credited_amount: fromAmount(update.creditedMinor),
      completed_at: update.completedAt ? iso(update.completedAt) : null, updated_at: iso(update.updatedAt),
    }).where('id', '=', id).execute();
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
    const rows = await this.k.selectFrom('invoices').select(['currency', 'amount', 'credited_amount']).where('account_id', '=', accountId)
      .where('status', 'in', ['payment_detected', 'payment_confirmed', 'payment_error']).where('amount', 'is not', null).limit(limit).execute();
    return rows.map((r) => ({ currency: r.currency, amountMinor: toAmount(r.amount ?? '0'), creditedMinor: toAmount(r.credited_amount) }));
  }

  async countByStatus(): Promise<Array<{ status: string; count: number }>> {
    const rows = await this.k.selectFrom('invoices').select(['status']).select((eb) => eb.fn.countAll<number>().as('count')).groupBy('status').execute();
    return rows.map((r) => ({ status: r.status, count: Number(r.count) }));
  }
}
