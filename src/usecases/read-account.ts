// Read side of the customer API: balances, invoices with their payments, ledger history.

import type { Account } from '../core/account.ts';
import { BalanceCurrencies, isBalanceCurrency } from '../core/assets.ts';
import type { BalanceCurrency } from '../core/assets.ts';
import type { Invoice, Payment } from '../core/invoice.ts';
import type { PostedTransfer } from '../core/ledger.ts';
import { LedgerAccounts } from '../core/ledger.ts';
import type { Store } from '../storage/store.ts';
import type { PresentOptions } from '../core/wire-format.ts';
import type { Deps } from './deps.ts';
import type { InvoicePage } from '../storage/invoices-store.ts';
import type { PendingInvoiceAmount, TransferPage } from '../storage/ledger-store.ts';
import { convertMinor } from '../core/conversion.ts';

export interface AccountBalance {
  readonly currency: BalanceCurrency;
  readonly balanceMinor: bigint;
}

/** Balances per currency; the account's default currency first and always present. */
export async function accountBalances(store: Store, account: Account): Promise<AccountBalance[]> {
  return (await accountBalanceView(store, account)).balances;
}

export interface AccountBalanceView {
  readonly balances: AccountBalance[];
  /** What is on its way to each balance: requested amounts of fixed invoices with a payment detected. */
  readonly pending: Map<BalanceCurrency, bigint>;
}

/** Balances and pending amounts, read together in one statement. */
export async function accountBalanceView(store: Store, account: Account): Promise<AccountBalanceView> {
  const rows = await store.ledger.balancesWithPending(LedgerAccounts.customerPrefix(account.id), account.id);
  const byCurrency = new Map<BalanceCurrency, bigint>();
  for (const row of rows.balances) if (isBalanceCurrency(row.currency)) byCurrency.set(row.currency, row.balance);
  const ordered = [account.currency, ...BalanceCurrencies.filter((c) => c !== account.currency && byCurrency.has(c))];
  const pending = new Map<BalanceCurrency, bigint>();
  for (const row of rows.pending) {
    if (!isBalanceCurrency(row.currency) || row.amountMinor <= row.creditedMinor) continue;
    const owed = pendingIn(row.currency, row.amountMinor - row.creditedMinor, row.conversion);
    pending.set(owed.currency, (pending.get(owed.currency) ?? 0n) + owed.amountMinor);
  }
  return { balances: ordered.map((currency) => ({ currency, balanceMinor: byCurrency.get(currency) ?? 0n })), pending };
}

/** What a pending invoice amount will credit: converted (rounded down) when the invoice credits another currency. */
function pendingIn(currency: BalanceCurrency, amountMinor: bigint, conversion: PendingInvoiceAmount['conversion'])
  : { currency: BalanceCurrency; amountMinor: bigint } {
  if (conversion === null) return { currency, amountMinor };
  return { currency: conversion.currency, amountMinor: convertMinor(amountMinor, currency, conversion) };
}

export interface InvoiceView {
  readonly invoice: Invoice;
  readonly payments: readonly Payment[];
}

// An invoice and its payments are read on one snapshot: read separately, a settlement committing
// in between shows e.g. a `payment_detected` invoice whose only transaction is already `gone`.
export function getInvoice(store: Store, account: Account, invoiceId: string): Promise<InvoiceView | null> {
  return store.snapshot(async (tx) => {
    const invoice = await tx.invoices.get(invoiceId);
    // Another account's invoice is indistinguishable from a missing one.
    if (!invoice || invoice.accountId !== account.id) return null;
    return { invoice, payments: await tx.payments.forInvoice(invoice.id) };
  });
}

export function listInvoices(store: Store, page: InvoicePage): Promise<InvoiceView[]> {
  return store.snapshot(async (tx) => {
    const invoices = await tx.invoices.page(page);
    const payments = await tx.payments.forInvoices(invoices.map((i) => i.id));
    return invoices.map((invoice) => ({ invoice, payments: payments.get(invoice.id) ?? [] }));
  });
}

export async function listTransactions(store: Store, page: TransferPage): Promise<PostedTransfer[]> {
  return store.ledger.pageForAccount(page);
}

/** What presenting an invoice needs to know about the configured methods, as of now. */
export function presentOptions(deps: Pick<Deps, 'clock' | 'methods'>): PresentOptions {
  return {
    now: deps.clock.now(),
    confirmationsFor: (methodId, amountUnits) => deps.methods.confirmationsFor(methodId, amountUnits),
    unitScaleOf: (methodId) => deps.methods.get(methodId)?.spec.unitScale,
    unitOf: (methodId) => deps.methods.get(methodId)?.spec,
  };
}
