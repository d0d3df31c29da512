// The console's read-only screens: overview, invoices (search and one invoice), holds, accounts,
// webhooks, ledger and the audit log. Forms for actions appear only for the operator role; the
// action handlers (console-actions.ts) check the role again. Nothing here renders a secret, a
// credential's hash or a password hash: the views come from use cases that never carry them.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CurrencyScale } from '../../core/assets.ts';
import { isCofferError } from '../../core/errors.ts';
import { InvoiceStatuses } from '../../core/invoice.ts';
import type { Invoice, Payment } from '../../core/invoice.ts';
import { LedgerCurrencyScale } from '../../core/ledger.ts';
import type { LedgerCurrency, PostedTransfer } from '../../core/ledger.ts';
import { formatDecimal } from '../../core/money.ts';
import { searchAccounts } from '../../usecases/admin-accounts.ts';
import type { AccountDetail } from '../../usecases/admin-accounts.ts';
import { reasonText } from '../../usecases/admin-holds.ts';
import type { HeldPayment } from '../../usecases/admin-holds.ts';
import { parseInvoiceSearch } from '../../usecases/admin-invoices.ts';
import type { InvoiceSearchText } from '../../usecases/admin-invoices.ts';
import { overview } from '../../usecases/admin-overview.ts';
import type { ChainHealth } from '../../usecases/admin-overview.ts';
import { balanceText, cryptoText, statusName, timeText } from '../format.ts';
import { csrfField, errorSummary, idempotencyField, inputField } from '../forms.ts';
import type { FieldErrors } from '../forms.ts';
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import { receivedChart } from './console-chart.ts';
import type { ConsoleRuntime } from './console-runtime.ts';
import { AccountSearchQuery, AuditQuery, IdParams, InvoiceSearchQuery, LedgerQuery, queryText } from '../web-schemas.ts';
import { CONSOLE_PREFIX } from './console-runtime.ts';

const P = CONSOLE_PREFIX;

export const ledgerText = (units: bigint, currency: LedgerCurrency) => `${formatDecimal(units, LedgerCurrencyScale[currency])} ${currency}`;
const code = (text: string | null | undefined) => (text ? html`<code>${text}</code>` : html`<span class="muted">—</span>`);
const statusBadge = (status: string) => html`<span class="badge${status === 'payment_error' || status === 'denied' ? ' bad' : status === 'complete' ? ' good' : ''}">${statusName(status)}</span>`;

export interface FormState {
  readonly values: Readonly<Record<string, string>>;
  readonly errors: FieldErrors;
  /** Which form on the page the values belong to (a page can carry several). */
  readonly form: string;
}

const noForm: FormState = { values: {}, errors: {}, form: '' };
const valuesFor = (state: FormState, form: string) => (state.form === form ? state.values : {});
const errorsFor = (state: FormState, form: string) => (state.form === form ? state.errors : {});

export function notice(kind: 'success' | 'error' | 'warning', text: string | SafeHtml): SafeHtml {
  return html`<div class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}"><p>${text}</p></div>`;
}

// ---- overview ----

