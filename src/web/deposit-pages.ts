// Add funds (the form) and the checkout page: QR code, address and amount with copy buttons,
// network and token contract, countdown, live status, and what happened to the money.

import { BalanceCurrencies } from '../core/assets.ts';
import type { Invoice, Payment, PaymentStatus } from '../core/invoice.ts';
import type { MethodSpec, TokenPresentation } from '../core/methods.ts';
import { rateText } from '../core/rate.ts';
import { balanceCredited, conversionRate, creditCurrency } from '../core/conversion.ts';
import { minimumText } from '../core/method-minimums.ts';
import { csrfField, errorSummary, idempotencyField, inputField, radioField } from './forms.ts';
import type { FieldErrors } from './forms.ts';
import { describeOutcome, stepOf } from './deposit-outcome.ts';
import { asksForPayment, depositState } from './deposit-state.ts';
import type { DepositState } from './deposit-state.ts';
import { repriceUri } from './payment-uri.ts';
import { balanceText, cryptoNumber, cryptoText, timeText } from './format.ts';
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
<form method="post" action="/account/add-funds" novalidate data-remember="add-funds">
${csrfField(csrf)}
${idempotencyField()}
${radioField({ name: 'currency', legend: 'Currency to add', value: values.currency, options: BalanceCurrencies.map((c) => ({ value: c, label: c })) }, errors)}
${inputField({ name: 'amount', label: 'Amount', value: values.amount, inputmode: 'decimal', autocomplete: 'off', hint: 'For example 25 or 25.50 (a decimal comma, 25,50, works too; BTC: up to 8 decimals). Each way to pay has a smallest payment, shown next to it.' }, errors)}
<div class="field choices"><label><input type="checkbox" name="any_amount" value="1"${values.any ? html` checked` : ''}> Any amount — pay what you like; it is credited at the rate when it arrives</label></div>
${radioField({ name: 'payment_method', legend: 'Pay with', value: values.method, options: methods.map((m) => ({ value: m.id, label: m.label, hint: `— from ${minimumText(m)}` })) }, errors)}
<button type="submit">Continue to payment</button>
</form>
</div>`;
}

export interface CheckoutData {
  readonly invoice: Invoice;
  /** The invoice's method as its rail declares it (name, URI scheme, token wording); undefined if no rail knows it. */
  readonly method: MethodSpec | undefined;
  readonly payments: readonly Payment[];
  readonly paymentStatus: PaymentStatus;
  /** The balance of the invoice's currency, shown once the deposit is credited. */
  readonly balanceMinor: bigint;
  /** QR of the URI to pay now (the full price, or what is still owed); null when the page asks for nothing. */
  readonly qrSvg: SafeHtml | null;
  readonly now: Date;
  readonly sandbox: boolean;
  readonly csrf: string;
  /** Block-explorer link templates per method id (`…/tx/{txid}`), from the website's settings. */
  readonly explorers: Readonly<Record<string, string>>;
}

export type LiveData = Omit<CheckoutData, 'csrf'>;

/** Polling stops when nothing can change any more: a failed payment, or the monitoring window over. */
export function isFinalForPage(invoice: Invoice, now: Date): boolean {
  return invoice.status === 'denied' || now >= invoice.watchUntil;
}

/** What is still owed in a partial state, in the method's base units; null when nothing is. */
export function remainderUnits(invoice: Invoice): bigint | null {
  return invoice.priceUnits !== null && invoice.receivedUnits < invoice.priceUnits ? invoice.priceUnits - invoice.receivedUnits : null;
}

/** The URI the page asks to pay now: the full price, the remainder (re-priced), or null (nothing, or not re-priceable). */
export function payUriOf(invoice: Invoice, now: Date): string | null {
  const state = depositState(invoice, now);
  if (state === 'unpaid') return invoice.uri;
  if (state !== 'partial') return null;
  const rest = remainderUnits(invoice);
  return rest === null ? null : repriceUri(invoice.uri, rest, invoice.unitScale);
}

const isLightning = (invoice: Invoice) => invoice.network === 'lightning' || invoice.uri.startsWith('lightning:');

/** The live part of the checkout, re-rendered by the status endpoint: what changed is in `key`. */
export function statusPanel(data: LiveData): { html: SafeHtml; title: string; state: DepositState; key: string } {
  const { invoice, now } = data;
  const state = depositState(invoice, now);
  const outcome = describeOutcome(invoice, data.payments, data.paymentStatus);
  const step = stepOf(invoice);
  const steps = ['Waiting for payment', 'Detected', 'Confirmed', 'Credited'];
  const best = Math.max(0, ...data.payments.filter((p) => p.state !== 'gone').map((p) => p.confirmations));
  const credited = state === 'credited' || state === 'late_credited';
  const body = html`${step >= 0 ? html`<ol class="steps" aria-label="Progress">${steps.map((label, i) => html`<li${i < step || step === 3 ? html` class="done"` : ''}${i === step ? html` aria-current="step"` : ''}>${i < step || step === 3 ? html`<span class="sr-only">Done: </span>` : ''}${label}</li>`)}</ol>` : ''}
