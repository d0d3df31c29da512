// API credentials of a business account: create (the secret is shown once, on the response to
// the POST, never again), revoke, and the account's recent usage.

import type { Credential } from '../core/account.ts';
import { CurrencyScale, isBalanceCurrency } from '../core/assets.ts';
import { formatFixed } from '../core/money.ts';
import type { IssuedCredential } from '../usecases/manage-accounts.ts';
import type { AccountUsage } from '../usecases/web-usage.ts';
import { USAGE_PERIOD_DAYS } from '../usecases/web-usage.ts';
import { WebLimits } from '../core/limits.ts';
import { csrfField, errorSummary, idempotencyField, inputField } from './forms.ts';
import type { FieldErrors } from './forms.ts';
import { statusName, timeText, TransferNames } from './format.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';

export interface KeysData {
  readonly credentials: readonly Credential[];
  readonly usage: AccountUsage;
  readonly issued: IssuedCredential | null;
  readonly revoked: string | null;
  readonly label: string;
  readonly errors: FieldErrors;
  readonly csrf: string;
}

function issuedPanel(issued: IssuedCredential): SafeHtml {
  return html`<div class="secret" role="alert" id="new-key">
<h2>Your new API credentials</h2>
<p><strong>Copy the secret now: it is shown only once.</strong> Coffer keeps only a hash of it.</p>
<dl class="facts">
<dt>API id</dt><dd><span class="copyable"><code class="value" id="new-api-id">${issued.apiId ?? issued.credential.id}</code><button type="button" class="small secondary" data-copy="new-api-id" aria-label="Copy API id">Copy</button></span></dd>
<dt>API secret</dt><dd><span class="copyable"><code class="value" id="new-api-secret">${issued.apiSecret ?? issued.apiKey ?? ''}</code><button type="button" class="small secondary" data-copy="new-api-secret" aria-label="Copy API secret">Copy</button></span></dd>
</dl>
<p class="muted">Use them with HTTP Basic authentication: <code>Authorization: Basic base64(API_ID:API_SECRET)</code>.</p>
</div>`;
}

function usageTable(usage: AccountUsage): SafeHtml {
  const deposits = usage.deposits.reduce((sum, d) => sum + d.count, 0);
  return html`<h2>Usage, last ${USAGE_PERIOD_DAYS} days</h2>
<p>${deposits} deposit${deposits === 1 ? '' : 's'} created${usage.deposits.length > 0 ? html` (${usage.deposits.map((d, i) => html`${i > 0 ? ', ' : ''}${d.count} ${statusName(d.status).toLowerCase()}`)})` : ''}.</p>
${usage.movements.length === 0 ? html`<p class="muted">No balance movements.</p>` : html`<div class="table-wrap"><table>
<caption class="sr-only">Balance movements per kind and currency</caption>
<thead><tr><th scope="col">Kind</th><th scope="col" class="num">Count</th><th scope="col" class="num">Total</th></tr></thead>
<tbody>${usage.movements.map((m) => html`<tr><td>${TransferNames[m.kind] ?? m.kind}</td><td class="num">${m.count}</td>
<td class="num">${isBalanceCurrency(m.currency) ? `${formatFixed(m.totalMinor, CurrencyScale[m.currency])} ${m.currency}` : m.totalMinor}</td></tr>`)}</tbody></table></div>`}`;
}

export function keysBody(data: KeysData): SafeHtml {
  const active = data.credentials.filter((c) => c.revokedAt === null);
  const revoked = data.credentials.filter((c) => c.revokedAt !== null);
  return html`<h1>API keys</h1>
${data.issued ? issuedPanel(data.issued) : ''}
${data.revoked ? html`<div class="notice success" role="status"><p>Key <code>${data.revoked}</code> was revoked. Requests made with it are refused from now on.</p></div>` : ''}
<h2>Active keys</h2>
${active.length === 0 ? html`<p class="muted">No active keys.</p>` : html`<div class="table-wrap"><table>
<caption class="sr-only">Active API keys</caption>
<thead><tr><th scope="col">API id</th><th scope="col">Label</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${active.map((c) => html`<tr><td><code class="value">${c.id}</code></td><td>${c.label ?? ''}</td><td>${timeText(c.createdAt)}</td>
<td><a class="button small danger" href="/account/keys/${c.id}/revoke" aria-label="Revoke key ${c.id}">Revoke…</a></td></tr>`)}</tbody>
</table></div>`}
<h2>Create a key</h2>
${errorSummary(data.errors, { label: 'Label' })}
<form method="post" action="/account/keys" novalidate class="narrow">
${csrfField(data.csrf)}
${idempotencyField()}
${inputField({ name: 'label', label: 'Label (optional)', value: data.label, hint: 'Where the key is used, e.g. "checkout server".', maxlength: WebLimits.credentialLabelLengthMax }, data.errors)}
<button type="submit">Create key</button>
</form>
${usageTable(data.usage)}
${revoked.length === 0 ? '' : html`<h2>Revoked keys</h2><ul>${revoked.map((c) => html`<li><code>${c.id}</code>${c.label ? ` (${c.label})` : ''} — revoked ${timeText(c.revokedAt!)}</li>`)}</ul>`}`;
}

export function revokeConfirmBody(credential: Credential, csrf: string): SafeHtml {
  return html`<div class="narrow">
<h1>Revoke key <code>${credential.id}</code>?</h1>
<div class="notice warning"><p>${credential.label ? html`<strong>${credential.label}</strong>: ` : ''}every request made with this key is refused from the moment you revoke it. This cannot be undone; a new key can be created at any time.</p></div>
<form method="post" action="/account/keys/${credential.id}/revoke">
${csrfField(csrf)}
<input type="hidden" name="confirm" value="yes">
<button class="danger" type="submit">Yes, revoke this key</button> <a class="button secondary" href="/account/keys">Cancel</a>
</form>
</div>`;
}
