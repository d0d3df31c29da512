// Applies a settlement plan inside the caller's transaction: posts credits and reversals to the
// ledger, stores payment and invoice changes, and writes the outbox events for all of it.

import { CurrencyScale } from '../core/assets.ts';
import { conversionText, creditCurrency, creditedBalance } from '../core/conversion.ts';
import type { OutboxEvent } from '../core/events.ts';
import type { Payment, SettlementInvoice } from '../core/invoice.ts';
import { creditTransfers, isCustomerLedgerAccount, LedgerAccounts, paymentLedgerCurrency, reversalOf } from '../core/ledger.ts';
import { formatDecimal } from '../core/money.ts';
import { planSettlement } from '../core/settlement.ts';
import type { MethodUnitOf } from '../core/settlement.ts';
import type { StoreTx } from '../storage/store.ts';
import type { Deps } from './deps.ts';
import { invoiceEvent, statusEventType } from './invoice-events.ts';
import { newPrefixedId } from '../storage/ids.ts';

export interface SettleResult {
  readonly invoice: SettlementInvoice;
  readonly creditedMinor: bigint;
  readonly reversed: number;
}

/**
 * `currency`/`amount` are the invoice's (what settlement decided); `balance_currency`/
 * `balance_amount` what the balance moved by, which differ on a converted invoice.
 */
function balanceEvent(type: OutboxEvent['type'], invoice: SettlementInvoice, payment: Payment, amountMinor: bigint, at: Date): OutboxEvent {
  const balance = creditedBalance(invoice, amountMinor);
  return {
    id: newPrefixedId('evt'), type, accountId: invoice.accountId, invoiceId: invoice.id, createdAt: at,
    payload: {
      account_id: invoice.accountId, invoice_id: invoice.id, payment_id: payment.id, payment_key: payment.paymentKey,
      currency: invoice.currency, amount: formatDecimal(amountMinor, CurrencyScale[invoice.currency]), late: payment.late,
      balance_currency: balance.currency, balance_amount: formatDecimal(balance.amountMinor, CurrencyScale[balance.currency]),
    },
  };
}

/** Posts the reversal of a credited payment that left the chain; returns the payment's new fields. */
async function reverse(tx: StoreTx, invoice: SettlementInvoice, payment: Payment, now: Date, events: OutboxEvent[]): Promise<Partial<Payment>> {
  const transfers = (await tx.ledger.forPayment(payment.id)).filter((t) => t.kind !== 'reversal');
  await tx.ledger.post(transfers.map((t) => reversalOf(t, `payment ${payment.paymentKey} left the chain`)), now);
  events.push(balanceEvent('deposit.reversed', invoice, payment, payment.creditedMinor ?? 0n, now));
  const customer = LedgerAccounts.customer(invoice.accountId, creditCurrency(invoice));
  if (transfers.some((t) => isCustomerLedgerAccount(t.creditAccount)) && (await tx.ledger.balance(customer)) < 0n) {
    // Only a reversal can take a balance below zero; the account is frozen until an operator acts.
    await tx.accounts.setStatus(invoice.accountId, 'frozen');
    events.push(balanceEvent('account.frozen', invoice, payment, payment.creditedMinor ?? 0n, now));
  }
  return { reversed: true };
}

/** Posts a payment's credit; returns the payment's new fields. */
async function credit(deps: Deps, tx: StoreTx, invoice: SettlementInvoice, payment: Payment, creditMinor: bigint, now: Date, events: OutboxEvent[]): Promise<Partial<Payment>> {
  // The receive leg is in what the payment itself carried (a companion lightning payment: MSAT),
  // the credit leg in the balance currency credited (the account's, converted at the invoice's
  // locked rate, when the invoice is in another currency); each transfer balances in its own currency.
  const unit = payment.methodId === invoice.methodId ? invoice : deps.methods.get(payment.methodId)?.spec ?? invoice;
  const balance = creditedBalance(invoice, creditMinor);
  await tx.ledger.post(creditTransfers({
    paymentId: payment.id, invoiceId: invoice.id, accountId: invoice.accountId, methodId: payment.methodId,
    paymentCurrency: paymentLedgerCurrency(unit.asset, unit.unitScale), receivedUnits: payment.amountUnits,
    balanceCurrency: balance.currency, creditMinor: balance.amountMinor,
    description: invoice.conversion ? conversionText(invoice.currency, invoice.asset, creditMinor, invoice.conversion) : undefined,
  }), now);
  events.push(balanceEvent('balance.credited', invoice, payment, creditMinor, now));
  return { creditedMinor: creditMinor, heldReason: null };
}

