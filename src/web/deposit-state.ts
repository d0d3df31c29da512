// The states a customer reads on the checkout page and in the deposits list — one function, so
// both always say the same thing. From the invoice alone (its status, price, what it received and
// what it credited) and the time:
//   unpaid → (partial) → detected → credited
//   unpaid → expired → (late_pending) → late_credited;  failed;  held
// `partial`: less than the price arrived and the quote is still open — the rest can be sent.

import type { Invoice } from '../core/invoice.ts';

export type DepositState = 'unpaid' | 'partial' | 'detected' | 'credited' | 'expired' | 'late_pending' | 'late_credited' | 'failed' | 'held';

export const DepositStateNames: Readonly<Record<DepositState, string>> = {
  unpaid: 'Waiting for payment', partial: 'Partly paid', detected: 'Payment seen', credited: 'Credited',
  expired: 'Expired', late_pending: 'Paid late — confirming', late_credited: 'Credited (paid late)', failed: 'Payment failed', held: 'Held for review',
};

type StateInvoice = Pick<Invoice, 'status' | 'priceUnits' | 'receivedUnits' | 'creditedMinor' | 'expiresAt'>;

export function depositState(invoice: StateInvoice, now: Date): DepositState {
  switch (invoice.status) {
    case 'unpaid': return 'unpaid';
    case 'payment_detected': case 'payment_confirmed':
      return invoice.priceUnits !== null && invoice.receivedUnits < invoice.priceUnits && now < invoice.expiresAt ? 'partial' : 'detected';
    case 'complete': return 'credited';
    case 'expired': return invoice.creditedMinor > 0n ? 'late_credited' : invoice.receivedUnits > 0n ? 'late_pending' : 'expired';
    case 'denied': return 'failed';
    case 'payment_error': return 'held';
  }
}

/** States in which the page offers a way to pay (QR, address, wallet button). */
export function asksForPayment(state: DepositState): boolean {
  return state === 'unpaid' || state === 'partial';
}

export function stateName(invoice: StateInvoice, now: Date): string {
  return DepositStateNames[depositState(invoice, now)];
}