async function overviewBody(console: ConsoleRuntime): Promise<SafeHtml> {
  const o = await console.useCases.overview();
  const currencies = [...new Set(o.received.map((r) => r.currency))];
  const methods = [...new Set(o.received.map((r) => r.methodId))];
  const totals = methods.flatMap((m) => currencies.map((c) => ({ m, c, total: o.received.filter((r) => r.methodId === m && r.currency === c).reduce((s, r) => s + r.amountMinor, 0n) }))).filter((t) => t.total > 0n);
  return html`<h1>Overview</h1>
<h2>Needs a person</h2>
<ul class="cards">
<li><span class="amount" id="holds-waiting">${o.holdsWaiting}</span> <a href="${P}/holds">holds waiting</a></li>
<li><span class="amount" id="failing-endpoints">${o.failingEndpoints.length}</span> <a href="${P}/webhooks">webhook endpoints failing</a></li>
<li><span class="amount">${o.chains.filter((c) => !c.ok).length}</span> chain backends unhealthy</li>
</ul>
<h2>Invoices by status</h2>
<ul class="cards" id="invoice-counts">${o.invoicesByStatus.map((s) => html`<li><span class="amount">${s.count}</span> <a href="${P}/invoices?status=${s.status}">${statusName(s.status)}</a></li>`)}</ul>
<h2>Owed to customers</h2>
<ul class="cards" id="owed">${o.owed.length === 0 ? html`<li>Nothing yet</li>` : o.owed.map((b) => html`<li><span class="amount">${ledgerText(b.amountMinor, b.currency)}</span> customer balances</li>`)}</ul>
<h2>Received, last ${o.days.length} days</h2>
${currencies.length === 0 ? html`<p>Nothing received in this period.</p>` : currencies.map((c) => receivedChart(c, o.days, o.received, methods))}
${totals.length > 0 ? html`<div class="table-wrap"><table><caption class="sr-only">Received per method</caption><thead><tr><th>Method</th><th class="num">Received</th></tr></thead><tbody>
${totals.map((t) => html`<tr><td>${t.m}</td><td class="num">${ledgerText(t.total, t.c)}</td></tr>`)}</tbody></table></div>` : ''}
<h2>Webhook endpoints failing</h2>
${o.failingEndpoints.length === 0 ? html`<p>None.</p>` : html`<div class="table-wrap"><table><thead><tr><th>Endpoint</th><th class="num">Failed</th><th class="num">Retrying</th></tr></thead><tbody>
${o.failingEndpoints.map((f) => html`<tr><td><a href="${P}/webhooks/${f.endpointId}">${f.endpoint?.url ?? f.endpointId}</a></td><td class="num">${f.failed}</td><td class="num">${f.retrying}</td></tr>`)}</tbody></table></div>`}
<h2>Chains</h2>
<div class="table-wrap"><table id="chains"><thead><tr><th>Methods</th><th>Health</th><th class="num">Processed height</th><th class="num">Node tip (behind)</th><th>Last report</th><th>Last error / state</th></tr></thead><tbody>
${o.chains.map((c) => html`<tr><td>${c.methods.join(', ')}</td><td>${c.ok ? html`<span class="badge good">healthy</span>` : html`<span class="badge bad">unhealthy</span>`}</td>
<td class="num">${c.height === null ? '—' : c.heightKind === 'cursor' ? `${c.height} (cursor)` : c.height}</td><td class="num">${nodeTipText(c)}</td><td>${c.lagMs === null ? '—' : `${Math.round(c.lagMs / 1000)} s ago`}</td><td>${c.detail ?? ''}</td></tr>`)}
</tbody></table></div>`;
}

/** The node's tip and how far the watcher is behind it, in the chain's own unit; Lightning says it follows no tip. */
function nodeTipText(c: ChainHealth): string {
  if (c.heightKind === 'cursor') return '—, not a chain follower';
  if (c.nodeHeight === null || c.behind === null) return '—';
  const unit = c.heightKind === 'slot' ? 'slot' : 'block';
  return `${c.nodeHeight} (${c.behind} ${unit}${c.behind === 1 ? '' : 's'} behind)`;
}

// ---- invoices ----

function invoiceSearchForm(q: Readonly<Record<string, string>>, errors: FieldErrors): SafeHtml {
  const text = (name: string, label: string, hint?: string) => inputField({ name, label, value: q[name] ?? '', maxlength: 2000, ...(hint ? { hint } : {}) }, errors);
  return html`<form method="get" action="${P}/invoices" class="search" novalidate>
${text('id', 'Invoice id')}${text('account', 'Account id')}${text('target', 'Address or reference')}${text('txid', 'Transaction id')}
<div class="field"><label for="status">Status</label><select id="status" name="status"><option value="">Any</option>${InvoiceStatuses.map((s) => html`<option value="${s}"${q['status'] === s ? html` selected` : ''}>${statusName(s)}</option>`)}</select></div>
${text('method', 'Method id', 'e.g. bitcoin, lightning')}${text('from', 'Created from', 'YYYY-MM-DD')}${text('to', 'Created up to', 'YYYY-MM-DD')}
<div class="field"><button type="submit">Search</button></div>
</form>`;
}

