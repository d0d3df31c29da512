// Outbox events about invoices and balances. Payloads carry exact decimal strings.

import { CurrencyScale } from '../core/assets.ts';
import type { EventType, OutboxEvent } from '../core/events.ts';
import type { Invoice, InvoiceStatus } from '../core/invoice.ts';
import { formatDecimal } from '../core/money.ts';
import { newPrefixedId } from '../storage/ids.ts';

export function invoiceEvent(type: EventType, invoice: Pick<Invoice, 'id' | 'accountId' | 'status' | 'currency' | 'amountMinor' | 'creditedMinor' | 'methodId'>, at: Date, extra: Record<string, unknown> = {}): OutboxEvent {
  return {
    id: newPrefixedId('evt'), type, accountId: invoice.accountId, invoiceId: invoice.id, createdAt: at,
    payload: {
      invoice_id: invoice.id, account_id: invoice.accountId, status: invoice.status, currency: invoice.currency,
      amount: invoice.amountMinor === null ? null : formatDecimal(invoice.amountMinor, CurrencyScale[invoice.currency]),
      credited_amount: formatDecimal(invoice.creditedMinor, CurrencyScale[invoice.currency]),
      payment_method: invoice.methodId, ...extra,
    },
  };
}

export function statusEventType(status: InvoiceStatus): EventType {
  return `invoice.${status}` as EventType;
}
