// Add funds (the form) and the checkout page: QR code, address and amount with copy buttons,
// network and token contract, countdown, live status, and what happened to the money.

import { BalanceCurrencies } from '../core/assets.ts';
import type { Invoice, Payment, PaymentStatus } from '../core/invoice.ts';
import type { MethodSpec } from '../core/methods.ts';
import { rateText } from '../core/rate.ts';
import { csrfField, errorSummary, idempotencyField, inputField, radioField } from './forms.ts';
import type { FieldErrors } from './forms.ts';
import { describeOutcome, stepOf } from './deposit-outcome.ts';
import { balanceText, cryptoNumber, methodName, timeText } from './format.ts';
import { html, safeUrl } from './html.ts';
import type { SafeHtml } from './html.ts';

export interface AddFundsValues {
  readonly currency: string;
  readonly amount: string;
  readonly any: boolean;
  readonly method: string;
}

export function addFundsBody(csrf: string, values: AddFundsValues, methods: readonly MethodSpec[], errors: FieldErrors): SafeHtml {
  return html`<div class="narrow">
<h1>Add funds</h1>
${errorSummary(errors, { currency: 'Currency', amount: 'Amount', payment_method: 'Pay with' })}
${methods.length === 0 ? html`<div class="notice warning"><p>No payment method is configured on this server yet.</p></div>` : ''}
<form method="post" action="/account/add-funds" novalidate>
${csrfField(csrf)}
${idempotencyField()}
${radioField({ name: 'currency', legend: 'Currency to add', value: values.currency, options: BalanceCurrencies.map((c) => ({ value: c, label: c })) }, errors)}
${inputField({ name: 'amount', label: 'Amount', value: values.amount, inputmode: 'decimal', autocomplete: 'off', hint: 'For example 25 or 25.50 (BTC: up to 8 decimals).' }, errors)}
<div class="field choices"><label><input type="checkbox" name="any_amount" value="1"${values.any ? html` checked` : ''}> Any amount — pay what you like; it is credited at the rate when it arrives</label></div>
${radioField({ name: 'payment_method', legend: 'Pay with', value: values.method, options: methods.map((m) => ({ value: m.id, label: methodName(m.id) })) }, errors)}
<button type="submit">Continue to payment</button>
</form>
</div>`;
}

export interface CheckoutData {
  readonly invoice: Invoice;
  readonly payments: readonly Payment[];
  readonly paymentStatus: PaymentStatus;
  /** The balance of the invoice's currency, shown once the deposit is credited. */
  readonly balanceMinor: bigint;
  readonly qrSvg: SafeHtml;
  readonly now: Date;
  readonly sandbox: boolean;
  readonly csrf: string;
}

const FINAL = new Set(['complete', 'expired', 'denied']);

export function isFinalForPage(invoice: Invoice): boolean {
  return FINAL.has(invoice.status);
}

/** The live part of the checkout, re-rendered by the status endpoint. */
export function statusPanel(data: Pick<CheckoutData, 'invoice' | 'payments' | 'paymentStatus' | 'balanceMinor'>): { html: SafeHtml; title: string } {
  const { invoice } = data;
  const outcome = describeOutcome(invoice, data.payments, data.paymentStatus);
  const step = stepOf(invoice);
  const steps = ['Waiting for payment', 'Detected', 'Confirmed', 'Credited'];
  const body = html`${step >= 0 ? html`<ol class="steps" aria-label="Progress">${steps.map((label, i) => html`<li${i < step || step === 3 ? html` class="done"` : ''}${i === step ? html` aria-current="step"` : ''}>${i < step || step === 3 ? html`<span class="sr-only">Done: </span>` : ''}${label}</li>`)}</ol>` : ''}
<div class="notice ${outcome.tone}" data-outcome>
<h2>${outcome.title}</h2>
${outcome.lines.map((line) => html`<p>${line}</p>`)}
${invoice.status === 'complete' ? html`<p>Your ${invoice.currency} balance is now <strong data-new-balance>${balanceText(data.balanceMinor, invoice.currency)}</strong>. <a href="/account">Back to the dashboard</a></p>` : ''}
</div>`;
  return { html: body, title: outcome.title };
}

function copyable(id: string, value: string, label: string, unit = ''): SafeHtml {
  return html`<span class="copyable"><span><code class="value" id="${id}">${value}</code>${unit ? ` ${unit}` : ''}</span><button type="button" class="small secondary" data-copy="${id}" aria-label="Copy ${label}">Copy</button></span>`;
}

