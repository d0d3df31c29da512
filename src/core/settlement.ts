// Settlement rules (DESIGN.md §5), as one pure function: given an invoice, all its payments and
// the time, decide which payments to credit (and how much), which credited ones to reverse, and
// the invoice's new status. usecases/apply-observations runs it under the invoice's row lock and
// posts what it decides; running it again on the result decides nothing new.

import { creditFor } from './rate.ts';
import type { CryptoAsset } from './assets.ts';
import type { InvoiceStatus, Payment, PaymentStatus, SettlementInvoice } from './invoice.ts';
import { rescale, Rounding } from './money.ts';

export interface SettlementCredit {
  readonly paymentId: string;
  readonly creditMinor: bigint;
}

export interface SettlementPlan {
  readonly credits: readonly SettlementCredit[];
  readonly reversals: readonly string[];
  /** Creditable payments that cannot be credited automatically, with the reason. */
  readonly held: ReadonlyMap<string, string>;
  readonly status: InvoiceStatus;
  readonly paymentStatus: PaymentStatus;
  readonly completed: boolean;
  /** What the invoice received, in its own base unit (companion payments converted), gone ones aside. */
  readonly receivedUnits: bigint;
}

/** A method's asset and base-unit scale. */
export interface MethodUnit {
  readonly asset: CryptoAsset;
  readonly unitScale: number;
}

/** The unit of a configured method; undefined when the method is not configured. */
export type MethodUnitOf = (methodId: string) => MethodUnit | undefined;

/**
 * A payment through one of the invoice's companion targets (the BOLT11 in a bitcoin invoice's
 * unified BIP21): another method, another target than the invoice's own, the same asset. A
 * payment of another method to the invoice's own target (USDT to a USDC address) is not one.
 */
export function isCompanionPayment(invoice: SettlementInvoice, payment: Payment, unitOf: MethodUnitOf | undefined): boolean {
  if (payment.methodId === invoice.methodId || payment.targetKey === invoice.targetKey) return false;
  return unitOf?.(payment.methodId)?.asset === invoice.asset;
}

/** A companion payment's amount in the invoice's base unit, rounded down (lightning msat → whole sat). */
export function companionUnits(invoice: SettlementInvoice, payment: Payment, unitOf: MethodUnitOf): bigint {
  return rescale(payment.amountUnits, unitOf(payment.methodId)!.unitScale, invoice.unitScale, Rounding.down);
}

/** Confirmations a payment needs before it is credited; from config, may rise with the amount. */
export type ConfirmationsRule = (payment: Payment) => number;

const isLive = (p: Payment) => p.state !== 'gone';
const isCredited = (p: Payment) => p.creditedMinor !== null && !p.reversed;

export function isCreditable(payment: Payment, required: ConfirmationsRule): boolean {
  return payment.state === 'confirmed' && payment.confirmations >= Math.max(1, required(payment));
}

/** Splits `total` over payments in proportion to their amounts, exactly (no unit lost or made). */
export function allocate(amounts: readonly bigint[], total: bigint): bigint[] {
  const sum = amounts.reduce((a, b) => a + b, 0n);
  if (sum === 0n) return amounts.map(() => 0n);
  let cumulative = 0n;
  let given = 0n;
  return amounts.map((amount) => {
    cumulative += amount;
    const upTo = (cumulative * total) / sum;
    const share = upTo - given;
    given = upTo;
    return share;
  });
}

function creditAtOwnRate(invoice: SettlementInvoice, payment: Payment): bigint | null {
  if (payment.rate === null) return null;
  return creditFor(payment.amountUnits, invoice.currency, payment.rate.value, invoice);
}

/**
 * `unitOf` tells the units of other methods: without it, every payment of another method is held.
 * Companion payments count like the invoice's own, their amounts converted to its unit first, so
 * sums, price comparisons and credits all happen in one unit.
 */
