// Ledger rules (DESIGN.md §4): account names, ledger currencies, and the transfers each
// business event posts. Pure: storage applies them atomically, with unique keys making every
// replay a no-op.

import type { BalanceCurrency, CryptoAsset } from './assets.ts';
import { CurrencyScale } from './assets.ts';

/** A ledger currency is a unit with one fixed scale; lightning counts millisatoshi separately. */
export type LedgerCurrency = BalanceCurrency | CryptoAsset | 'MSAT';

export const LedgerCurrencyScale: Readonly<Record<LedgerCurrency, number>> = {
  ...CurrencyScale, ETH: 18, USDC: 6, USDT: 6, MSAT: 11,
};

/** The ledger currency payments of a method are counted in. */
export function paymentLedgerCurrency(asset: CryptoAsset, unitScale: number): LedgerCurrency {
  if (asset === 'BTC' && unitScale === 11) return 'MSAT';
  if (LedgerCurrencyScale[asset] !== unitScale) {
    throw new RangeError(`no ledger currency for ${asset} at scale ${unitScale}`);
  }
  return asset;
}

export const LedgerAccounts = {
  customer: (accountId: string, currency: BalanceCurrency) => `customer:${accountId}:${currency}`,
  customerPrefix: (accountId: string) => `customer:${accountId}:`,
  received: (methodId: string, currency: LedgerCurrency) => `received:${methodId}:${currency}`,
  fx: (currency: LedgerCurrency) => `fx:${currency}`,
  revenue: (currency: BalanceCurrency) => `revenue:${currency}`,
  adjustments: (currency: BalanceCurrency) => `adjustments:${currency}`,
} as const;

export function isCustomerLedgerAccount(ledgerAccountId: string): boolean {
  return ledgerAccountId.startsWith('customer:');
}

export const TransferKinds = ['receive', 'credit', 'charge', 'refund', 'reversal'] as const;
export type TransferKind = (typeof TransferKinds)[number];

export interface TransferSpec {
  /** Deterministic unique key: posting the same key twice is a no-op. */
  readonly key: string;
  readonly kind: TransferKind;
  readonly currency: LedgerCurrency;
  /** Positive amount in the currency's base unit. */
  readonly amount: bigint;
  readonly debitAccount: string;
  readonly creditAccount: string;
  /** When true, the debit side must not go below zero (customer balances spent by a charge). */
  readonly debitMustCover: boolean;
  readonly accountId?: string;
  readonly invoiceId?: string;
  readonly paymentId?: string;
  readonly chargeId?: string;
  readonly reversesId?: string;
  readonly description?: string;
}

export interface PaymentCredit {
  readonly paymentId: string;
  readonly invoiceId: string;
  readonly accountId: string;
  readonly methodId: string;
  readonly paymentCurrency: LedgerCurrency;
  readonly receivedUnits: bigint;
  readonly balanceCurrency: BalanceCurrency;
  readonly creditMinor: bigint;
  /** The conversion, when the invoice was in another currency than the one credited. */
  readonly description?: string;
}

/**
 * A payment credit is two transfers: the crypto that arrived moves into the conversion account,
 * and the conversion account pays the customer in the balance currency.
 */
export function creditTransfers(credit: PaymentCredit): TransferSpec[] {
  // Object literals written out in full: on Node 20 a spread followed by more properties is a slow path.
  const { accountId, invoiceId, paymentId, description } = credit;
  const transfers: TransferSpec[] = [];
  if (credit.receivedUnits > 0n) {
    transfers.push({
      key: `receive:${paymentId}`, kind: 'receive', currency: credit.paymentCurrency, amount: credit.receivedUnits,
      debitAccount: LedgerAccounts.received(credit.methodId, credit.paymentCurrency), creditAccount: LedgerAccounts.fx(credit.paymentCurrency),
      debitMustCover: false, accountId, invoiceId, paymentId,
    });
  }
  if (credit.creditMinor > 0n) {
    transfers.push({
      key: `credit:${paymentId}`, kind: 'credit', currency: credit.balanceCurrency, amount: credit.creditMinor,
      debitAccount: LedgerAccounts.fx(credit.balanceCurrency), creditAccount: LedgerAccounts.customer(accountId, credit.balanceCurrency),
      debitMustCover: false, accountId, invoiceId, paymentId, description,
    });
  }
  return transfers;
}

export interface PostedTransfer {
  readonly id: string;
  readonly key: string;
  readonly kind: TransferKind;
  readonly currency: LedgerCurrency;
  readonly amount: bigint;
  readonly debitAccount: string;
  readonly creditAccount: string;
  readonly accountId: string | null;
  readonly invoiceId: string | null;
  readonly paymentId: string | null;
  readonly chargeId: string | null;
  readonly reversesId: string | null;
  readonly description: string | null;
  readonly createdAt: Date;
  readonly seq: number;
}

/** The reversal of a posted transfer: same amount, sides swapped, linked, never covering. */
export function reversalOf(transfer: PostedTransfer, description: string): TransferSpec {
  return {
    key: `reverse:${transfer.id}`, kind: 'reversal', currency: transfer.currency, amount: transfer.amount,
    debitAccount: transfer.creditAccount, creditAccount: transfer.debitAccount, debitMustCover: false,
    reversesId: transfer.id, description,
    ...(transfer.accountId !== null ? { accountId: transfer.accountId } : {}),
    ...(transfer.invoiceId !== null ? { invoiceId: transfer.invoiceId } : {}),
    ...(transfer.paymentId !== null ? { paymentId: transfer.paymentId } : {}),
  };
}
