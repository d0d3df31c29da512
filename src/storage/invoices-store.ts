// Deposit invoices and the targets watchers look for.

import type { Kysely, Selectable } from 'kysely';
import type { BalanceCurrency, CryptoAsset } from '../core/assets.ts';
import type { InvoiceConversion } from '../core/conversion.ts';
import type { Invoice, InvoiceRef, InvoiceStatus, LockedRate, SettlementInvoice } from '../core/invoice.ts';
import type { WatchedTarget } from '../core/payment-method.ts';
import type { Database, InvoicesTable } from './schema.ts';
import { fromAmount, iso, toAmount, toAmountOrNull, toDate, toDateOrNull } from './codec.ts';
import type { SqlText, SqlValue } from './sql-text.ts';
import { INSERT_OUTBOX, OUTBOX_COLUMNS, outboxValues } from './outbox-store.ts';
import type { OutboxStore } from './outbox-store.ts';
import type { OutboxEvent } from '../core/events.ts';

export function rateFromColumns(units: string | null, scale: number | null, sources: string | null, at: string | null): LockedRate | null {
  if (units === null || scale === null) return null;
  return { value: { units: toAmount(units), scale }, sources: sources ? sources.split(',') : [], at: toDate(at ?? new Date(0).toISOString()) };
}

const CONVERSION_COLUMNS = ['credit_currency', 'credit_rate_units', 'credit_rate_scale', 'fx_invoice_rate_units', 'fx_invoice_rate_scale',
  'fx_sources', 'fx_at'] as const;
type ConversionRow = Pick<Selectable<InvoicesTable>, (typeof CONVERSION_COLUMNS)[number]>;

export function conversionFromColumns(row: ConversionRow): InvoiceConversion | null {
  if (row.credit_currency === null || row.credit_rate_units === null || row.credit_rate_scale === null
    || row.fx_invoice_rate_units === null || row.fx_invoice_rate_scale === null) return null;
  return {
    currency: row.credit_currency as BalanceCurrency,
    creditRate: { units: toAmount(row.credit_rate_units), scale: Number(row.credit_rate_scale) },
    invoiceRate: { units: toAmount(row.fx_invoice_rate_units), scale: Number(row.fx_invoice_rate_scale) },
    sources: row.fx_sources ? row.fx_sources.split(',') : [], at: toDate(row.fx_at ?? new Date(0).toISOString()),
  };
}

function conversionValues(c: InvoiceConversion | null): SqlValue[] {
  if (c === null) return [null, null, null, null, null, null, null];
  return [c.currency, fromAmount(c.creditRate.units), c.creditRate.scale, fromAmount(c.invoiceRate.units), c.invoiceRate.scale,
    c.sources.join(','), iso(c.at)];
}

type InvoiceRefRow = Pick<Selectable<InvoicesTable>, 'id' | 'currency' | 'asset'>;

function toInvoiceRef(row: InvoiceRefRow): InvoiceRef {
  return { id: row.id, currency: row.currency as BalanceCurrency, asset: row.asset as CryptoAsset };
}

export function toInvoice(row: Selectable<InvoicesTable>): Invoice {
  return {
    seq: Number(row.seq), id: row.id, accountId: row.account_id, status: row.status as InvoiceStatus,
    currency: row.currency as BalanceCurrency, amountMinor: toAmountOrNull(row.amount), methodId: row.method_id,
    asset: row.asset as CryptoAsset, unitScale: row.unit_scale, pricePrecision: row.price_precision,
    priceUnits: toAmountOrNull(row.price_units),
    rate: rateFromColumns(row.rate_units, row.rate_scale, row.rate_sources, row.rate_at), conversion: conversionFromColumns(row),
    targetKey: row.target_key, address: row.address, uri: row.uri, lightningInvoice: row.lightning_invoice,
    network: row.network, chainId: row.chain_id, contractAddress: row.contract_address, walletId: row.wallet_id,
    derivationIndex: row.derivation_index, confirmationsRequired: row.confirmations_required,
    receivedUnits: toAmount(row.received_units), creditedMinor: toAmount(row.credited_amount), webhookUrl: row.webhook_url,
    createdAt: toDate(row.created_at), expiresAt: toDate(row.expires_at), watchUntil: toDate(row.watch_until),
    completedAt: toDateOrNull(row.completed_at), updatedAt: toDate(row.updated_at),
  };
}

