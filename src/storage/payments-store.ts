// Payments: one row per chain payment key, the unit of exactly-once crediting.

import type { Kysely, Selectable } from 'kysely';
import type { Payment } from '../core/invoice.ts';
import type { ObservationState } from '../core/observation.ts';
import type { KnownPayment } from '../core/payment-method.ts';
import type { Database, PaymentsTable } from './schema.ts';
import { fromAmount, iso, toAmount, toAmountOrNull, toDate } from './codec.ts';
import { rateFromColumns } from './invoices-store.ts';

function toPayment(row: Selectable<PaymentsTable>): Payment {
  return {
    seq: Number(row.seq), id: row.id, invoiceId: row.invoice_id, accountId: row.account_id, methodId: row.method_id,
    paymentKey: row.payment_key, targetKey: row.target_key, txid: row.txid, amountUnits: toAmount(row.amount_units),
    state: row.state as ObservationState, confirmations: row.confirmations, blockHash: row.block_hash,
    blockHeight: row.block_height, rbf: row.rbf === 1, late: row.late === 1,
    rate: rateFromColumns(row.rate_units, row.rate_scale, row.rate_sources, row.first_seen_at),
    creditedMinor: toAmountOrNull(row.credited_amount), reversed: row.reversed === 1, heldReason: row.held_reason,
    firstSeenAt: toDate(row.first_seen_at), updatedAt: toDate(row.updated_at),
  };
}

export type NewPayment = Omit<Payment, 'seq'>;

export class PaymentsStore {
  constructor(private readonly k: Kysely<Database>) {}

  /** Inserts unless the payment key exists; returns whether this call inserted it. */
  async insertIfAbsent(payment: NewPayment): Promise<boolean> {
    const result = await this.k.insertInto('payments').values({
      id: payment.id, invoice_id: payment.invoiceId, account_id: payment.accountId, method_id: payment.methodId,
      payment_key: payment.paymentKey, target_key: payment.targetKey, txid: payment.txid,
      amount_units: fromAmount(payment.amountUnits), state: payment.state, confirmations: payment.confirmations,
      block_hash: payment.blockHash, block_height: payment.blockHeight, rbf: payment.rbf ? 1 : 0, late: payment.late ? 1 : 0,
      rate_units: payment.rate ? fromAmount(payment.rate.value.units) : null, rate_scale: payment.rate?.value.scale ?? null,
      rate_sources: payment.rate ? payment.rate.sources.join(',') : null,
      credited_amount: payment.creditedMinor === null ? null : fromAmount(payment.creditedMinor),
      reversed: payment.reversed ? 1 : 0, held_reason: payment.heldReason,
      first_seen_at: iso(payment.firstSeenAt), updated_at: iso(payment.updatedAt),
    }).onConflict((oc) => oc.column('payment_key').doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async getByKey(paymentKey: string): Promise<Payment | null> {
    const row = await this.k.selectFrom('payments').selectAll().where('payment_key', '=', paymentKey).executeTakeFirst();
    return row ? toPayment(row) : null;
  }

  async forInvoice(invoiceId: string): Promise<Payment[]> {
    const rows = await this.k.selectFrom('payments').selectAll().where('invoice_id', '=', invoiceId).orderBy('seq').execute();
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
    await this.k.updateTable('payments').set({
      state: payment.state, confirmations: payment.confirmations, block_hash: payment.blockHash,
      block_height: payment.blockHeight, rbf: payment.rbf ? 1 : 0,
      rate_units: payment.rate ? fromAmount(payment.rate.value.units) : null, rate_scale: payment.rate?.value.scale ?? null,
      rate_sources: payment.rate ? payment.rate.sources.join(',') : null,
      credited_amount: payment.creditedMinor === null ? null : fromAmount(payment.creditedMinor),
      reversed: payment.reversed ? 1 : 0, held_reason: payment.heldReason, updated_at: iso(payment.updatedAt),
    }).where('id', '=', payment.id).execute();
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

  /** Payments held for the operator (e.g. no rate when first seen), with their invoices. */
  async held(limit: number): Promise<Array<{ paymentId: string; invoiceId: string }>> {
    const rows = await this.k.selectFrom('payments').select(['id', 'invoice_id']).where('held_reason', '=', 'rate_unavailable')
      .where('credited_amount', 'is', null).orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ paymentId: r.id, invoiceId: r.invoice_id }));
  }
}