<div class="notice ${outcome.tone}" data-outcome>
<h2>${outcome.title}</h2>
${outcome.lines.map((line) => html`<p>${line}</p>`)}
${credited ? html`<p>Your ${creditCurrency(invoice)} balance is now <strong data-new-balance>${balanceText(data.balanceMinor, creditCurrency(invoice))}</strong>. <a href="/account">Back to the dashboard</a></p>` : ''}
</div>
${asksForPayment(state) ? payArea(data, state) : ''}
${state === 'detected' || state === 'late_pending' ? seenArea(data, best) : ''}
${credited ? receipt(data) : ''}`;
  return { html: body, title: outcome.title, state, key: [state, invoice.status, best, invoice.receivedUnits, invoice.creditedMinor, data.payments.length].join(':') };
}

function copyable(id: string, value: string, label: string, unit = ''): SafeHtml {
  const long = value.length > 60;
  return html`<span class="copyable"><span${long ? html` class="long-wrap"` : ''}><code class="value${long ? ' long' : ''}" id="${id}">${value}</code>${unit ? ` ${unit}` : ''}</span><button type="button" class="small secondary" data-copy="${id}" aria-label="Copy ${label}">Copy</button></span>`;
}

/** What the checkout says under a token's contract or mint when the rail says nothing: the ERC-20 wording. */
const DEFAULT_TOKEN: TokenPresentation = {
  term: 'token contract', warning: 'Send only {asset} from this contract, on this network. Other tokens are not credited.',
};

function tokenFacts(invoice: Invoice, method: MethodSpec | undefined): SafeHtml {
  if (!invoice.contractAddress) return html``;
  const token = method?.token ?? DEFAULT_TOKEN;
  const warning = token.warning.replaceAll('{asset}', invoice.asset).replaceAll('{network}', invoice.network);
  const term = token.term.charAt(0).toUpperCase() + token.term.slice(1);
  return html`<dt>${term}</dt><dd>${copyable('pay-contract', invoice.contractAddress, token.term)}<br><span class="muted" data-method-warning>${warning}</span></dd>`;
}

/** Lightning amounts read in sats (what lightning wallets show); others in the asset. */
function amountFact(invoice: Invoice, units: bigint, label: string): SafeHtml {
  if (isLightning(invoice) && invoice.unitScale >= 8) {
    const sats = units / 10n ** BigInt(invoice.unitScale - 8);
    return html`<dt>${label}</dt><dd>${copyable('pay-amount', sats.toString(), 'amount in sats', 'sats')} <span class="muted">(${cryptoText(units, invoice)})</span></dd>`;
  }
  return html`<dt>${label}</dt><dd>${copyable('pay-amount', cryptoNumber(units, invoice), 'amount', invoice.asset)}</dd>`;
}

/** Sandbox: the network is a test network, and nothing is to be sent on a mainnet. */
function sandboxNetworkWarning(invoice: Invoice): SafeHtml {
  const token = invoice.contractAddress !== null ? ` ${invoice.asset}` : '';
  return html`<div class="notice warning" data-sandbox-warning><p><strong>Sandbox — test network only.</strong> This deposit is on ${invoice.network}, a test network. Do not send${token} on a mainnet: real money sent there is not credited and cannot be recovered. Use "Simulate payment" below.</p></div>`;
}

function facts(invoice: Invoice, state: DepositState, sandbox: boolean, method: MethodSpec | undefined): SafeHtml {
  const evm = invoice.chainId !== null;
  const rest = state === 'partial' ? remainderUnits(invoice) : null;
  const lightning = isLightning(invoice);
  return html`<dl class="facts">
