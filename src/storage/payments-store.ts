// Payments: one row per chain payment key, the unit of exactly-once crediting.

import type { Kysely, Selectable } from 'kysely';
import type { LockedRate, Payment, PaymentResolution } from '../core/invoice.ts';
import type { ObservationState } from '../core/observation.ts';
import type { KnownPayment } from '../core/payment-method.ts';
import type { Database, PaymentsTable } from './schema.ts';
import { fromAmount, iso, toAmount, toAmountOrNull, toDate } from './codec.ts';
import { rateFromColumns } from './invoices-store.ts';
import type { SqlText } from './sql-text.ts';

export function toPayment(row: Selectable<PaymentsTable>): Payment {
  return {
    seq: Number(row.seq), id: row.id, invoiceId: row.invoice_id, accountId: row.account_id, methodId: row.method_id,
    paymentKey: row.payment_key, targetKey: row.target_key, txid: row.txid, amountUnits: toAmount(row.amount_units),
    state: row.state as ObservationState, confirmations: row.confirmations, blockHash: row.block_hash,
    blockHeight: row.block_height, rbf: row.rbf === 1, late: row.late === 1,
    rate: rateFromColumns(row.rate_units, row.rate_scale, row.rate_sources, row.first_seen_at),
    creditedMinor: toAmountOrNull(row.credited_amount), reversed: row.reversed === 1, heldReason: row.held_reason,
    firstSeenAt: toDate(row.first_seen_at), updatedAt: toDate(row.updated_at),
    resolution: (row.resolution ?? null) as PaymentResolution | null, resolutionNote: row.resolution_note ?? null,
  };
}

export type NewPayment = Omit<Payment, 'seq'>;

export class PaymentsStore {
  constructor(private readonly k: Kysely<Database>, private readonly q: SqlText) {}

  /** Inserts unless the payment key exists; returns whether this call inserted it. */
  async insertIfAbsent(payment: NewPayment): Promise<boolean> {
    const p = payment;
    const inserted = await this.q.changed`insert into payments (id, invoice_id, account_id, method_id, payment_key, target_key, txid,
      amount_units, state, confirmations, block_hash, block_height, rbf, late, rate_units, rate_scale, rate_sources, credited_amount,
      reversed, held_reason, first_seen_at, updated_at)
      values (${p.id}, ${p.invoiceId}, ${p.accountId}, ${p.methodId}, ${p.paymentKey}, ${p.targetKey}, ${p.txid},
      ${fromAmount(p.amountUnits)}, ${p.state}, ${p.confirmations}, ${p.blockHash}, ${p.blockHeight}, ${p.rbf ? 1 : 0}, ${p.late ? 1 : 0},
      ${p.rate ? fromAmount(p.rate.value.units) : null}, ${p.rate?.value.scale ?? null}, ${p.rate ? p.rate.sources.join(',') : null},
      ${p.creditedMinor === null ? null : fromAmount(p.creditedMinor)}, ${p.reversed ? 1 : 0}, ${p.heldReason},
      ${iso(p.firstSeenAt)}, ${iso(p.updatedAt)})
      on conflict (payment_key) do nothing`;
    return inserted > 0;
  }

  async getByKey(paymentKey: string): Promise<Payment | null> {
    const row = await this.q.first<Selectable<PaymentsTable>>`select * from payments where payment_key = ${paymentKey}`;
    return row ? toPayment(row) : null;
  }

  /**
   * Whether a payment with `paymentKey` is stored, and the rate it was first seen at: what
   * applying an observation needs before its transaction (the rest is read again inside it).
   */
  async seenRate(paymentKey: string): Promise<{ rate: LockedRate | null } | null> {
    const row = await this.q.first<Pick<Selectable<PaymentsTable>, 'rate_units' | 'rate_scale' | 'rate_sources' | 'first_seen_at'>>`
      select rate_units, rate_scale, rate_sources, first_seen_at from payments where payment_key = ${paymentKey}`;
    return row ? { rate: rateFromColumns(row.rate_units, row.rate_scale, row.rate_sources, row.first_seen_at) } : null;
  }

