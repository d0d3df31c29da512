// Domain → wire, shared by the HTTP API and webhooks. The Invoice object follows API.md
// (Bitrefill-compatible fields first, Coffer's additions after); amounts in `currency` are exact
// JSON numbers, crypto amounts exact strings except `price`, which clients type as a number.

import { CurrencyScale } from './assets.ts';
import { balanceCredited, conversionRate, convertMinor } from './conversion.ts';
import type { Invoice, Payment } from './invoice.ts';
import type { PostedTransfer } from './ledger.ts';
import { isCustomerLedgerAccount, LedgerCurrencyScale } from './ledger.ts';
import { formatDecimal } from './money.ts';
import { rateText } from './rate.ts';
import { planSettlement } from './settlement.ts';
import type { MethodUnitOf } from './settlement.ts';
import { JsonDecimal } from './json-writer.ts';
import type { InvoiceConversionWire, InvoiceWire, PaymentTransactionStatus, TransactionWire } from './wire-schema.ts';

export function money(units: bigint, scale: number): JsonDecimal {
  return new JsonDecimal(formatDecimal(units, scale));
}

function transactionStatus(p: Payment): PaymentTransactionStatus {
  if (p.reversed) return 'reversed';
  if (p.state === 'gone') return 'gone';
  if (p.creditedMinor !== null) return 'credited';
  if (p.heldReason !== null) return 'held';
  return p.state === 'confirmed' ? 'confirmed' : 'pending';
}

export interface PresentOptions {
  readonly now: Date;
  readonly confirmationsFor: (methodId: string, amountUnits: bigint) => number;
  /** Scale of a method's base unit, for payments of another asset than the invoice's. */
  readonly unitScaleOf?: (methodId: string) => number | undefined;
  /** Units of other methods: payments through a companion target count toward the invoice. */
  readonly unitOf?: MethodUnitOf;
  /** The account's website login email, for Bitrefill's invoice `user.email` ('' when it has none). */
  readonly userEmail?: string | null;
}

export function presentInvoice(invoice: Invoice, payments: readonly Payment[], options: PresentOptions): InvoiceWire {
  const scale = CurrencyScale[invoice.currency];
  const plan = planSettlement(invoice, payments, options.now, (p) => options.confirmationsFor(p.methodId, p.amountUnits), options.unitOf);
  const payment: InvoiceWire['payment'] = {
    method: invoice.methodId,
    address: invoice.address,
    price: money(invoice.priceUnits ?? 0n, invoice.unitScale),
    currency: invoice.asset,
    status: plan.paymentStatus,
    // Bitrefill's fee on the payment, in the payment currency: Coffer takes none.
    commission: money(0n, invoice.unitScale),
    uri: invoice.uri,
    lightning_invoice: invoice.lightningInvoice ?? undefined,
    network: invoice.network,
    chain_id: invoice.chainId ?? undefined,
    contract_address: invoice.contractAddress ?? undefined,
    rate: invoice.rate ? rateText(invoice.rate.value) : undefined,
    received: formatDecimal(invoice.receivedUnits, invoice.unitScale),
    confirmations_required: invoice.confirmationsRequired,
    monitoring_until: invoice.watchUntil.toISOString(),
    // A payment through a companion target (lightning on a bitcoin invoice) is listed with its
    // `method` and its exact amount in its own unit (msat, as BTC with 11 decimals); `received`
    // and the settlement count it in the invoice's unit, rounded down to whole satoshis.
    transactions: payments.map((p) => ({
      id: p.txid, amount: formatDecimal(p.amountUnits, p.methodId === invoice.methodId ? invoice.unitScale : options.unitScaleOf?.(p.methodId) ?? 0),
      method: p.methodId === invoice.methodId ? undefined : p.methodId, confirmations: p.confirmations,
      status: transactionStatus(p), late: p.late,
      credited_amount: p.creditedMinor !== null && !p.reversed ? money(p.creditedMinor, scale) : undefined,
      // On a converted invoice: what this payment's credit came to in the account's currency.
      credited_balance_amount: p.creditedMinor !== null && !p.reversed && invoice.conversion
        ? money(convertMinor(p.creditedMinor, invoice.currency, invoice.conversion), CurrencyScale[invoice.conversion.currency])
        : undefined,
    })),
  };
  return {
    id: invoice.id,
    created_time: invoice.createdAt.toISOString(),
    completed_time: invoice.status === 'complete' && invoice.completedAt ? invoice.completedAt.toISOString() : undefined,
    expiration_time: invoice.expiresAt.toISOString(),
    status: invoice.status,
    // Bitrefill's `user`: the account the invoice belongs to.
    user: { id: invoice.accountId, email: options.userEmail ?? '' },
    type: 'deposit' as const,
    amount: invoice.amountMinor === null ? null : money(invoice.amountMinor, scale),
    currency: invoice.currency,
    credited_amount: money(invoice.creditedMinor, scale),
    payment,
    orders: [],
    conversion: presentConversion(invoice, payments),
  };
}

/**
 * A converted invoice's conversion: the account currency it credits, the rate (the ratio of the two
 * locked rates of the payment asset, both shown with their provenance), the requested amount and
 * the credits so far in that currency (each credit rounded down on its own, as posted to the ledger).
 */
function presentConversion(invoice: Invoice, payments: readonly Payment[]): InvoiceConversionWire | undefined {
  const conversion = invoice.conversion;
  if (conversion === null) return undefined;
  const convert = (minor: bigint) => convertMinor(minor, invoice.currency, conversion);
  const credited = balanceCredited(invoice, payments).amountMinor;
  const scale = CurrencyScale[conversion.currency];
  return {
    currency: conversion.currency,
    rate: rateText(conversionRate(conversion)),
    credit_rate: rateText(conversion.creditRate),
    invoice_rate: rateText(conversion.invoiceRate),
    rate_sources: [...conversion.sources],
    rate_time: conversion.at.toISOString(),
    amount: invoice.amountMinor === null ? null : money(convert(invoice.amountMinor), scale),
    credited_amount: money(credited, scale),
  };
}

export function presentTransfer(transfer: PostedTransfer): TransactionWire {
  const scale = LedgerCurrencyScale[transfer.currency];
  const incoming = isCustomerLedgerAccount(transfer.creditAccount);
  return {
    id: transfer.id,
    created_time: transfer.createdAt.toISOString(),
    type: transfer.kind,
    currency: transfer.currency,
    amount: money(incoming ? transfer.amount : -transfer.amount, scale),
    invoice_id: transfer.invoiceId ?? undefined,
    charge_id: transfer.chargeId ?? undefined,
    reverses: transfer.reversesId ?? undefined,
    description: transfer.description ?? undefined,
  };
}