function invoiceRows(invoices: readonly Invoice[]): SafeHtml {
  return html`<div class="table-wrap"><table id="invoice-results"><thead><tr><th>Created</th><th>Invoice</th><th>Account</th><th>Method</th><th class="num">Amount</th><th>Status</th></tr></thead><tbody>
${invoices.map((i) => html`<tr><td>${timeText(i.createdAt)}</td><td><a href="${P}/invoices/${i.id}">${i.id}</a></td><td><a href="${P}/accounts/${i.accountId}">${i.accountId}</a></td>
<td>${i.methodId}</td><td class="num">${i.amountMinor === null ? 'any amount' : balanceText(i.amountMinor, i.currency)}</td><td>${statusBadge(i.status)}</td></tr>`)}
</tbody></table></div>`;
}

function paymentRows(invoice: Invoice, payments: readonly Payment[]): SafeHtml {
  if (payments.length === 0) return html`<p>No payment seen.</p>`;
  return html`<div class="table-wrap"><table id="payments"><thead><tr><th>Payment</th><th>Txid</th><th class="num">Amount</th><th>State</th><th class="num">Confirmations</th><th>Credited</th><th>Held / resolved</th></tr></thead><tbody>
${payments.map((p) => html`<tr><td><code>${p.id}</code></td><td>${code(p.txid)}</td><td class="num">${p.methodId === invoice.methodId ? cryptoText(p.amountUnits, invoice) : `${p.amountUnits} units (${p.methodId})`}</td>
<td>${p.state}${p.reversed ? ' (reversed)' : ''}</td><td class="num">${p.confirmations}</td><td>${p.creditedMinor === null ? '—' : balanceText(p.creditedMinor, invoice.currency)}</td>
<td>${p.heldReason ? html`<span class="badge bad">held: ${p.heldReason}</span>` : ''}${p.resolution ? html`<span class="badge">${p.resolution}</span> ${p.resolutionNote ?? ''}` : ''}</td></tr>`)}
</tbody></table></div>`;
}

export function transferRows(transfers: readonly PostedTransfer[], id = 'transfers'): SafeHtml {
  if (transfers.length === 0) return html`<p>No ledger transfers.</p>`;
  return html`<div class="table-wrap"><table id="${id}"><thead><tr><th>#</th><th>Time</th><th>Kind</th><th>Debit</th><th>Credit</th><th class="num">Amount</th></tr></thead><tbody>
${transfers.map((t) => html`<tr><td>${t.seq}</td><td>${timeText(t.createdAt)}</td><td>${t.kind}</td><td><code>${t.debitAccount}</code></td><td><code>${t.creditAccount}</code></td><td class="num">${ledgerText(t.amount, t.currency)}</td></tr>`)}
</tbody></table></div>`;
}

async function invoiceBody(console: ConsoleRuntime, id: string): Promise<SafeHtml> {
  const d = await console.useCases.invoiceDetail(id);
  const i = d.invoice;
  return html`<h1>Invoice <code>${i.id}</code></h1>
<dl class="facts" id="invoice-facts">
<dt>Status</dt><dd>${statusBadge(i.status)}</dd>
<dt>Account</dt><dd><a href="${P}/accounts/${i.accountId}">${i.accountId}</a>${d.userEmail ? ` (${d.userEmail})` : ''}</dd>
<dt>Method</dt><dd>${i.methodId}</dd>
<dt>Amount</dt><dd>${i.amountMinor === null ? 'any amount' : balanceText(i.amountMinor, i.currency)}${i.priceUnits === null ? '' : ` = ${cryptoText(i.priceUnits, i)}`}</dd>
<dt>Credited</dt><dd>${balanceText(i.creditedMinor, i.currency)}</dd>
<dt>Address</dt><dd>${code(i.address)}</dd>
<dt>Confirmations needed</dt><dd>${i.confirmationsRequired}</dd>
<dt>Created</dt><dd>${timeText(i.createdAt)}</dd><dt>Expires</dt><dd>${timeText(i.expiresAt)}</dd>
</dl>
<h2>Payments</h2>${paymentRows(i, d.payments)}
<h2>Ledger transfers</h2>${transferRows(d.transfers)}
<h2>Events</h2>
${d.events.length === 0 ? html`<p>No events.</p>` : html`<div class="table-wrap"><table id="events"><thead><tr><th>#</th><th>Time</th><th>Type</th><th>Event id</th></tr></thead><tbody>
${d.events.map((e) => html`<tr><td>${e.seq}</td><td>${timeText(e.createdAt)}</td><td>${e.type}</td><td><code>${e.id}</code></td></tr>`)}</tbody></table></div>`}`;
}