  /** An invoice's payments and the payment with `paymentKey` wherever it is, in one statement. */
  async forInvoiceOrKey(invoiceId: string, paymentKey: string): Promise<Payment[]> {
    const rows = await this.q.rows<Selectable<PaymentsTable>>`select * from payments
      where invoice_id = ${invoiceId} or payment_key = ${paymentKey} order by seq`;
    return rows.map(toPayment);
  }

  async forInvoice(invoiceId: string): Promise<Payment[]> {
    const rows = await this.q.rows<Selectable<PaymentsTable>>`select * from payments where invoice_id = ${invoiceId} order by seq`;
    return rows.map(toPayment);
  }

  async forInvoices(invoiceIds: readonly string[]): Promise<Map<string, Payment[]>> {
    const byInvoice = new Map<string, Payment[]>();
    if (invoiceIds.length === 0) return byInvoice;
    const rows = await this.k.selectFrom('payments').selectAll().where('invoice_id', 'in', invoiceIds).orderBy('seq').execute();
    for (const row of rows) {
      const list = byInvoice.get(row.invoice_id) ?? [];
      list.push(toPayment(row));
      byInvoice.set(row.invoice_id, list);
    }
    return byInvoice;
  }

  async update(payment: Payment): Promise<void> {
    const p = payment;
    await this.q.changed`update payments set state = ${p.state}, confirmations = ${p.confirmations}, block_hash = ${p.blockHash},
      block_height = ${p.blockHeight}, rbf = ${p.rbf ? 1 : 0}, rate_units = ${p.rate ? fromAmount(p.rate.value.units) : null},
      rate_scale = ${p.rate?.value.scale ?? null}, rate_sources = ${p.rate ? p.rate.sources.join(',') : null},
      credited_amount = ${p.creditedMinor === null ? null : fromAmount(p.creditedMinor)}, reversed = ${p.reversed ? 1 : 0},
      held_reason = ${p.heldReason}, updated_at = ${iso(p.updatedAt)} where id = ${p.id}`;
  }

  /** Payments a watcher must keep re-checking: not gone, not reversed, and shallower than the reorg horizon. */
  async known(methodIds: readonly string[], confirmationsBelow: number, limit: number): Promise<KnownPayment[]> {
    if (methodIds.length === 0) return [];
    const rows = await this.k.selectFrom('payments').selectAll().where('method_id', 'in', methodIds)
      .where('state', '<>', 'gone').where('reversed', '=', 0).where('confirmations', '<', confirmationsBelow).orderBy('seq', 'desc').limit(limit).execute();
    return rows.map((row) => {
      const p = toPayment(row);
      return {
        methodId: p.methodId, paymentKey: p.paymentKey, targetKey: p.targetKey, txid: p.txid, amountUnits: p.amountUnits,
        state: p.state, confirmations: p.confirmations, credited: p.creditedMinor !== null,
        ...(p.blockHash !== null ? { blockHash: p.blockHash } : {}),
        ...(p.blockHeight !== null ? { blockHeight: p.blockHeight } : {}),
      };
    });
  }

  async get(id: string): Promise<Payment | null> {
    const row = await this.k.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toPayment(row) : null;
  }

  /** Records how an operator resolved a held payment (the settlement fields are written by update()). */
  async setResolution(id: string, resolution: PaymentResolution, note: string, now: Date): Promise<void> {
    await this.k.updateTable('payments').set({ resolution, resolution_note: note, updated_at: iso(now) }).where('id', '=', id).execute();
  }

  /** Payments held for the operator (e.g. no rate when first seen), with their invoices. */
  async held(limit: number): Promise<Array<{ paymentId: string; invoiceId: string }>> {
    const rows = await this.k.selectFrom('payments').select(['id', 'invoice_id']).where('held_reason', '=', 'rate_unavailable')
      .where('credited_amount', 'is', null).orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ paymentId: r.id, invoiceId: r.invoice_id }));
  }
}
