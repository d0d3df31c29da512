// The Invoice object (API.md), as the client returns it: the wire's field names and structure,
// with every amount as an exact decimal string instead of a JSON number.

import type { Invoice, InvoiceConversion, InvoicePayment, PaymentTransaction } from './wire-types.ts';

// The wire objects are generated from the server's OpenAPI document (wire-types.ts), so they
// cannot drift from what the server sends; the names below are views of them.
export type { Invoice, InvoiceConversion, InvoicePayment, PaymentTransaction };

export type BalanceCurrency = Invoice['currency'];

export type InvoiceStatus = Invoice['status'];

export type PaymentStatus = InvoicePayment['status'];

export type PaymentTransactionStatus = PaymentTransaction['status'];

/** Bitrefill's method ids (`payment.method`); a server may configure others. */
export type PaymentMethodId =
  | 'bitcoin' | 'lightning' | 'ethereum' | 'eth_base' | 'usdc_erc20' | 'usdt_erc20' | 'usdc_base'
  | 'usdc_arbitrum' | 'usdc_polygon' | 'usdt_polygon' | 'usdc_solana' | 'usdt_trc20' | (string & {});

/** Statuses after which an invoice no longer changes on its own (late payments aside). */
export const FinalInvoiceStatuses: readonly InvoiceStatus[] = ['complete', 'expired', 'denied', 'payment_error'];

export function isFinalInvoiceStatus(status: InvoiceStatus): boolean {
  return FinalInvoiceStatuses.includes(status);
}