export function planSettlement(invoice: SettlementInvoice, allPayments: readonly Payment[], now: Date, rule: ConfirmationsRule,
  unitOf?: MethodUnitOf): SettlementPlan {
  const credits: SettlementCredit[] = [];
  const held = new Map<string, string>();
  const payments: Payment[] = [];
  const original = new Map<string, Payment>();
  // A payment an operator resolved (credited at a rate they chose, or refunded outside Coffer) is
  // out of automatic settlement: it is never held or credited again; one they credited settles
  // the invoice and is reversed like any other if it leaves the chain.
  const resolved = allPayments.filter((p) => p.resolution !== undefined && p.resolution !== null);
  for (const p of allPayments) {
    if (p.resolution !== undefined && p.resolution !== null) continue;
    if (p.methodId === invoice.methodId) payments.push(p);
    else if (unitOf && isCompanionPayment(invoice, p, unitOf)) {
      original.set(p.id, p);
      payments.push({ ...p, amountUnits: companionUnits(invoice, p, unitOf) });
    } else if (p.state !== 'gone') {
      // A payment in another asset than the invoice's (to the same address) is held, never counted.
      held.set(p.id, 'wrong_asset');
    }
  }
  // Confirmation rules are per method and in the method's own unit.
  const required: ConfirmationsRule = (p) => rule(original.get(p.id) ?? p);
  const reversals = [...payments, ...resolved].filter((p) => p.state === 'gone' && isCredited(p)).map((p) => p.id);
  const creditable = (p: Payment) => isLive(p) && p.creditedMinor === null && isCreditable(p, required);

  // Late payments, and every payment of a flexible invoice, stand alone at their own rate.
  for (const payment of payments.filter((p) => creditable(p) && (p.late || invoice.priceUnits === null))) {
    const credit = creditAtOwnRate(invoice, payment);
    if (credit === null) held.set(payment.id, 'rate_unavailable');
    else credits.push({ paymentId: payment.id, creditMinor: credit });
  }

  const onTime = payments.filter((p) => !p.late && isLive(p));
  let settled = payments.some((p) => !p.late && isCredited(p)) || credits.some((c) => onTime.some((p) => p.id === c.paymentId))
    || resolved.some((p) => isLive(p) && isCredited(p));
  if (invoice.priceUnits !== null && invoice.amountMinor !== null && invoice.rate !== null) {
    const fixed = planFixed(invoice, onTime, now, settled, creditable);
    credits.push(...fixed);
    settled ||= fixed.length > 0;
  }

  const status = nextStatus(invoice, payments, now, settled, held, creditable);
  return {
    credits, reversals, held, status,
    paymentStatus: paymentStatusOf(invoice, onTime, settled, held, creditable, required),
    completed: settled && invoice.completedAt === null,
    receivedUnits: [...payments, ...resolved.filter((p) => p.methodId === invoice.methodId && p.resolution === 'credited')]
      .filter(isLive).reduce((sum, p) => sum + p.amountUnits, 0n),
  };
}

/** Fixed amount: the price completes the invoice at the locked rate; short of it waits for expiry. */
function planFixed(invoice: SettlementInvoice, onTime: readonly Payment[], now: Date, settled: boolean,
  creditable: (p: Payment) => boolean): SettlementCredit[] {
  const rate = invoice.rate!.value;
  const ready = onTime.filter(creditable);
  if (ready.length === 0) return [];
  // Once settled, a further on-time payment is an overpayment, credited at the locked rate.
  if (settled) return ready.map((p) => ({ paymentId: p.id, creditMinor: creditFor(p.amountUnits, invoice.currency, rate, invoice) }));
  const received = ready.reduce((sum, p) => sum + p.amountUnits, 0n);
  const price = invoice.priceUnits!;
  let total: bigint;
  if (received >= price) {
    total = invoice.amountMinor! + creditFor(received - price, invoice.currency, rate, invoice);
  } else {
    const pending = onTime.some((p) => !creditable(p) && p.creditedMinor === null);
    if (now < invoice.expiresAt || pending) return [];
    total = creditFor(received, invoice.currency, rate, invoice);
  }
  const shares = allocate(ready.map((p) => p.amountUnits), total);
  return ready.map((p, i) => ({ paymentId: p.id, creditMinor: shares[i]! }));
}

function nextStatus(invoice: SettlementInvoice, payments: readonly Payment[], now: Date, settled: boolean,
  held: ReadonlyMap<string, string>, creditable: (p: Payment) => boolean): InvoiceStatus {
  const onTime = payments.filter((p) => !p.late);
  const live = onTime.filter(isLive);
  const expired = now >= invoice.expiresAt;
  // Every payment vanished (double-spent, replaced, reorged out): denied once the invoice can no
  // longer be paid; until then it is open again for a new payment.
  if (onTime.length > 0 && live.length === 0) return expired ? 'denied' : 'unpaid';
  if (settled) return 'complete';
  if (live.some((p) => held.has(p.id)) || (held.size > 0 && [...held.values()].includes('wrong_asset'))) return 'payment_error';
  if (live.length > 0) return live.every(creditable) ? 'payment_confirmed' : 'payment_detected';
  return expired ? 'expired' : 'unpaid';
}

function paymentStatusOf(invoice: SettlementInvoice, onTime: readonly Payment[], settled: boolean, held: ReadonlyMap<string, string>,
  creditable: (p: Payment) => boolean, required: ConfirmationsRule): PaymentStatus {
  if (onTime.length === 0) return settled ? 'paid' : 'unpaid';
  const confirmed = onTime.filter((p) => p.creditedMinor !== null || isCreditable(p, required));
  const received = confirmed.reduce((sum, p) => sum + p.amountUnits, 0n);
  if (!settled) {
    if (onTime.some((p) => held.has(p.id))) return 'payment_confirmed';
    if (onTime.some((p) => !creditable(p) && p.creditedMinor === null)) return 'processing';
    return invoice.priceUnits !== null && received < invoice.priceUnits ? 'partially_paid' : 'payment_confirmed';
  }
  if (invoice.priceUnits === null) return 'paid';
  if (received < invoice.priceUnits) return 'partially_paid';
  return received > invoice.priceUnits ? 'overpaid' : 'paid';
}