/** The units of the configured methods, for settling companion payments in the invoice's unit. */
export function methodUnitOf(deps: Pick<Deps, 'methods'>): MethodUnitOf {
  return (methodId) => deps.methods.get(methodId)?.spec;
}

/**
 * A change to one of the payments that the caller made in memory and has not stored: settling
 * stores it together with its own changes, one write per payment (an insert when it is new).
 */
export interface UnstoredPayment {
  readonly paymentId: string;
  readonly isNew: boolean;
}

/** Settles `invoice` (locked by the caller) against `payments`, all within `tx`. */
export async function settleInvoice(deps: Deps, tx: StoreTx, invoice: SettlementInvoice, payments: readonly Payment[], now: Date,
  unstored?: UnstoredPayment): Promise<SettleResult> {
  const plan = planSettlement(invoice, payments, now, (p) => deps.methods.confirmationsFor(p.methodId, p.amountUnits), methodUnitOf(deps));
  const byId = new Map(payments.map((p) => [p.id, p]));
  const dirty = new Set<string>(unstored ? [unstored.paymentId] : []);
  const edit = (paymentId: string, fields: Partial<Payment>) => {
    byId.set(paymentId, { ...byId.get(paymentId)!, ...fields, updatedAt: now });
    dirty.add(paymentId);
  };
  const events: OutboxEvent[] = [];
  let creditedMinor = invoice.creditedMinor;

  for (const paymentId of plan.reversals) {
    const payment = byId.get(paymentId)!;
    edit(paymentId, await reverse(tx, invoice, payment, now, events));
    creditedMinor -= payment.creditedMinor ?? 0n;
  }
  for (const { paymentId, creditMinor } of plan.credits) {
    edit(paymentId, await credit(deps, tx, invoice, byId.get(paymentId)!, creditMinor, now, events));
    creditedMinor += creditMinor;
  }
  for (const [paymentId, reason] of plan.held) {
    if (byId.get(paymentId)!.heldReason !== reason) edit(paymentId, { heldReason: reason });
  }
  for (const paymentId of dirty) {
    const payment = byId.get(paymentId)!;
    if (paymentId !== unstored?.paymentId || !unstored.isNew) await tx.payments.update(payment);
    else if (!(await tx.payments.insertIfAbsent(payment))) {
      // Its key was stored by another transaction meanwhile: roll back; applying it again finds it.
      throw new Error(`payment ${payment.paymentKey} was stored concurrently`);
    }
  }

  const receivedUnits = plan.receivedUnits;
  const completedAt = invoice.completedAt ?? (plan.status === 'complete' ? now : null);
  const updated: SettlementInvoice = { ...invoice, status: plan.status, receivedUnits, creditedMinor, completedAt, updatedAt: now };
  const changed = updated.status !== invoice.status || receivedUnits !== invoice.receivedUnits
    || creditedMinor !== invoice.creditedMinor || completedAt !== invoice.completedAt;
  if (changed) await tx.invoices.update(invoice.id, updated);
  if (updated.status !== invoice.status) events.unshift(invoiceEvent(statusEventType(updated.status), updated, now));
  await tx.outbox.insert(events);
  return { invoice: updated, creditedMinor: creditedMinor - invoice.creditedMinor, reversed: plan.reversals.length };
}