export type NewInvoice = Omit<Invoice, 'seq'>;

const SETTLEMENT_COLUMNS = ['id', 'account_id', 'status', 'currency', 'amount', 'method_id', 'asset', 'unit_scale', 'price_units',
  'rate_units', 'rate_scale', 'rate_sources', 'rate_at', 'target_key', 'received_units', 'credited_amount', 'expires_at',
  'completed_at', 'updated_at', ...CONVERSION_COLUMNS] as const;
type SettlementRow = Pick<Selectable<InvoicesTable>, (typeof SETTLEMENT_COLUMNS)[number]>;
const SELECT_SETTLEMENT = `select ${SETTLEMENT_COLUMNS.join(', ')} from invoices where id = ?`;
const SELECT_SETTLEMENT_FOR_UPDATE = `${SELECT_SETTLEMENT} for update`;

function toSettlementInvoice(row: SettlementRow): SettlementInvoice {
  return {
    id: row.id, accountId: row.account_id, status: row.status as InvoiceStatus, currency: row.currency as BalanceCurrency,
    amountMinor: toAmountOrNull(row.amount), methodId: row.method_id, asset: row.asset as CryptoAsset, unitScale: row.unit_scale,
    priceUnits: toAmountOrNull(row.price_units), rate: rateFromColumns(row.rate_units, row.rate_scale, row.rate_sources, row.rate_at),
    conversion: conversionFromColumns(row), targetKey: row.target_key, receivedUnits: toAmount(row.received_units), creditedMinor: toAmount(row.credited_amount),
    expiresAt: toDate(row.expires_at), completedAt: toDateOrNull(row.completed_at), updatedAt: toDate(row.updated_at),
  };
}

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

const INVOICE_COLUMNS = [
  'id', 'account_id', 'status', 'currency', 'amount', 'method_id', 'asset', 'unit_scale', 'price_precision', 'price_units',
  'rate_units', 'rate_scale', 'rate_sources', 'rate_at', 'target_key', 'address', 'uri', 'lightning_invoice', 'network', 'chain_id',
  'contract_address', 'wallet_id', 'derivation_index', 'confirmations_required', 'received_units', 'credited_amount', 'webhook_url',
  'created_at', 'expires_at', 'watch_until', 'completed_at', 'updated_at',
  ...CONVERSION_COLUMNS,
] as const;

/** The values of INVOICE_COLUMNS, in order. */
function invoiceValues(i: NewInvoice): SqlValue[] {
  return [
    i.id, i.accountId, i.status, i.currency, i.amountMinor === null ? null : fromAmount(i.amountMinor), i.methodId, i.asset,
    i.unitScale, i.pricePrecision, i.priceUnits === null ? null : fromAmount(i.priceUnits),
    i.rate ? fromAmount(i.rate.value.units) : null, i.rate?.value.scale ?? null, i.rate ? i.rate.sources.join(',') : null,
    i.rate ? iso(i.rate.at) : null, i.targetKey, i.address, i.uri, i.lightningInvoice, i.network, i.chainId,
    i.contractAddress, i.walletId, i.derivationIndex, i.confirmationsRequired, fromAmount(i.receivedUnits),
    fromAmount(i.creditedMinor), i.webhookUrl, iso(i.createdAt), iso(i.expiresAt), iso(i.watchUntil),
    i.completedAt ? iso(i.completedAt) : null, iso(i.updatedAt), ...conversionValues(i.conversion),
  ];
}