<dt>Pay with</dt><dd>${method?.label ?? invoice.methodId}</dd>
${rest !== null ? amountFact(invoice, rest, 'Still to pay')
    : invoice.priceUnits !== null ? amountFact(invoice, invoice.priceUnits, 'Amount')
      : html`<dt>Amount</dt><dd>Any amount of ${invoice.asset}</dd>`}
<dt>${invoice.address === invoice.lightningInvoice ? 'Invoice' : 'Address'}</dt><dd>${copyable('pay-address', invoice.address, invoice.address === invoice.lightningInvoice ? 'lightning invoice' : 'address')}</dd>
${invoice.lightningInvoice && invoice.address !== invoice.lightningInvoice && state === 'unpaid' ? html`<dt>Or over Lightning</dt><dd>${copyable('pay-lightning', invoice.lightningInvoice, 'lightning invoice')}</dd>` : ''}
${evm ? html`<dt>Network</dt><dd>${invoice.network} (chain id ${invoice.chainId})${sandbox ? ' — a test network' : ''}</dd>` : html`<dt>Network</dt><dd>${invoice.network}${sandbox ? ' — a test network' : ''}</dd>`}
${tokenFacts(invoice, method)}
${invoice.rate ? html`<dt>Rate</dt><dd>1 ${invoice.asset} = ${rateText(invoice.rate.value)} ${invoice.currency} (locked until expiry)</dd>` : ''}
${invoice.conversion ? html`<dt>Credited in</dt><dd data-conversion>${invoice.conversion.currency}, your balance's currency: 1 ${invoice.currency} = ${rateText(conversionRate(invoice.conversion))} ${invoice.conversion.currency} (1 ${invoice.asset} = ${rateText(invoice.conversion.creditRate)} ${invoice.conversion.currency}; locked, rounded down)</dd>` : ''}
${lightning ? '' : html`<dt>Confirmations</dt><dd>${invoice.confirmationsRequired}</dd>`}
</dl>`;
}

function countdown(invoice: Invoice, now: Date): SafeHtml {
  // Without JavaScript the time is said once; the script adds "in mm:ss" and replaces the sentence when it runs out.
  return html`<p class="expiry" data-expires="${invoice.expiresAt.toISOString()}" data-now="${now.getTime()}">Quote expires at ${timeText(invoice.expiresAt)}<span class="countdown-in" hidden>, in <span class="countdown"></span></span>.</p>`;
}

function payArea(data: LiveData, state: DepositState): SafeHtml {
  const { invoice, now } = data;
  const uri = payUriOf(invoice, now);
  if (uri === null || data.qrSvg === null) {
    // A partial payment on lightning: a BOLT11's amount cannot be changed.
    return html`<div class="notice warning" data-no-reprice><h3>The rest cannot be paid to this Lightning invoice</h3>
<p>A Lightning invoice is for a fixed amount and can be paid only once, so it cannot ask for the remainder. What arrived is credited at the locked rate when the quote expires (${timeText(invoice.expiresAt)}). To add more, <a href="/account/add-funds">start a new deposit</a>.</p></div>`;
  }
  return html`<div class="checkout" data-pay>
<div class="pay-now">
<div class="qr" role="img" aria-label="QR code of the payment link${state === 'partial' ? ' for the remaining amount' : ''}">${data.qrSvg}</div>
${walletLink(uri, data.method)}
</div>
<div>
${data.sandbox && (invoice.chainId !== null || invoice.contractAddress !== null) ? sandboxNetworkWarning(invoice) : ''}
${countdown(invoice, now)}
${facts(invoice, state, data.sandbox, data.method)}
</div>
</div>`;
}

function txLink(invoice: Invoice, txid: string, explorers: Readonly<Record<string, string>>): SafeHtml {
  const template = explorers[invoice.methodId];
  const code = html`<code class="value long">${txid}</code>`;
  return template ? html`<a href="${safeUrl(template.replace('{txid}', encodeURIComponent(txid)))}" rel="noreferrer">${code}</a>` : code;
}

function seenArea(data: LiveData, best: number): SafeHtml {
  const { invoice } = data;
  const required = invoice.confirmationsRequired;
  const live = data.payments.filter((p) => p.state !== 'gone');
  return html`<div class="seen" data-seen>