// ---- holds ----

export function holdsBody(console: ConsoleRuntime, request: FastifyRequest, holds: readonly HeldPayment[], state: FormState = noForm, banner?: SafeHtml): SafeHtml {
  const canAct = console.canAct(request);
  const csrf = request.consoleCsrfToken ?? '';
  return html`<h1>Holds</h1>
${banner ?? ''}
<p>Payments Coffer could not credit by itself. Each waits for a person: credit it at a rate you choose and document, or record that it was refunded outside Coffer.</p>
${holds.length === 0 ? html`<p id="no-holds">No payment is held.</p>` : holds.map((h) => {
    const form = `hold-${h.payment.id}`;
    const values = valuesFor(state, form);
    const errors = errorsFor(state, form);
    const action = values['action'] ?? 'credit';
    return html`<section class="hold" id="${form}" aria-labelledby="${form}-title"><h2 id="${form}-title">${h.invoice.id}</h2>
<dl class="facts"><dt>Why held</dt><dd>${reasonText(h.reason)} <span class="muted">(${h.reason})</span></dd>
<dt>Payment</dt><dd><code>${h.payment.id}</code>, txid ${code(h.payment.txid)}, ${h.payment.methodId === h.invoice.methodId ? cryptoText(h.payment.amountUnits, h.invoice) : `${h.payment.amountUnits} base units of ${h.payment.methodId}`}</dd>
<dt>Account</dt><dd><a href="${P}/accounts/${h.invoice.accountId}">${h.invoice.accountId}</a> (${h.invoice.currency})</dd>
<dt>Seen</dt><dd>${timeText(h.payment.firstSeenAt)}</dd><dt>Invoice</dt><dd><a href="${P}/invoices/${h.invoice.id}">open the invoice</a></dd></dl>
${canAct ? html`${errorSummary(Object.fromEntries(Object.entries(errors).map(([k, v]) => [`${form}-${k}`, v])), { [`${form}-rate`]: 'Rate', [`${form}-rate_source`]: 'Rate source', [`${form}-note`]: 'Note' })}
<form method="post" action="${P}/holds/${h.payment.id}/resolve" novalidate>${csrfField(csrf)}${idempotencyField()}
<fieldset class="field"><legend>Resolve by</legend><div class="choices">
<label><input type="radio" name="action" value="credit"${action === 'credit' ? html` checked` : ''}> Crediting the account at this rate</label>
<label><input type="radio" name="action" value="refunded_outside"${action === 'refunded_outside' ? html` checked` : ''}> Recording that it was refunded outside Coffer (nothing is credited)</label></div></fieldset>
${inputField({ name: 'rate', id: `${form}-rate`, label: `Rate (${h.invoice.currency} per 1 ${console.useCases.methods.get(h.payment.methodId)?.spec.asset ?? h.invoice.asset})`, value: values['rate'] ?? '', inputmode: 'decimal', maxlength: 60, hint: 'Only when crediting.' }, errors)}
${inputField({ name: 'rate_source', id: `${form}-rate_source`, label: 'Rate source', value: values['rate_source'] ?? '', maxlength: 500, hint: 'Where the rate comes from and its time, e.g. "Kraken BTC/USD close 2026-12-06 10:00 UTC". Only when crediting.' }, errors)}
${inputField({ name: 'note', id: `${form}-note`, label: 'Note', value: values['note'] ?? '', maxlength: 500, required: true, hint: 'What was done and why; kept in the audit log.' }, errors)}
<button type="submit">Review the resolution</button></form>` : ''}
</section>`;
  })}`;
}

// ---- accounts ----

function accountsBody(q: string, accounts: Awaited<ReturnType<typeof searchAccounts>>): SafeHtml {
  return html`<h1>Accounts</h1>
<form method="get" action="${P}/accounts" class="search">${inputField({ name: 'q', label: 'Account id, label or login email', value: q, maxlength: 200 }, {})}<div class="field"><button type="submit">Search</button></div></form>
<div class="table-wrap"><table id="account-results"><thead><tr><th>Account</th><th>Type</th><th>Currency</th><th>Status</th><th>Label</th><th>Created</th></tr></thead><tbody>
${accounts.map((a) => html`<tr><td><a href="${P}/accounts/${a.id}">${a.id}</a></td><td>${a.type}</td><td>${a.currency}</td><td>${a.status === 'frozen' ? html`<span class="badge bad">frozen</span>` : a.status}</td><td>${a.label ?? ''}</td><td>${timeText(a.createdAt)}</td></tr>`)}
</tbody></table></div>`;
}