const INSERT_INVOICE = `insert into invoices (${INVOICE_COLUMNS.join(', ')}) values (${INVOICE_COLUMNS.map(() => '?').join(', ')})`;

// The companion row is inserted only when its method is given; the event always.
const INSERT_CREATED_PG = `with inv as (${INSERT_INVOICE} returning seq),
  companion as (insert into invoice_targets (invoice_id, method_id, target_key, created_seq)
    select ?, ?, ?, seq from inv where ?::text is not null),
  event as (${INSERT_OUTBOX})
  select seq from inv`;

// Many new invoices in one statement (PostgreSQL). Each table's rows travel as one JSON array of
// rows (one parameter, built by JSON.stringify: no per-value escaping in the driver), each value
// read back by position and cast to its column's type. The text is the same for any number of
// invoices, so it is prepared once per connection.
const PG_COLUMN_TYPES: Partial<Record<(typeof INVOICE_COLUMNS)[number], string>> = {
  amount: 'numeric', price_units: 'numeric', rate_units: 'numeric', received_units: 'numeric', credited_amount: 'numeric',
  unit_scale: 'integer', price_precision: 'integer', rate_scale: 'integer', chain_id: 'integer', derivation_index: 'integer',
  confirmations_required: 'integer', credit_rate_units: 'numeric', credit_rate_scale: 'integer',
  fx_invoice_rate_units: 'numeric', fx_invoice_rate_scale: 'integer',
};
const byPosition = (columns: readonly string[], types: Readonly<Record<string, string | undefined>> = {}) =>
  columns.map((c, i) => (types[c] ? `(r ->> ${i})::${types[c]}` : `r ->> ${i}`)).join(', ');
const INSERT_CREATED_MANY_PG = `with inv as (insert into invoices (${INVOICE_COLUMNS.join(', ')})
    select ${byPosition(INVOICE_COLUMNS, PG_COLUMN_TYPES)} from jsonb_array_elements(?::jsonb) as n(r)
    returning id, seq),
  companion as (insert into invoice_targets (invoice_id, method_id, target_key, created_seq)
    select c.r ->> 0, c.r ->> 1, c.r ->> 2, inv.seq from jsonb_array_elements(?::jsonb) as c(r) join inv on inv.id = c.r ->> 0),
  event as (insert into outbox (${OUTBOX_COLUMNS.join(', ')}) select ${byPosition(OUTBOX_COLUMNS)} from jsonb_array_elements(?::jsonb) as e(r))
  select id, seq from inv`;

/** A new invoice as `insertCreated` takes it. */
export interface CreatedInvoice {
  readonly invoice: NewInvoice;
  readonly companion: CompanionTarget | null;
  readonly event: OutboxEvent;
}

/** A bitcoin invoice's lightning fallback target, watched like the invoice's own. */
export interface CompanionTarget {
  readonly methodId: string;
  readonly targetKey: string;
}

export class InvoicesStore {
  /** `outbox` writes the `invoice.created` event on SQLite (on PostgreSQL it is part of the invoice's statement). */
  constructor(private readonly k: Kysely<Database>, private readonly rowLocks: boolean, private readonly q: SqlText, private readonly outbox: OutboxStore) {}

  /**
   * Stores a new invoice with its companion target (if any) and its `invoice.created` event. On
   * PostgreSQL that is one statement (data-modifying CTEs), so it needs no transaction of its own
   * and costs one round trip; on SQLite three, inside the caller's transaction.
   */
  async insertCreated(invoice: NewInvoice, companion: CompanionTarget | null, event: OutboxEvent): Promise<Invoice> {
    const values = invoiceValues(invoice);
    let rows: Array<{ seq: number | string }>;
    if (this.q.dialect === 'postgres') {
      rows = await this.q.query(INSERT_CREATED_PG, [...values, invoice.id, companion?.methodId ?? null, companion?.targetKey ?? null,
        companion?.methodId ?? null, ...outboxValues(event)]);
    } else {
      rows = await this.q.query(`${INSERT_INVOICE} returning seq`, values);
      if (companion) await this.insertCompanion({ id: invoice.id, seq: Number(rows[0]!.seq) }, companion.methodId, companion.targetKey);
      await this.outbox.insert([event]);
    }
    return { seq: Number(rows[0]!.seq), ...invoice };
  }

