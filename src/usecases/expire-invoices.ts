// The expiry sweeper: invoices whose quote ran out are settled by the same rule as a payment
// (underpaid-but-confirmed ones are credited at the locked rate; empty ones expire). It also
// retries payments held for want of a rate. Safe to run in several processes at once.

import type { Deps } from './deps.ts';
import { rateNow } from './apply-observations.ts';
import { settleInvoice } from './settle-invoice.ts';
import { Limits } from '../core/limits.ts';

export async function settleById(deps: Deps, invoiceId: string): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const invoice = await tx.invoices.getForSettlement(invoiceId, true);
    if (!invoice) return;
    await settleInvoice(deps, tx, invoice, await tx.payments.forInvoice(invoice.id), deps.clock.now());
  });
}

/** Settles every invoice past its expiry; returns how many were looked at. */
export async function expireInvoices(deps: Deps, batchMax: number = Limits.expiryBatchMax): Promise<number> {
  const due = await deps.store.invoices.dueForExpiry(deps.clock.now(), batchMax);
  for (const id of due) await settleById(deps, id);
  return due.length;
}

/** Gives held payments (no rate when first seen) the current rate and settles their invoices. */
export async function retryHeldPayments(deps: Deps, batchMax: number = Limits.expiryBatchMax): Promise<number> {
  const held = await deps.store.payments.held(batchMax);
  let released = 0;
  for (const { paymentId, invoiceId } of held) {
    const invoice = await deps.store.invoices.get(invoiceId);
    if (!invoice) continue;
    const rate = await rateNow(deps, invoice);
    if (rate === null) continue;
    await deps.store.transaction(async (tx) => {
      const locked = await tx.invoices.getForSettlement(invoiceId, true);
      const payments = await tx.payments.forInvoice(invoiceId);
      const payment = payments.find((p) => p.id === paymentId);
      if (!locked || !payment || payment.creditedMinor !== null) return;
      const withRate = { ...payment, rate, updatedAt: deps.clock.now() };
      await settleInvoice(deps, tx, locked, payments.map((p) => (p.id === paymentId ? withRate : p)), deps.clock.now(),
        { paymentId, isNew: false });
      released++;
    });
  }
  return released;
}