<p class="big">Payment seen — waiting for ${required} confirmation${required === 1 ? '' : 's'}: <strong data-confirmations>${Math.min(best, required)} of ${required}</strong>.</p>
<p class="muted">Nothing more to send. This page updates by itself.</p>
${live.length > 0 ? html`<p>${isLightning(invoice) ? 'Payment' : 'Transaction'}${live.length === 1 ? '' : 's'}: ${live.map((p) => html`${txLink(invoice, p.txid, data.explorers)} `)}</p>` : ''}
</div>`;
}

/** What the balance received; on a converted invoice, in the account's currency with the invoice amount beside it. */
function creditedText(data: LiveData): string {
  const { invoice } = data;
  const own = balanceText(invoice.creditedMinor, invoice.currency);
  if (invoice.conversion === null) return own;
  const balance = balanceCredited(invoice, data.payments);
  return `${balanceText(balance.amountMinor, balance.currency)} (${own} converted)`;
}

function receipt(data: LiveData): SafeHtml {
  const { invoice } = data;
  const paid = data.payments.filter((p) => p.state !== 'gone' && p.creditedMinor !== null && !p.reversed);
  const at = invoice.completedAt ?? paid.reduce<Date | null>((latest, p) => (latest === null || p.updatedAt > latest ? p.updatedAt : latest), null);
  const rates = [...new Set(paid.map((p) => (p.late || !invoice.rate ? p.rate : invoice.rate)).filter((r) => r !== null).map((r) => rateText(r.value)))];
  return html`<section class="receipt" id="receipt" aria-labelledby="receipt-heading">
<h2 id="receipt-heading" tabindex="-1">Receipt</h2>
<dl class="facts">
<dt>Credited</dt><dd data-receipt-credited>${creditedText(data)}</dd>
<dt>Received</dt><dd data-receipt-received>${cryptoText(invoice.receivedUnits, invoice)} <span class="muted">via ${data.method?.label ?? invoice.methodId}</span></dd>
${rates.length > 0 ? html`<dt>Rate</dt><dd>${rates.map((r, i) => html`${i > 0 ? ', ' : ''}1 ${invoice.asset} = ${r} ${invoice.currency}`)}</dd>` : ''}
<dt>${isLightning(invoice) ? 'Payment hash' : 'Transaction'}${paid.length === 1 ? '' : 's'}</dt><dd data-receipt-txids>${paid.map((p) => html`<span class="tx">${txLink(invoice, p.txid, data.explorers)}</span> `)}</dd>
${at ? html`<dt>Time</dt><dd>${timeText(at)}</dd>` : ''}
<dt>Deposit</dt><dd><code class="value">${invoice.id}</code></dd>
</dl>
</section>`;
}

function sandboxForm(data: CheckoutData): SafeHtml {
  const { invoice } = data;
  // After a partial payment the form offers what is still owed.
  const owed = depositState(invoice, data.now) === 'partial' ? remainderUnits(invoice) ?? invoice.priceUnits : invoice.priceUnits;
  const price = owed === null ? '' : cryptoNumber(owed, invoice);
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

/** "Open in wallet" for a payment URI of the invoice's own rail; nothing for a bare address (a rail without a URI scheme). */
function walletLink(uri: string, method: MethodSpec | undefined): SafeHtml {
  const href = safeUrl(uri, method?.uriScheme !== undefined ? [method.uriScheme] : []);
  return href === '#' ? html`` : html`<p class="wallet"><a class="button" href="${href}" data-wallet-link>Open in wallet</a></p>`;
}

export function checkoutBody(data: CheckoutData): SafeHtml {
  const { invoice } = data;
  const panel = statusPanel(data);
  const title = invoice.amountMinor === null ? `Add ${invoice.currency} — any amount` : `Add ${balanceText(invoice.amountMinor, invoice.currency)}`;
  return html`<h1>${title}</h1>
<p class="signed-out notice error" role="alert" hidden data-signed-out>You were signed out, so this page stopped updating. <a href="/signin?next=/account/deposits/${invoice.id}">Sign in again</a> to see this deposit's status.</p>
<section id="status" data-status="${invoice.status}" data-state="${panel.state}" data-key="${panel.key}" data-final="${isFinalForPage(invoice, data.now) ? 'true' : 'false'}" data-status-url="/account/deposits/${invoice.id}/status">
${panel.html}
</section>
${data.sandbox && asksForPayment(panel.state) ? sandboxForm(data) : ''}
<p class="muted">Deposit ${invoice.id} · created ${timeText(invoice.createdAt)}</p>`;
}
