// Holds: payments settlement could not credit by itself (`held_reason`: no rate when first seen,
// or another asset paid to the invoice's address), which leave their invoice in
// `payment_error`. An operator resolves each one exactly once, under its invoice's row lock:
// - credit: at a rate the operator chose and documented (the price of one unit of the paid
//   asset in the invoice's currency, with its source). The ledger posts the same two transfers
//   as any payment credit (receive, then credit) and the same `balance.credited` event;
// - refunded outside Coffer: nothing is posted; the payment leaves settlement with the note.
// Then the invoice is settled again without it (core/settlement.ts leaves resolved payments
// alone). A second resolution of the same payment is a 409 `conflict`; the audit entry commits
// in the same transaction.

import { CurrencyScale } from '../core/assets.ts';
import type { BalanceCurrency } from '../core/assets.ts';
import { CofferError } from '../core/errors.ts';
import type { OutboxEvent } from '../core/events.ts';
import type { Invoice, Payment } from '../core/invoice.ts';
import { creditTransfers, paymentLedgerCurrency } from '../core/ledger.ts';
import type { Decimal } from '../core/money.ts';
import { formatDecimal } from '../core/money.ts';
import { creditFor } from '../core/rate.ts';
import { newPrefixedId } from '../storage/ids.ts';
import type { Deps } from './deps.ts';
import type { RecordResponse } from './idempotency.ts';
import { appendAudit } from './operator-audit.ts';
import type { Actor } from './operator-audit.ts';
import { settleInvoice } from './settle-invoice.ts';
import { AdminLimits } from '../core/limits.ts';

const RATE_RE = /^(\d{1,24})(?:\.(\d{1,18}))?$/;

export const HoldReasons: Readonly<Record<string, string>> = {
  rate_unavailable: 'No exchange rate was available when the payment was first seen, so it could not be valued.',
  wrong_asset: 'Another asset than the invoice asks for was paid to its address.',
};

export interface HeldPayment {
  readonly payment: Payment;
  readonly invoice: Invoice;
  readonly reason: string;
}

export type HoldResolution =
  | { readonly action: 'credit'; readonly rate: string; readonly rateSource: string; readonly note: string }
  | { readonly action: 'refunded_outside'; readonly note: string };

export interface ResolvedHold {
  readonly paymentId: string;
  readonly invoiceId: string;
  readonly action: HoldResolution['action'];
  readonly creditedMinor: bigint | null;
  readonly currency: BalanceCurrency;
  readonly invoiceStatus: string;
}

export function reasonText(reason: string | null): string {
  return reason === null ? '' : HoldReasons[reason] ?? reason;
}

export async function listHolds(deps: Pick<Deps, 'store'>, limit = 100): Promise<HeldPayment[]> {
  const rows = await deps.store.admin.heldPayments(Math.min(limit, AdminLimits.holdsPageMax));
  return rows.map((r) => ({ ...r, reason: r.payment.heldReason ?? '' }));
}

export async function heldPayment(deps: Pick<Deps, 'store'>, paymentId: string): Promise<{ payment: Payment; invoice: Invoice }> {
  const payment = await deps.store.payments.get(paymentId);
  const invoice = payment ? await deps.store.invoices.get(payment.invoiceId) : null;
  if (!payment || !invoice) throw new CofferError('not_found', 'No such payment');
  return { payment, invoice };
}

/** A rate typed by a person: a plain positive decimal (at most 18 decimals). */
export function parseRate(text: string): Decimal {
  const match = RATE_RE.exec(text.trim());
  if (!match) throw new CofferError('invalid_param', 'Enter the rate as a plain decimal number, like 50000 or 0.9998', { field: 'rate' });
  const fraction = match[2] ?? '';
  const value = { units: BigInt(`${match[1]}${fraction}`), scale: fraction.length };
  if (value.units === 0n) throw new CofferError('invalid_param', 'The rate must be greater than zero', { field: 'rate' });
  return value;
}

function checkText(text: string, field: string, what: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new CofferError('missing_param', `Enter ${what}`, { field });
  if (trimmed.length > AdminLimits.holdNoteLengthMax) throw new CofferError('invalid_param', `Use at most ${AdminLimits.holdNoteLengthMax} characters`, { field });
  return trimmed;
}

/** What crediting `payment` at `rate` gives, in the invoice's currency (for the confirmation). */
export function creditPreview(deps: Pick<Deps, 'methods'>, invoice: Invoice, payment: Payment, rate: Decimal): bigint {
  const unit = deps.methods.get(payment.methodId)?.spec ?? invoice;
  return creditFor(payment.amountUnits, invoice.currency, rate, unit);
}