function facts(invoice: Invoice): SafeHtml {
  const evm = invoice.chainId !== null;
  // Solana Pay: the address is the operator's wallet, shared by every deposit; only the reference in the link tells them apart.
  const solana = invoice.network.startsWith('solana');
  // Tron: the address is T… base58check; the contract is USDT's, and exchanges list several USDT networks.
  const tron = invoice.network.startsWith('tron');
  return html`<dl class="facts">
<dt>Pay with</dt><dd>${methodName(invoice.methodId)}</dd>
${invoice.priceUnits !== null
    ? html`<dt>Amount</dt><dd>${copyable('pay-amount', cryptoNumber(invoice.priceUnits, invoice), 'amount', invoice.asset)}</dd>`
    : html`<dt>Amount</dt><dd>Any amount of ${invoice.asset}</dd>`}
<dt>${invoice.address === invoice.lightningInvoice ? 'Invoice' : 'Address'}</dt><dd>${copyable('pay-address', invoice.address, invoice.address === invoice.lightningInvoice ? 'lightning invoice' : 'address')}</dd>
${invoice.lightningInvoice && invoice.address !== invoice.lightningInvoice ? html`<dt>Or over Lightning</dt><dd>${copyable('pay-lightning', invoice.lightningInvoice, 'lightning invoice')}</dd>` : ''}
${evm ? html`<dt>Network</dt><dd>${invoice.network} (chain id ${invoice.chainId})</dd>` : html`<dt>Network</dt><dd>${invoice.network}</dd>`}
${invoice.contractAddress && tron ? html`<dt>Token contract</dt><dd>${copyable('pay-contract', invoice.contractAddress, 'token contract')}<br><span class="muted" data-tron-warning>Send only ${invoice.asset} (TRC-20) of this contract, on the TRON network (${invoice.network}). From an exchange, choose the TRC20 network. USDT on any other network, or any other token, is not credited.</span></dd>` : ''}
${invoice.contractAddress && !solana && !tron ? html`<dt>Token contract</dt><dd>${copyable('pay-contract', invoice.contractAddress, 'token contract')}<br><span class="muted">Send only ${invoice.asset} from this contract, on this network. Other tokens are not credited.</span></dd>` : ''}
${invoice.contractAddress && solana ? html`<dt>Token mint</dt><dd>${copyable('pay-contract', invoice.contractAddress, 'token mint')}<br><span class="muted" data-solana-warning>Send only ${invoice.asset} of this mint, on ${invoice.network}. Pay by scanning the QR code or opening the payment link in a Solana Pay wallet: the payment must carry this deposit's reference. A transfer typed in by hand to the address cannot be matched to this deposit.</span></dd>` : ''}
${invoice.rate ? html`<dt>Rate</dt><dd>1 ${invoice.asset} = ${rateText(invoice.rate.value)} ${invoice.currency} (locked until expiry)</dd>` : ''}
<dt>Confirmations</dt><dd>${invoice.confirmationsRequired}</dd>
</dl>`;
}

function sandboxForm(data: CheckoutData): SafeHtml {
  const { invoice } = data;
  const price = invoice.priceUnits === null ? '' : cryptoNumber(invoice.priceUnits, invoice);
  return html`<details class="sandbox-pay" open data-simulate-panel>
<summary>Sandbox: simulate a payment</summary>
<form method="post" action="/account/deposits/${invoice.id}/simulate" data-simulate>
${csrfField(data.csrf)}
<input type="hidden" name="step" value="all">
<div class="field"><label for="sim-amount">Amount in ${invoice.asset}</label>
<p class="hint" id="sim-amount-hint">Change it to try an underpayment or an overpayment.</p>
<input id="sim-amount" name="amount" type="text" inputmode="decimal" value="${price}" aria-describedby="sim-amount-hint"></div>
<div class="field"><label for="sim-confirmations">Confirmations</label>
<select id="sim-confirmations" name="confirmations"><option value="">As many as required (${invoice.confirmationsRequired})</option><option value="0">None — leave it detected</option></select></div>
<p class="error" hidden></p>
<button type="submit">Simulate payment</button>
</form>
</details>`;
}

export function checkoutBody(data: CheckoutData): SafeHtml {
  const { invoice } = data;
  const open = !isFinalForPage(invoice) && data.now < invoice.expiresAt;
  const panel = statusPanel(data);
  const title = invoice.amountMinor === null ? `Add ${invoice.currency} — any amount` : `Add ${balanceText(invoice.amountMinor, invoice.currency)}`;
  return html`<h1>${title}</h1>
<section id="status" aria-live="polite" aria-atomic="true" data-status="${invoice.status}" data-final="${isFinalForPage(invoice) ? 'true' : 'false'}" data-status-url="/account/deposits/${invoice.id}/status">
${panel.html}
</section>
<div class="checkout">
<div class="qr" role="img" aria-label="QR code of the payment link">${data.qrSvg}</div>
<div>
${open
    ? html`<p data-expires="${invoice.expiresAt.toISOString()}" data-now="${data.now.getTime()}">Quote expires in <span class="countdown">${timeText(invoice.expiresAt)}</span> <span class="muted">(at ${timeText(invoice.expiresAt)})</span></p>`
    : html`<p class="muted">Quote ${data.now >= invoice.expiresAt ? 'expired' : 'ends'} at ${timeText(invoice.expiresAt)}.</p>`}
${facts(invoice)}
${safeUrl(invoice.uri) !== '#' ? html`<p><a class="button secondary" href="${safeUrl(invoice.uri)}">Open in wallet</a></p>` : ''}
</div>
</div>
${data.sandbox && invoice.status !== 'complete' ? sandboxForm(data) : ''}
<p class="muted">Deposit ${invoice.id} · created ${timeText(invoice.createdAt)}</p>`;
}