export function accountBody(console: ConsoleRuntime, request: FastifyRequest, d: AccountDetail, state: FormState = noForm, banner?: SafeHtml): SafeHtml {
  const canAct = console.canAct(request);
  const csrf = request.consoleCsrfToken ?? '';
  const a = d.account;
  const charge = valuesFor(state, 'charge');
  return html`<h1>Account <code>${a.id}</code></h1>
${banner ?? ''}
<dl class="facts" id="account-facts"><dt>Status</dt><dd id="account-status">${a.status}</dd><dt>Type</dt><dd>${a.type}</dd><dt>Label</dt><dd>${a.label ?? '—'}</dd><dt>Login</dt><dd>${d.email ?? '—'}</dd><dt>Created</dt><dd>${timeText(a.createdAt)}</dd></dl>
<h2>Balances</h2><ul class="balances">${d.balances.map((b) => html`<li><span class="amount" data-balance="${b.currency}">${balanceText(b.balanceMinor, b.currency)}</span></li>`)}</ul>
${canAct ? html`<h2>Status</h2><form method="post" action="${P}/accounts/${a.id}/status">${csrfField(csrf)}${idempotencyField()}
<input type="hidden" name="status" value="${a.status === 'frozen' ? 'active' : 'frozen'}">
<button type="submit" class="${a.status === 'frozen' ? '' : 'danger'}">${a.status === 'frozen' ? 'Unfreeze this account' : 'Freeze this account'}</button></form>` : ''}
<h2>API credentials</h2>
<div class="table-wrap"><table id="credentials"><thead><tr><th>Credential</th><th>Kind</th><th>Label</th><th>Created</th><th>Revoked</th>${canAct ? html`<th></th>` : ''}</tr></thead><tbody>
${d.credentials.map((c) => html`<tr><td><code>${c.id}</code></td><td>${c.kind}</td><td>${c.label ?? ''}</td><td>${timeText(c.createdAt)}</td><td>${c.revokedAt ? timeText(c.revokedAt) : '—'}</td>
${canAct ? html`<td>${c.revokedAt ? '' : html`<form method="post" action="${P}/credentials/${c.id}/revoke">${csrfField(csrf)}${idempotencyField()}<button class="small danger" type="submit">Revoke</button></form>`}</td>` : ''}</tr>`)}
</tbody></table></div>
${canAct ? html`<form method="post" action="${P}/accounts/${a.id}/credentials">${csrfField(csrf)}${idempotencyField()}
${inputField({ name: 'label', label: 'New credential label (optional)', value: valuesFor(state, 'credential')['label'] ?? '', maxlength: 80 }, errorsFor(state, 'credential'))}
<button type="submit" class="secondary">Create a credential</button></form>
<h2>Charge</h2>${errorSummary(errorsFor(state, 'charge'), { amount: 'Amount', currency: 'Currency', description: 'Description' })}
<form method="post" action="${P}/accounts/${a.id}/charges" novalidate>${csrfField(csrf)}${idempotencyField()}
${inputField({ name: 'amount', label: 'Amount', value: charge['amount'] ?? '', inputmode: 'decimal', maxlength: 40, required: true }, errorsFor(state, 'charge'))}
${inputField({ name: 'currency', label: 'Currency', value: charge['currency'] ?? a.currency, maxlength: 3, required: true }, errorsFor(state, 'charge'))}
${inputField({ name: 'description', label: 'Description', value: charge['description'] ?? '', maxlength: 500 }, errorsFor(state, 'charge'))}
<button type="submit" class="secondary">Review the charge</button></form>` : ''}
<h2>Charges</h2>
${d.charges.length === 0 ? html`<p>No charges.</p>` : html`<div class="table-wrap"><table id="charges"><thead><tr><th>Charge</th><th>Time</th><th class="num">Amount</th><th class="num">Refunded</th><th>Description</th>${canAct ? html`<th>Refund</th>` : ''}</tr></thead><tbody>
${d.charges.map((c) => html`<tr><td><code>${c.id}</code></td><td>${timeText(c.createdAt)}</td><td class="num">${balanceText(c.amountMinor, c.currency)}</td><td class="num">${balanceText(c.refundedMinor, c.currency)}</td><td>${c.description ?? ''}</td>
${canAct ? html`<td>${c.refundedMinor < c.amountMinor ? html`<form method="post" action="${P}/charges/${c.id}/refunds">${csrfField(csrf)}${idempotencyField()}<input type="hidden" name="account_id" value="${a.id}">
<label class="sr-only" for="refund-${c.id}">Refund amount</label><input id="refund-${c.id}" name="amount" type="text" inputmode="decimal" value="${formatDecimal(c.amountMinor - c.refundedMinor, CurrencyScale[c.currency])}" maxlength="40">
<button class="small secondary" type="submit">Review refund</button></form>` : ''}</td>` : ''}</tr>`)}</tbody></table></div>`}
<h2>History</h2>${transferRows(d.transfers, 'account-transfers')}`;
}

