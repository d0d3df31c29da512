// What happened to the money, in plain words, for every state a deposit can be in (DESIGN.md
// §5's rules as a customer reads them). Pure: the invoice, its payments and the settlement
// plan's payment status in, sentences out. The settlement itself is core's planSettlement.

import { CurrencyScale } from '../core/assets.ts';
import { balanceCredited, creditedBalance } from '../core/conversion.ts';
import type { Invoice, Payment, PaymentStatus } from '../core/invoice.ts';
import { formatFixed } from '../core/money.ts';
import { cryptoText, timeText } from './format.ts';

export type Tone = 'info' | 'success' | 'warning' | 'error';

export interface Outcome {
  readonly tone: Tone;
  readonly title: string;
  readonly lines: readonly string[];
}

/** Progress steps of a deposit; -1 when it left the happy path (expired, failed, held). */
export function stepOf(invoice: Invoice): number {
  switch (invoice.status) {
    case 'unpaid': return 0;
    case 'payment_detected': return 1;
    case 'payment_confirmed': return 2;
    case 'complete': return 3;
    default: return -1;
  }
}

/**
 * A credit as the balance received it: converted to the account's currency when the invoice was
 * in another. `balance` is what the ledger posted, when known (an invoice's total: the sum of its
 * payments' conversions); otherwise `units` is converted.
 */
function credited(invoice: Invoice, units: bigint, balance = creditedBalance(invoice, units)): string {
  const own = `${formatFixed(units, CurrencyScale[invoice.currency])} ${invoice.currency}`;
  if (invoice.conversion === null) return own;
  return `${formatFixed(balance.amountMinor, CurrencyScale[balance.currency])} ${balance.currency} (${own} converted)`;
}

function lateLines(invoice: Invoice, payments: readonly Payment[]): string[] {
  return payments.filter((p) => p.late && p.state !== 'gone').map((p) => {
    const amount = cryptoText(p.amountUnits, invoice);
    if (p.creditedMinor !== null && !p.reversed) {
      return `A payment of ${amount} arrived after this deposit had expired or completed. It was still credited, at the rate when it arrived: ${credited(invoice, p.creditedMinor)}.`;
    }
    if (p.heldReason !== null) return `A late payment of ${amount} is held because no exchange rate was available; it will be credited when one is.`;
    return `A payment of ${amount} arrived after this deposit had expired or completed. It will be credited at the rate when it arrived, once it has ${invoice.confirmationsRequired} confirmation${invoice.confirmationsRequired === 1 ? '' : 's'}.`;
  });
}

function reversalLines(invoice: Invoice, payments: readonly Payment[]): string[] {
  return payments.filter((p) => p.reversed).map((p) =>
    `A credit of ${credited(invoice, p.creditedMinor ?? 0n)} was reversed because its payment (${cryptoText(p.amountUnits, invoice)}) disappeared from the network.`);
}

function openOutcome(invoice: Invoice, payments: readonly Payment[], paymentStatus: PaymentStatus): Outcome {
  const onTime = payments.filter((p) => !p.late && p.state !== 'gone');
  const received = onTime.reduce((sum, p) => sum + p.amountUnits, 0n);
  const price = invoice.priceUnits;
  const short = price !== null && received < price ? price - received : null;
  const shortLine = short !== null && received > 0n
    ? [`That is less than the price: ${cryptoText(received, invoice)} of ${cryptoText(price!, invoice)}. Send the remaining ${cryptoText(short, invoice)} before the quote expires; otherwise, when it expires, what arrived is credited at the locked rate.`]
    : [];
  if (invoice.status === 'unpaid') {
    const what = price === null ? `Send any amount of ${invoice.asset}; it is credited at the rate when it arrives.` : `Send exactly ${cryptoText(price, invoice)} before the quote expires.`;
    return { tone: 'info', title: 'Waiting for your payment', lines: [what] };
  }
  if (invoice.status === 'payment_detected') {
    const best = Math.max(0, ...onTime.map((p) => p.confirmations));
    return {
      tone: 'info', title: 'Payment detected',
      lines: [`We see ${cryptoText(received, invoice)} on the network. It is credited after ${invoice.confirmationsRequired} confirmation${invoice.confirmationsRequired === 1 ? '' : 's'} (now ${best}).`, ...shortLine],
    };
  }
  // payment_confirmed: final on the chain, crediting now — or waiting for the rest of the price.
  if (paymentStatus === 'partially_paid') return { tone: 'warning', title: 'Payment confirmed, but short', lines: shortLine };
  return { tone: 'info', title: 'Payment confirmed', lines: ['Your payment is final on the network; your balance is being credited.'] };
}

function completeOutcome(invoice: Invoice, payments: readonly Payment[], paymentStatus: PaymentStatus): Outcome {
  const total = credited(invoice, invoice.creditedMinor, balanceCredited(invoice, payments));
  const received = payments.filter((p) => !p.late && p.state !== 'gone').reduce((sum, p) => sum + p.amountUnits, 0n);
  const price = invoice.priceUnits;
  if (price === null) return { tone: 'success', title: 'Credited', lines: [`${total} was added to your balance, at the rate when your payment arrived.`] };
  if (paymentStatus === 'overpaid') {
    return { tone: 'success', title: 'Credited — you sent more than the price', lines: [
      `You sent ${cryptoText(received, invoice)}; the price was ${cryptoText(price, invoice)}. The extra ${cryptoText(received - price, invoice)} was credited too, at the locked rate: ${total} was added to your balance in total.`] };
  }
  if (paymentStatus === 'partially_paid') {
    return { tone: 'warning', title: 'Credited — you sent less than the price', lines: [
      `You sent ${cryptoText(received, invoice)} of the ${cryptoText(price, invoice)} asked. When the quote expired, what arrived was credited at the locked rate: ${total} was added to your balance.`] };
  }
  return { tone: 'success', title: 'Credited', lines: [`Paid in full: ${total} was added to your balance.`] };
}

export function describeOutcome(invoice: Invoice, payments: readonly Payment[], paymentStatus: PaymentStatus): Outcome {
  const extra = [...lateLines(invoice, payments), ...reversalLines(invoice, payments)];
  const monitoring = `Payments sent to this address until ${timeText(invoice.watchUntil)} are still credited, at the rate when they arrive.`;
  let base: Outcome;
  switch (invoice.status) {
    case 'unpaid': case 'payment_detected': case 'payment_confirmed':
      base = openOutcome(invoice, payments, paymentStatus); break;
    case 'complete':
      base = completeOutcome(invoice, payments, paymentStatus); break;
    case 'expired':
      base = { tone: 'warning', title: 'Expired — nothing arrived', lines: ['This quote expired before any payment arrived. No money moved and nothing was charged.', monitoring] }; break;
    case 'denied':
      base = { tone: 'error', title: 'Payment failed', lines: ['The payment disappeared from the network (it was double-spent or dropped from the chain), so nothing was credited for it.'] }; break;
    case 'payment_error':
      base = { tone: 'warning', title: 'Payment held for review', lines: ['Your payment arrived but could not be credited automatically (no exchange rate was available). It is held safely and is credited as soon as a rate is available, or by the operator.'] }; break;
  }
  return { ...base, lines: [...base.lines, ...extra] };
}
