// The Invoice object (API.md), as the client returns it: the wire's field names and structure,
// with every amount as an exact decimal string instead of a JSON number.

export type BalanceCurrency = 'USD' | 'EUR' | 'BTC';

export type InvoiceStatus = 'unpaid' | 'payment_detected' | 'payment_confirmed' | 'complete' | 'expired' | 'denied' | 'payment_error';

export type PaymentStatus = 'unpaid' | 'processing' | 'partially_paid' | 'payment_confirmed' | 'paid' | 'overpaid';

export type PaymentTransactionStatus = 'pending' | 'confirmed' | 'credited' | 'held' | 'gone' | 'reversed';

/** Bitrefill's method ids; a server may configure others. */
export type PaymentMethodId =
  | 'bitcoin' | 'lightning' | 'ethereum' | 'eth_base' | 'usdc_erc20' | 'usdt_erc20' | 'usdc_base'
  | 'usdc_arbitrum' | 'usdc_polygon' | 'usdt_polygon' | 'usdc_solana' | 'usdt_trc20' | (string & {});

export interface PaymentTransaction {
  readonly id: string;
  /** Received, in the payment currency (e.g. "0.02" BTC). */
  readonly amount: string;
  /** Present when this payment used another method than the invoice's. */
  readonly method?: string;
  readonly confirmations: number;
  readonly status: PaymentTransactionStatus;
  readonly late: boolean;
  /** What this payment credited, in the invoice currency. */
  readonly credited_amount?: string;
}

export interface InvoicePayment {
  readonly method: PaymentMethodId;
  readonly address: string;
  /** The crypto amount to send; "0" for a flexible invoice. */
  readonly price: string;
  readonly currency: string;
  /** Bitrefill's fee in the payment currency; Coffer takes none ("0"). */
  readonly commission: string;
  readonly status: PaymentStatus;
  readonly uri: string;
  readonly lightning_invoice?: string;
  readonly network?: string;
  readonly chain_id?: number;
  readonly contract_address?: string;
  /** Locked rate, invoice currency per one crypto unit. */
  readonly rate?: string;
  /** Total received so far, in the payment currency. */
  readonly received: string;
  readonly confirmations_required: number;
  /** The target is watched until then; later payments still credit, marked late. */
  readonly monitoring_until?: string;
  readonly transactions: readonly PaymentTransaction[];
}

export interface Invoice {
  readonly id: string;
  readonly created_time: string;
  /** Present once complete, absent before (never null). */
  readonly completed_time?: string;
  readonly expiration_time: string;
  readonly status: InvoiceStatus;
  /** The account the invoice belongs to, and its website login email ('' without one). */
  readonly user?: { readonly id: string; readonly email: string };
  readonly type: 'deposit';
  /** Requested amount in `currency`; null for a flexible invoice. */
  readonly amount: string | null;
  readonly currency: BalanceCurrency;
  /** Credited to the balance so far, in `currency`. */
  readonly credited_amount: string;
  readonly payment: InvoicePayment;
  readonly orders: readonly unknown[];
}

/** Statuses after which an invoice no longer changes on its own (late payments aside). */
export const FinalInvoiceStatuses: readonly InvoiceStatus[] = ['complete', 'expired', 'denied', 'payment_error'];

export function isFinalInvoiceStatus(status: InvoiceStatus): boolean {
  return FinalInvoiceStatuses.includes(status);
}