// ---- webhooks ----

async function webhooksBody(console: ConsoleRuntime): Promise<SafeHtml> {
  const endpoints = await console.useCases.listWebhookEndpoints(false);
  const paused = (await console.useCases.listWebhookEndpoints(true)).filter((e) => e.status === 'paused');
  const all = [...endpoints, ...paused];
  return html`<h1>Webhooks</h1>
${all.length === 0 ? html`<p>No endpoint. Add one with <code>coffer webhook add</code> or the admin API.</p>` : html`<div class="table-wrap"><table id="endpoints"><thead><tr><th>Endpoint</th><th>URL</th><th>Events</th><th>Status</th></tr></thead><tbody>
${all.map((e) => html`<tr><td><a href="${P}/webhooks/${e.id}">${e.id}</a></td><td>${e.url}</td><td>${e.eventTypes.join(', ')}</td><td>${e.status === 'paused' ? html`<span class="badge bad">paused</span>` : e.status}</td></tr>`)}</tbody></table></div>`}`;
}

export async function endpointBody(console: ConsoleRuntime, request: FastifyRequest, id: string, banner?: SafeHtml, state: FormState = noForm): Promise<SafeHtml> {
  const endpoint = await console.useCases.webhookEndpoint(id);
  const deliveries = await console.useCases.webhookDeliveries({ endpointId: id });
  const canAct = console.canAct(request) && endpoint.status !== 'removed';
  const csrf = request.consoleCsrfToken ?? '';
  const range = valuesFor(state, 'range');
  return html`<h1>Endpoint <code>${endpoint.id}</code></h1>${banner ?? ''}
<dl class="facts"><dt>URL</dt><dd>${endpoint.url}</dd><dt>Status</dt><dd id="endpoint-status">${endpoint.status}</dd><dt>Events</dt><dd>${endpoint.eventTypes.join(', ')}</dd><dt>Per request</dt><dd>${endpoint.batchMax}</dd></dl>
${canAct ? html`<form method="post" action="${P}/webhooks/${id}/${endpoint.status === 'paused' ? 'resume' : 'pause'}">${csrfField(csrf)}${idempotencyField()}
<button type="submit" class="${endpoint.status === 'paused' ? '' : 'danger'}">${endpoint.status === 'paused' ? 'Resume sending' : 'Pause sending'}</button></form>
<h2>Redeliver a range</h2>${errorSummary(errorsFor(state, 'range'), { from_seq: 'From', to_seq: 'To' })}
<form method="post" action="${P}/webhooks/${id}/redeliver-range" novalidate>${csrfField(csrf)}${idempotencyField()}
${inputField({ name: 'from_seq', label: 'From outbox position', value: range['from_seq'] ?? '', inputmode: 'text', maxlength: 15 }, errorsFor(state, 'range'))}
${inputField({ name: 'to_seq', label: 'To outbox position', value: range['to_seq'] ?? '', inputmode: 'text', maxlength: 15 }, errorsFor(state, 'range'))}
<button type="submit" class="secondary">Review the redelivery</button></form>` : ''}
<h2>Recent deliveries</h2>
${deliveries.length === 0 ? html`<p>No deliveries yet.</p>` : html`<div class="table-wrap"><table id="deliveries"><thead><tr><th>Delivery</th><th>Event</th><th>Outbox #</th><th>Status</th><th class="num">Attempts</th><th>Last response</th>${canAct ? html`<th></th>` : ''}</tr></thead><tbody>
${deliveries.map((d) => html`<tr><td><a href="${P}/webhooks/deliveries/${d.id}">${d.id}</a></td><td>${d.eventType}<br><code>${d.eventId}</code></td><td>${d.outboxSeq}</td>
<td>${d.status === 'failed' ? html`<span class="badge bad">failed</span>` : d.status}</td><td class="num">${d.attempts}</td><td>${d.lastStatusCode ?? ''} ${d.lastError ?? ''}</td>
${canAct ? html`<td><form method="post" action="${P}/webhooks/${id}/redeliver">${csrfField(csrf)}${idempotencyField()}<input type="hidden" name="event_id" value="${d.eventId}"><button class="small secondary" type="submit">Redeliver</button></form></td>` : ''}</tr>`)}
</tbody></table></div>`}`;
}

