// The dashboard (balances, deposits on their way, paged history) and the deposits list.

import type { Account } from '../core/account.ts';
import type { BalanceCurrency } from '../core/assets.ts';
import type { Invoice } from '../core/invoice.ts';
import type { PostedTransfer } from '../core/ledger.ts';
import { isCustomerLedgerAccount } from '../core/ledger.ts';
import type { AccountBalance } from '../usecases/read-account.ts';
import { balanceText, signedText, timeText, TransferNames } from './format.ts';
import type { MethodLabel } from './format.ts';
import { depositState, stateName } from './deposit-state.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';

export interface DashboardData {
  readonly account: Account;
  readonly balances: readonly AccountBalance[];
  readonly pending: ReadonlyMap<BalanceCurrency, bigint>;
  readonly open: readonly Invoice[];
  readonly history: readonly PostedTransfer[];
  readonly page: number;
  readonly hasNext: boolean;
  readonly now: Date;
  /** The login's email while it awaits confirmation (the website sends email); null otherwise. */
  readonly unconfirmedEmail?: string | null;
  readonly notice?: string | null;
  readonly csrf?: string;
  readonly methodLabel: MethodLabel;
}

function confirmNotice(email: string, csrf: string): SafeHtml {
  return html`<div class="notice info" data-confirm-email><p>Please confirm <strong>${email}</strong>: we sent it a link. It is where password-reset links go.</p>
<form class="inline" method="post" action="/account/confirm-email"><input type="hidden" name="_csrf" value="${csrf}"><button class="small secondary" type="submit">Send the link again</button></form></div>`;
}

function pager(base: string, page: number, hasNext: boolean, label: string): SafeHtml {
  if (page <= 1 && !hasNext) return html``;
  return html`<nav class="pager" aria-label="${label} pages">
${page > 1 ? html`<a href="${base}?page=${page - 1}" rel="prev">← Newer</a>` : ''}
<span class="muted">Page ${page}</span>
${hasNext ? html`<a href="${base}?page=${page + 1}" rel="next">Older →</a>` : ''}
</nav>`;
}

function depositLink(invoice: Invoice): SafeHtml {
  return html`<a href="/account/deposits/${invoice.id}">${invoice.amountMinor === null ? `Any amount of ${invoice.currency}` : balanceText(invoice.amountMinor, invoice.currency)}</a>`;
}

export function depositsTable(invoices: readonly Invoice[], caption: string, now: Date, methodLabel: MethodLabel): SafeHtml {
  // A table wider than a phone scrolls sideways: the box is focusable and named, so a keyboard reaches every column.
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="${caption}"><table>
<caption class="sr-only">${caption}</caption>
<thead><tr><th scope="col">Deposit</th><th scope="col">Method</th><th scope="col">Status</th><th scope="col" class="num">Credited</th><th scope="col">Created</th></tr></thead>
<tbody>${invoices.map((i) => html`<tr>
<td>${depositLink(i)}</td><td>${methodLabel(i.methodId)}</td><td data-state="${depositState(i, now)}">${stateName(i, now)}</td>
<td class="num">${balanceText(i.creditedMinor, i.currency)}</td><td>${timeText(i.createdAt)}</td></tr>`)}</tbody>
</table></div>`;
}

function historyTable(transfers: readonly PostedTransfer[]): SafeHtml {
  return html`<div class="table-wrap"><table>
<caption class="sr-only">Balance history, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Details</th><th scope="col" class="num">Amount</th></tr></thead>
<tbody>${transfers.map((t) => {
    const amount = isCustomerLedgerAccount(t.creditAccount) ? t.amount : -t.amount;
    return html`<tr><td>${timeText(t.createdAt)}</td><td>${TransferNames[t.kind] ?? t.kind}</td>
<td>${t.invoiceId ? html`<a href="/account/deposits/${t.invoiceId}">Deposit</a> ` : ''}${t.description ?? ''}</td>
<td class="num">${signedText(amount, t.currency)}</td></tr>`;
  })}</tbody>
</table></div>`;
}

export function dashboardBody(data: DashboardData): SafeHtml {
  const { account } = data;
  return html`<h1>Your balance</h1>
${data.notice ? html`<div class="notice success" role="status"><p>${data.notice}</p></div>` : ''}
${data.unconfirmedEmail ? confirmNotice(data.unconfirmedEmail, data.csrf ?? '') : ''}
${account.status === 'frozen' ? html`<div class="notice error" role="alert"><p>Your account is frozen: charges are refused until the operator reviews it. Deposits are still credited.</p></div>` : ''}
<ul class="balances">${data.balances.map((b) => {
    const pending = data.pending.get(b.currency) ?? 0n;
    return html`<li><span class="muted">${b.currency}</span><span class="amount" data-balance="${b.currency}">${balanceText(b.balanceMinor, b.currency)}</span>
${pending > 0n ? html`<span class="muted">+ ${balanceText(pending, b.currency)} on its way</span>` : ''}</li>`;
  })}</ul>
<p><a class="button" href="/account/add-funds">Add funds</a></p>
${account.type === 'personal'
    ? html`<p class="muted">Personal accounts add funds here on the website; the API's deposit endpoint is for business accounts.</p>`
    : html`<p class="muted">Business accounts can also create deposits through the API with their <a href="/account/keys">API keys</a>.</p>`}
<h2>Deposits on their way</h2>
${data.open.length === 0 ? html`<p class="muted">None right now.</p>` : depositsTable(data.open, 'Open deposits', data.now, data.methodLabel)}
<h2 id="history">History</h2>
${data.history.length === 0 ? html`<p class="muted">No credits or charges yet.</p>` : historyTable(data.history)}
${pager('/account', data.page, data.hasNext, 'History')}`;
}

export function depositsBody(invoices: readonly Invoice[], page: number, hasNext: boolean, now: Date, methodLabel: MethodLabel): SafeHtml {
  return html`<h1>Deposits</h1>
<p><a class="button" href="/account/add-funds">Add funds</a></p>
${invoices.length === 0 ? html`<p class="muted">No deposits yet.</p>` : depositsTable(invoices, 'All deposits, newest first', now, methodLabel)}
${pager('/account/deposits', page, hasNext, 'Deposits')}`;
}

