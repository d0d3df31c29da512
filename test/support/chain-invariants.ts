// The settlement invariants of ADVERSARIAL.md, checked against the real store after every chain
// scenario: I1–I3 through verifyLedger, I4 (each payment key credited at most once, and every
// invoice's credited amount is what its payments' ledger transfers say) and I5 (every payment
// that was observed is recorded on an invoice, and every payment is credited, held, gone or
// still on its way — never silently dropped).

import assert from 'node:assert/strict';
import type { Db } from '../../src/storage/database.ts';
import type { Store } from '../../src/storage/store.ts';
import { verifyLedger } from '../../src/usecases/verify-ledger.ts';

export interface InvariantReport {
  readonly payments: number;
  readonly transfers: number;
}

/** Asserts I1–I5; `observedKeys` are payment keys the test paid and expects to be recorded. */
export async function assertSettlementInvariants(store: Store, db: Db, observedKeys: readonly string[] = []): Promise<InvariantReport> {
  const ledger = await verifyLedger(store);
  assert.ok(ledger.ok, `I1–I3 (ledger verify): ${JSON.stringify(ledger)}`);

  const k = db.kysely;
  const payments = await k.selectFrom('payments').selectAll().execute();
  const transfers = await k.selectFrom('transfers').selectAll().where('payment_id', 'is not', null).execute();
  const invoices = await k.selectFrom('invoices').select(['id', 'credited_amount', 'status']).execute();
  const invoiceById = new Map(invoices.map((i) => [i.id, i]));
  const paymentById = new Map(payments.map((p) => [p.id, p]));

  // I4: one row per payment key, and per payment at most one receive and one credit transfer.
  assert.equal(new Set(payments.map((p) => p.payment_key)).size, payments.length, 'I4: a payment key is stored twice');
  const creditedOnInvoice = new Map<string, bigint>();
  for (const p of payments) {
    const mine = transfers.filter((t) => t.payment_id === p.id);
    const credits = mine.filter((t) => t.kind === 'credit');
    const receives = mine.filter((t) => t.kind === 'receive');
    const reversals = mine.filter((t) => t.kind === 'reversal');
    assert.ok(credits.length <= 1 && receives.length <= 1, `I4: payment ${p.payment_key} credited ${credits.length} times`);
    assert.equal(reversals.length, p.reversed === 1 ? credits.length + receives.length : 0, `I4: reversals of ${p.payment_key}`);
    if (p.credited_amount === null) {
      assert.equal(credits.length + receives.length, 0, `I4: ledger credit without a credited payment ${p.payment_key}`);
    } else {
      assert.equal(BigInt(credits[0]?.amount ?? '0'), BigInt(p.credited_amount), `I4: credited amount of ${p.payment_key}`);
      if (p.reversed === 0) creditedOnInvoice.set(p.invoice_id, (creditedOnInvoice.get(p.invoice_id) ?? 0n) + BigInt(p.credited_amount));
    }
  }
  for (const t of transfers) assert.ok(paymentById.has(t.payment_id as string), `I4: transfer ${t.key} of an unknown payment`);
  for (const invoice of invoices) {
    assert.equal(BigInt(invoice.credited_amount), creditedOnInvoice.get(invoice.id) ?? 0n, `I4: invoice ${invoice.id} credited_amount`);
  }

  // I5: observed payments are recorded on an invoice; each is credited, held, gone or pending.
  const keys = new Set(payments.map((p) => p.payment_key));
  for (const key of observedKeys) assert.ok(keys.has(key), `I5: observed payment ${key} was not recorded`);
  for (const p of payments) {
    assert.ok(invoiceById.has(p.invoice_id), `I5: payment ${p.payment_key} is on no invoice`);
    const accountedFor = p.credited_amount !== null || p.held_reason !== null || p.state === 'gone' || p.state === 'seen' || p.state === 'confirmed';
    assert.ok(accountedFor, `I5: payment ${p.payment_key} in state ${p.state} is neither credited, held, gone nor pending`);
    // A payment held for the operator makes its invoice say so, unless the invoice was settled anyway.
    if (p.held_reason !== null && p.state !== 'gone') {
      const status = invoiceById.get(p.invoice_id)?.status;
      assert.ok(status === 'payment_error' || status === 'complete', `I5: held payment ${p.payment_key} on a ${status} invoice`);
    }
  }
  return { payments: payments.length, transfers: ledger.transfers };
}