async function deliveryBody(console: ConsoleRuntime, id: string): Promise<SafeHtml> {
  const { delivery: d, attempts } = await console.useCases.webhookDelivery(id);
  return html`<h1>Delivery <code>${d.id}</code></h1>
<dl class="facts"><dt>Event</dt><dd>${d.eventType} <code>${d.eventId}</code></dd><dt>URL</dt><dd>${d.url}</dd><dt>Status</dt><dd>${d.status}</dd>
<dt>Endpoint</dt><dd>${d.endpointId ? html`<a href="${P}/webhooks/${d.endpointId}">${d.endpointId}</a>` : 'the invoice\'s own webhook_url'}</dd></dl>
<h2>Attempts</h2><div class="table-wrap"><table id="attempts"><thead><tr><th>#</th><th>Time</th><th>Status code</th><th>Error</th><th class="num">ms</th><th>Response (excerpt)</th></tr></thead><tbody>
${attempts.map((a) => html`<tr><td>${a.attempt}</td><td>${timeText(a.at)}</td><td>${a.statusCode ?? ''}</td><td>${a.error ?? ''}</td><td class="num">${a.durationMs}</td><td><pre class="json">${a.responseExcerpt ?? ''}</pre></td></tr>`)}
</tbody></table></div>`;
}

// ---- ledger and audit ----

async function ledgerBody(console: ConsoleRuntime, verify: boolean): Promise<SafeHtml> {
  const report = verify ? await console.useCases.runLedgerVerify() : null;
  return html`<h1>Ledger</h1>
<p><a class="button secondary" href="${P}/ledger?verify=1">Run verify</a> <a class="button secondary" href="${P}/ledger/transfers.csv" download>Export transfers as CSV</a></p>
<p class="muted">Verify recomputes every balance from the transfers (read-only). The CSV holds every transfer with exact decimal amounts, for an accountant.</p>
${report ? html`<div id="verify-result">${report.ok ? notice('success', `The ledger verifies: ${report.transfers} transfers, ${report.accounts} accounts, no drift, every currency balances, no unexpected negative balance.`)
    : notice('error', `The ledger does NOT verify: ${report.drift.length} drifting accounts, ${report.imbalance.length} unbalanced currencies, ${report.negative.length} negative balances.`)}
${report.ok ? '' : html`<pre class="json">${JSON.stringify({ drift: report.drift, imbalance: report.imbalance, negative: report.negative }, null, 2)}</pre>`}</div>` : ''}`;
}