  /**
   * PostgreSQL: stores several new invoices, their companion targets and events in one statement
   * (all or none); returns them in the order given.
   */
  async insertCreatedMany(created: readonly CreatedInvoice[]): Promise<Invoice[]> {
    if (this.q.dialect !== 'postgres') throw new Error('insertCreatedMany is for PostgreSQL; SQLite groups commits instead');
    const companions = created.flatMap(({ invoice, companion }) => (companion ? [[invoice.id, companion.methodId, companion.targetKey]] : []));
    const rows = await this.q.query<{ id: string; seq: number | string }>(INSERT_CREATED_MANY_PG, [
      JSON.stringify(created.map(({ invoice }) => invoiceValues(invoice))), JSON.stringify(companions),
      JSON.stringify(created.map(({ event }) => outboxValues(event))),
    ]);
    const seqs = new Map(rows.map((r) => [r.id, Number(r.seq)]));
    return created.map(({ invoice }) => ({ seq: seqs.get(invoice.id)!, ...invoice }));
  }

  /** The settlement columns of an invoice (on PostgreSQL with `lock`, locked until the transaction ends). */
  async getForSettlement(id: string, lock = false): Promise<SettlementInvoice | null> {
    const rows = await this.q.query<SettlementRow>(lock && this.rowLocks ? SELECT_SETTLEMENT_FOR_UPDATE : SELECT_SETTLEMENT, [id]);
    return rows[0] ? toSettlementInvoice(rows[0]) : null;
  }

  async get(id: string, lock = false): Promise<Invoice | null> {
    const row = lock && this.rowLocks
      ? await this.q.first<Selectable<InvoicesTable>>`select * from invoices where id = ${id} for update`
      : await this.q.first<Selectable<InvoicesTable>>`select * from invoices where id = ${id}`;
    return row ? toInvoice(row) : null;
  }

  /**
   * The invoice a payment to (`methodId`, `targetKey`) belongs to — its own target or a companion
   * one — as a reference: the columns a payment needs before its transaction, not the whole row.
   */
  async findByTarget(methodId: string, targetKey: string): Promise<InvoiceRef | null> {
    const row = await this.q.first<InvoiceRefRow>`select id, currency, asset from invoices where target_key = ${targetKey} and method_id = ${methodId}`;
    if (row) return toInvoiceRef(row);
    const companion = await this.q.first<InvoiceRefRow>`select invoices.id, invoices.currency, invoices.asset from invoice_targets
      join invoices on invoices.id = invoice_targets.invoice_id
      where invoice_targets.target_key = ${targetKey} and invoice_targets.method_id = ${methodId}`;
    return companion ? toInvoiceRef(companion) : null;
  }

  /** Records a companion target of `invoice` (same transaction as its insert). */
  async insertCompanion(invoice: Pick<Invoice, 'id' | 'seq'>, methodId: string, targetKey: string): Promise<void> {
    await this.q.changed`insert into invoice_targets (invoice_id, method_id, target_key, created_seq)
      values (${invoice.id}, ${methodId}, ${targetKey}, ${invoice.seq})`;
  }

  /** Companion targets of an invoice, oldest first. */
  async companions(invoiceId: string): Promise<Array<{ methodId: string; targetKey: string }>> {
    const rows = await this.q.rows<{ method_id: string; target_key: string }>`select method_id, target_key from invoice_targets
      where invoice_id = ${invoiceId} order by method_id`;
    return rows.map((r) => ({ methodId: r.method_id, targetKey: r.target_key }));
  }