function creditedEvent(invoice: Pick<Invoice, 'id' | 'accountId' | 'currency'>, payment: Payment, amountMinor: bigint, at: Date): OutboxEvent {
  return {
    id: newPrefixedId('evt'), type: 'balance.credited', accountId: invoice.accountId, invoiceId: invoice.id, createdAt: at,
    payload: {
      account_id: invoice.accountId, invoice_id: invoice.id, payment_id: payment.id, payment_key: payment.paymentKey,
      currency: invoice.currency, amount: formatDecimal(amountMinor, CurrencyScale[invoice.currency]), late: payment.late, resolved_by_operator: true,
    },
  };
}

function validated(resolution: HoldResolution): HoldResolution {
  const note = checkText(resolution.note, 'note', 'a note saying what was done and why');
  if (resolution.action === 'refunded_outside') return { action: 'refunded_outside', note };
  parseRate(resolution.rate);
  const rateSource = checkText(resolution.rateSource, 'rate_source', 'where the rate comes from (source and time)').replaceAll(',', ';');
  return { action: 'credit', rate: resolution.rate.trim(), rateSource, note };
}

/** Resolves one held payment, exactly once; `record` runs inside the transaction (idempotent replies). */
export async function resolveHold(deps: Deps, actor: Actor, paymentId: string, input: HoldResolution, record?: RecordResponse<ResolvedHold>): Promise<ResolvedHold> {
  const resolution = validated(input);
  const { payment: found } = await heldPayment(deps, paymentId);
  return deps.store.transaction(async (tx) => {
    const invoice = await tx.invoices.getForSettlement(found.invoiceId, true);
    const payments = await tx.payments.forInvoice(found.invoiceId);
    const payment = payments.find((p) => p.id === paymentId);
    if (!invoice || !payment) throw new CofferError('not_found', 'No such payment');
    if (payment.resolution != null || payment.creditedMinor !== null || payment.heldReason === null || payment.state === 'gone') {
      throw new CofferError('conflict', payment.resolution != null ? 'This hold was already resolved' : 'This payment is not held');
    }
    const now = deps.clock.now();
    let creditedMinor: bigint | null = null;
    const kind = resolution.action === 'credit' ? 'credited' : 'refunded_outside';
    let updated: Payment = { ...payment, heldReason: null, resolution: kind, resolutionNote: resolution.note, updatedAt: now };
    const events: OutboxEvent[] = [];
    if (resolution.action === 'credit') {
      const rate = parseRate(resolution.rate);
      const unit = deps.methods.get(payment.methodId)?.spec ?? invoice;
      creditedMinor = creditFor(payment.amountUnits, invoice.currency, rate, unit);
      await tx.ledger.post(creditTransfers({
        paymentId: payment.id, invoiceId: invoice.id, accountId: invoice.accountId, methodId: payment.methodId,
        paymentCurrency: paymentLedgerCurrency(unit.asset, unit.unitScale), receivedUnits: payment.amountUnits,
        balanceCurrency: invoice.currency, creditMinor: creditedMinor,
      }), now);
      updated = { ...updated, creditedMinor, rate: { value: rate, sources: [`operator ${actor.name}: ${resolution.rateSource}`], at: now } };
      events.push(creditedEvent(invoice, payment, creditedMinor, now));
    }
    await tx.payments.update(updated);
    await tx.payments.setResolution(payment.id, kind, resolution.note, now);
    await tx.outbox.insert(events);
    const base = { ...invoice, creditedMinor: invoice.creditedMinor + (creditedMinor ?? 0n) };
    const settled = await settleInvoice(deps, tx, base, payments.map((p) => (p.id === payment.id ? updated : p)), now);
    await tx.invoices.update(invoice.id, settled.invoice);
    const result: ResolvedHold = {
      paymentId, invoiceId: invoice.id, action: resolution.action, creditedMinor, currency: invoice.currency, invoiceStatus: settled.invoice.status,
    };
    await appendAudit(tx, now, actor, resolution.action === 'credit' ? 'hold.credit' : 'hold.refunded_outside', `invoice:${invoice.id}`,
      { payment_id: paymentId, held_reason: payment.heldReason, invoice_status: invoice.status },
      { payment_id: paymentId, ...resolution, credited_minor: creditedMinor, invoice_status: settled.invoice.status });
    if (record) await record(tx, result);
    return result;
  });
}