async function auditBody(console: ConsoleRuntime, target: string, before: number | undefined): Promise<SafeHtml> {
  const rows = await console.useCases.auditLog({ target: target || undefined, beforeSeq: before, limit: 50 });
  return html`<h1>Audit log</h1><p>Every operator action, newest first. Entries are never changed or removed.</p>
<form method="get" action="${P}/audit" class="search">${inputField({ name: 'target', label: 'Object (e.g. account:acc_…)', value: target, maxlength: 200 }, {})}<div class="field"><button type="submit">Filter</button></div></form>
<div class="table-wrap"><table id="audit"><thead><tr><th>#</th><th>Time</th><th>Who</th><th>Action</th><th>Object</th><th>Before</th><th>After</th></tr></thead><tbody>
${rows.map((r) => html`<tr><td>${r.seq}</td><td>${timeText(r.at)}</td><td>${r.actorName}</td><td>${r.action}</td><td><code>${r.target}</code></td><td><pre class="json">${r.before ?? ''}</pre></td><td><pre class="json">${r.after ?? ''}</pre></td></tr>`)}
</tbody></table></div>
${rows.length === 50 ? html`<p><a href="${P}/audit?before=${rows.at(-1)!.seq}${target ? `&target=${encodeURIComponent(target)}` : ''}">Older entries</a></p>` : ''}`;
}

export function consolePageRoutes(plain: FastifyInstance, console: ConsoleRuntime): void {
  // Fastify's TypeBox type provider: each route's params and query schema type request.params/query.
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const show = async (request: FastifyRequest, reply: FastifyReply, title: string, nav: Parameters<ConsoleRuntime['send']>[5], body: Promise<SafeHtml> | SafeHtml) =>
    console.send(request, reply, 200, title, await body, nav);

  app.get('/overview', async (request, reply) => show(request, reply, 'Overview', 'overview', overviewBody(console)));
  app.get('/invoices', { schema: { querystring: InvoiceSearchQuery } }, async (request, reply) => {
    const q = request.query;
    const given: InvoiceSearchText = {
      id: queryText(q.id), account: queryText(q.account), target: queryText(q.target), txid: queryText(q.txid),
      status: queryText(q.status), method: queryText(q.method), from: queryText(q.from), to: queryText(q.to), before: queryText(q.before),
    };
    const values = Object.fromEntries(Object.entries(given).filter((e): e is [string, string] => typeof e[1] === 'string'));
    try {
      const invoices = await console.useCases.searchInvoices(parseInvoiceSearch(given));
      return console.send(request, reply, 200, 'Invoices', html`<h1>Invoices</h1>${invoiceSearchForm(values, {})}${invoiceRows(invoices)}`, 'invoices');
    } catch (error) {
      if (!isCofferError(error) || error.status >= 500) throw error;
      return console.send(request, reply, 400, 'Invoices', html`<h1>Invoices</h1>${invoiceSearchForm(values, { [error.details['field'] ?? 'id']: error.message })}`, 'invoices');
    }
  });
  app.get('/invoices/:id', { schema: { params: IdParams } }, async (request, reply) => show(request, reply, 'Invoice', 'invoices', invoiceBody(console, request.params.id)));
  app.get('/holds', async (request, reply) => show(request, reply, 'Holds', 'holds', holdsBody(console, request, await console.useCases.listHolds())));
  app.get('/accounts', { schema: { querystring: AccountSearchQuery } }, async (request, reply) => {
    const q = queryText(request.query.q) ?? '';
    return show(request, reply, 'Accounts', 'accounts', accountsBody(q, await console.useCases.searchAccounts(q)));
  });
  app.get('/accounts/:id', { schema: { params: IdParams } }, async (request, reply) =>
    show(request, reply, 'Account', 'accounts', accountBody(console, request, await console.useCases.accountDetail(request.params.id))));
  app.get('/webhooks', async (request, reply) => show(request, reply, 'Webhooks', 'webhooks', webhooksBody(console)));
  app.get('/webhooks/deliveries/:id', { schema: { params: IdParams } }, async (request, reply) => show(request, reply, 'Delivery', 'webhooks', deliveryBody(console, request.params.id)));
  app.get('/webhooks/:id', { schema: { params: IdParams } }, async (request, reply) =>
    show(request, reply, 'Webhook endpoint', 'webhooks', endpointBody(console, request, request.params.id)));
  app.get('/ledger', { schema: { querystring: LedgerQuery } }, async (request, reply) => show(request, reply, 'Ledger', 'ledger', ledgerBody(console, queryText(request.query.verify) === '1')));
  app.get('/audit', { schema: { querystring: AuditQuery } }, async (request, reply) => {
    const before = queryText(request.query.before);
    return show(request, reply, 'Audit log', 'audit', auditBody(console, queryText(request.query.target) ?? '', before && /^\d{1,15}$/.test(before) ? Number(before) : undefined));
  });
}