  /** The invoice holding `targetKey` under any of `methodIds` (a payment of another asset to its address). */
  async findByTargetKey(targetKey: string, methodIds: readonly string[]): Promise<InvoiceRef | null> {
    if (methodIds.length === 0) return null;
    const row = await this.k.selectFrom('invoices').select(['id', 'currency', 'asset']).where('target_key', '=', targetKey)
      .where('method_id', 'in', methodIds).executeTakeFirst();
    return row ? toInvoiceRef(row) : null;
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

  /**
   * Targets still watched (watch_until in the future), after a sequence cursor: invoices' own
   * targets and companion targets, both keyed by the invoice's seq. Each source is paged by
   * `limit`; the cursor returned is the highest seq up to which both sources were read in full,
   * so a page never skips a target (a page may hold a few more than `limit` rows at a shared seq).
   */
  async watchedTargets(methodIds: readonly string[], afterSeq: number, now: Date, limit: number): Promise<{ targets: WatchedTarget[]; cursor: number }> {
    if (methodIds.length === 0) return { targets: [], cursor: afterSeq };
    const own = (await this.k.selectFrom('invoices').select(['seq', 'id', 'method_id', 'target_key', 'watch_until'])
      .where('method_id', 'in', methodIds).where('seq', '>', afterSeq).where('watch_until', '>', iso(now))
      .orderBy('seq').limit(limit).execute())
      .map((r) => ({ seq: Number(r.seq), methodId: r.method_id, targetKey: r.target_key, invoiceId: r.id, watchUntil: r.watch_until }));
    const companionQuery = this.k.selectFrom('invoice_targets').innerJoin('invoices', 'invoices.id', 'invoice_targets.invoice_id')
      .select(['invoice_targets.created_seq', 'invoice_targets.invoice_id', 'invoice_targets.method_id', 'invoice_targets.target_key', 'invoices.watch_until'])
      .where('invoice_targets.method_id', 'in', methodIds).where('invoices.watch_until', '>', iso(now));
    const toCompanion = (r: { created_seq: number | string; invoice_id: string; method_id: string; target_key: string; watch_until: string }) =>
      ({ seq: Number(r.created_seq), methodId: r.method_id, targetKey: r.target_key, invoiceId: r.invoice_id, watchUntil: r.watch_until });
    const companions = (await companionQuery.where('invoice_targets.created_seq', '>', afterSeq)
      .orderBy('invoice_targets.created_seq').orderBy('invoice_targets.method_id').limit(limit).execute()).map(toCompanion);
    // A full page of a source bounds what is known complete; several companions may share the
    // last seq (one per method), so that seq is read to its end.
    let bound = Infinity;
    if (own.length === limit) bound = Math.min(bound, own.at(-1)!.seq);
    if (companions.length === limit) {
      const last = companions.at(-1)!.seq;
      const rest = (await companionQuery.where('invoice_targets.created_seq', '=', last).execute()).map(toCompanion);
      for (const r of rest) if (!companions.some((c) => c.methodId === r.methodId && c.invoiceId === r.invoiceId)) companions.push(r);
      bound = Math.min(bound, last);
    }
    const rows = [...own, ...companions].filter((r) => r.seq <= bound).sort((a, b) => a.seq - b.seq);
    const cursor = bound !== Infinity ? bound : rows.length > 0 ? rows.at(-1)!.seq : afterSeq;
    return {
      targets: rows.map((r) => ({ methodId: r.methodId, targetKey: r.targetKey, invoiceId: r.invoiceId, watchUntil: toDate(r.watchUntil) })),
      cursor,
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


  async countByStatus(): Promise<Array<{ status: string; count: number }>> {
    const rows = await this.k.selectFrom('invoices').select(['status']).select((eb) => eb.fn.countAll<number>().as('count')).groupBy('status').execute();
    return rows.map((r) => ({ status: r.status, count: Number(r.count) }));
  }
}
