// Invoices as the operator sees them (admin API and console): search by id, account,
// address/reference, txid, status, method and date; one invoice with its payments, ledger
// transfers and events, read on one snapshot.

import { InvoiceStatuses } from '../core/invoice.ts';
import type { Invoice, Payment } from '../core/invoice.ts';
import type { PostedTransfer } from '../core/ledger.ts';
import { CofferError } from '../core/errors.ts';
import type { PresentOptions } from '../core/wire-format.ts';
import type { InvoiceSearch, StoredEvent } from '../storage/admin-queries.ts';
import type { Deps } from './deps.ts';
import { presentOptions } from './read-account.ts';
import { AdminLimits } from '../core/limits.ts';


export interface InvoiceDetail {
  readonly invoice: Invoice;
  readonly payments: readonly Payment[];
  readonly transfers: readonly PostedTransfer[];
  readonly events: readonly StoredEvent[];
  readonly userEmail: string | null;
  readonly present: PresentOptions;
}

export async function invoiceDetail(deps: Pick<Deps, 'store' | 'clock' | 'methods'>, id: string): Promise<InvoiceDetail> {
  const found = await deps.store.snapshot(async (tx) => {
    const invoice = await tx.invoices.get(id);
    if (!invoice) return null;
    const [payments, transfers, events] = [await tx.payments.forInvoice(id), await tx.admin.transfersForInvoice(id), await tx.admin.eventsForInvoice(id, AdminLimits.invoiceEventsMax)];
    return { invoice, payments, transfers, events };
  });
  if (!found) throw new CofferError('not_found', 'No such invoice');
  return { ...found, userEmail: await deps.store.web.emailOfAccount(found.invoice.accountId), present: presentOptions(deps) };
}

/** Text fields as typed by a person: trimmed, empty = not given; a date is a UTC day (YYYY-MM-DD). */
export interface InvoiceSearchText {
  readonly id?: string | undefined;
  readonly account?: string | undefined;
  readonly target?: string | undefined;
  readonly txid?: string | undefined;
  readonly status?: string | undefined;
  readonly method?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly before?: string | undefined;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

function given(text: string | undefined): string | undefined {
  const trimmed = text?.trim() ?? '';
  if (trimmed.length > AdminLimits.searchTextLengthMax) throw new CofferError('invalid_param', `Use at most ${AdminLimits.searchTextLengthMax} characters`);
  return trimmed === '' ? undefined : trimmed;
}

function day(text: string | undefined, field: string, plusDays = 0): Date | undefined {
  const value = given(text);
  if (value === undefined) return undefined;
  const date = new Date(`${value}T00:00:00.000Z`);
  if (!DAY_RE.test(value) || Number.isNaN(date.getTime())) throw new CofferError('invalid_param', 'Enter a date like 2026-12-06', { field });
  return new Date(date.getTime() + plusDays * 86_400_000);
}

export function parseInvoiceSearch(text: InvoiceSearchText, limit = 50): InvoiceSearch {
  const status = given(text.status);
  if (status !== undefined && !(InvoiceStatuses as readonly string[]).includes(status)) {
    throw new CofferError('invalid_param', `status must be one of ${InvoiceStatuses.join(', ')}`, { field: 'status' });
  }
  const before = given(text.before);
  if (before !== undefined && !/^\d{1,15}$/.test(before)) throw new CofferError('invalid_param', 'before must be a whole number', { field: 'before' });
  return {
    id: given(text.id), accountId: given(text.account), target: given(text.target), txid: given(text.txid), status, methodId: given(text.method),
    createdFrom: day(text.from, 'from'), createdBefore: day(text.to, 'to', 1), beforeSeq: before === undefined ? undefined : Number(before),
    limit: Math.min(Math.max(1, limit), AdminLimits.invoiceSearchMax),
  };
}

export function searchInvoices(deps: Pick<Deps, 'store'>, search: InvoiceSearch): Promise<Invoice[]> {
  return deps.store.admin.searchInvoices(search);
}
