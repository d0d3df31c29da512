// The console's actions. Each runs through the same use case as the admin API (with the
// signed-in operator as the audited actor) and through the website's form idempotency
// (web-idempotency.ts formOnce → usecases/idempotency.ts runOnce): the rendered form carries a
// key, so submitting it twice (a double click, a resubmit) does the work once and shows the
// first outcome. Destructive actions first show a confirmation page that says exactly what will
// happen; only its "Yes" button (confirm=yes, same key) runs them. Errors re-render the form
// with what was typed. A read-only operator gets a 404 for every action.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CurrencyScale, isBalanceCurrency } from '../../core/assets.ts';
import type { Account } from '../../core/account.ts';
import { CofferError, isCofferError } from '../../core/errors.ts';
import { formatDecimal, parseDecimal } from '../../core/money.ts';
import type { ChargeResult } from '../../usecases/admin-accounts.ts';
import { parseRate } from '../../usecases/admin-holds.ts';
import type { HoldResolution, ResolvedHold } from '../../usecases/admin-holds.ts';
import type { RedeliverResult, WebhookEndpoint } from '../../usecases/admin-webhooks.ts';
import type { RecordResponse } from '../../usecases/idempotency.ts';
import { operatorActor } from '../../usecases/operators.ts';
import type { IssuedCredential } from '../../usecases/manage-accounts.ts';
import { balanceText } from '../format.ts';
import { csrfField, field } from '../forms.ts';
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import { formOnce } from '../web-idempotency.ts';
import { accountBody, endpointBody, holdsBody, notice } from './console-pages.ts';
import type { FormState } from './console-pages.ts';
import type { ConsoleRuntime } from './console-runtime.ts';
import { IdParams } from '../web-schemas.ts';
import { CONSOLE_PREFIX } from './console-runtime.ts';

const P = CONSOLE_PREFIX;

function formValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body === null || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (typeof v === 'string' && k !== '_csrf') out[k] = v;
  return out;
}

/** A user-facing error as field errors; anything else (a 5xx) goes to the error handler. */
function userError(error: unknown): CofferError {
  if (isCofferError(error) && error.status < 500) return error;
  throw error;
}

interface ConfirmSpec {
  readonly title: string;
  readonly what: SafeHtml;
  readonly verb: string;
  readonly cancel: string;
}

/** The confirmation page: the same fields (and idempotency key) again, with confirm=yes. */
function confirmPage(console: ConsoleRuntime, request: FastifyRequest, reply: FastifyReply, spec: ConfirmSpec): FastifyReply {
  const values = formValues(request.body);
  const body = html`<div class="narrow"><h1>${spec.title}</h1>
<div class="confirm" role="alert">${spec.what}</div>
<form method="post" action="${request.url}">${csrfField(request.consoleCsrfToken ?? '')}
${Object.entries(values).filter(([k]) => k !== 'confirm').map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<input type="hidden" name="confirm" value="yes">
<p><button type="submit" class="danger">${spec.verb}</button> <a href="${spec.cancel}">Cancel, change nothing</a></p></form></div>`;
  return console.send(request, reply, 200, spec.title, body);
}

const confirmed = (request: FastifyRequest) => field(request.body, 'confirm') === 'yes';

/** What every action handler uses: the runtime, the path id, the acting operator (role checked) and the idempotent form run. */
interface ActionKit {
  readonly console: ConsoleRuntime;
  readonly useCases: ConsoleRuntime['useCases'];
  actor(request: FastifyRequest): ReturnType<typeof operatorActor>;
  once<T, V>(request: FastifyRequest, run: (record: RecordResponse<T> | undefined) => Promise<T>, view: (r: T) => V): Promise<V>;
}

export function consoleActionRoutes(app: FastifyInstance, console: ConsoleRuntime): void {
  const kit: ActionKit = {
    console, useCases: console.useCases,
    actor: (request) => operatorActor(console.requireOperatorRole(request).operator),
    once: (request, run, view) => formOnce(console, request, `console:${console.operator(request).operator.id}`, run, view),
  };
  holdActions(app, kit);
  accountActions(app, kit);
  chargeActions(app, kit);
  webhookActions(app, kit);
}

const unpack = (kit: ActionKit) => ({ console: kit.console, useCases: kit.useCases, actor: kit.actor, once: kit.once.bind(kit) });

function holdActions(plain: FastifyInstance, kit: ActionKit): void {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { console, useCases, actor, once } = unpack(kit);
  const holdsAgain = async (request: FastifyRequest, reply: FastifyReply, status: number, state?: FormState, banner?: SafeHtml) =>
    console.send(request, reply, status, 'Holds', holdsBody(console, request, await useCases.listHolds(), state, banner), 'holds');

  app.post('/holds/:id/resolve', { schema: { params: IdParams } }, async (request, reply) => {
    const who = actor(request);
    const paymentId = request.params.id;
    const values = formValues(request.body);
    const input: HoldResolution = values['action'] === 'refunded_outside'
      ? { action: 'refunded_outside', note: values['note'] ?? '' }
      : { action: 'credit', rate: values['rate'] ?? '', rateSource: values['rate_source'] ?? '', note: values['note'] ?? '' };
    try {
      const { payment, invoice } = await useCases.heldPayment(paymentId);
      if (!confirmed(request)) {
        if (input.note.trim() === '') throw new CofferError('missing_param', 'Enter a note saying what was done and why', { field: 'note' });
        if (input.action === 'refunded_outside') {
          return confirmPage(console, request, reply, { title: 'Record a refund outside Coffer', verb: 'Yes, record it as refunded', cancel: `${P}/holds`,
            what: html`<p>Payment <code>${payment.id}</code> of invoice <code>${invoice.id}</code> will be marked <strong>refunded outside Coffer</strong> with your note. Nothing is credited to account <code>${invoice.accountId}</code>; the payment leaves settlement for good and the invoice is settled again without it. This is written to the audit log and cannot be undone.</p>` });
        }
        if (input.rateSource.trim() === '') throw new CofferError('missing_param', 'Enter where the rate comes from (source and time)', { field: 'rate_source' });
        const credit = useCases.creditPreview(invoice, payment, parseRate(input.rate));
        return confirmPage(console, request, reply, { title: 'Credit a held payment', verb: `Yes, credit ${balanceText(credit, invoice.currency)}`, cancel: `${P}/holds`,
          what: html`<p>Account <code>${invoice.accountId}</code> will be credited <strong id="confirm-amount">${balanceText(credit, invoice.currency)}</strong> for payment <code>${payment.id}</code> (invoice <code>${invoice.id}</code>), at ${input.rate} ${invoice.currency} per unit (${input.rateSource}). The ledger posts the receive and credit transfers and a <code>balance.credited</code> event is sent. This is written to the audit log and can only be reversed by a charge.</p>` });
      }
      const view = await once<ResolvedHold, { text: string }>(request, (record) => useCases.resolveHold(who, paymentId, input, record), (r) => ({
        text: r.action === 'credit' ? `Credited ${balanceText(r.creditedMinor ?? 0n, r.currency)} to the account; the invoice is now ${r.invoiceStatus}.` : `Recorded as refunded outside Coffer; the invoice is now ${r.invoiceStatus}.`,
      }));
      return holdsAgain(request, reply, 200, undefined, notice('success', html`<span id="resolved">Hold of payment ${paymentId} resolved. ${view.text}</span>`));
    } catch (error) {
      const e = userError(error);
      if (e.code === 'conflict' || e.code === 'not_found') return holdsAgain(request, reply, e.status, undefined, notice('error', html`<span id="resolve-error">${e.message}. Nothing was changed.</span>`));
      return holdsAgain(request, reply, e.status, { form: `hold-${paymentId}`, values, errors: { [e.details['field'] ?? 'note']: e.message } });
    }
  });

}

function accountActions(plain: FastifyInstance, kit: ActionKit): void {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { console, useCases, actor, once } = unpack(kit);
  const accountAgain = accountAgainOf(kit);

  app.post('/accounts/:id/status', { schema: { params: IdParams } }, async (request, reply) => {
    const who = actor(request);
    const id = request.params.id;
    const status = field(request.body, 'status') === 'active' ? 'active' : 'frozen';
    const account = await useCases.findAccount(id);
    if (!confirmed(request)) {
      return confirmPage(console, request, reply, status === 'frozen'
        ? { title: 'Freeze an account', verb: 'Yes, freeze the account', cancel: `${P}/accounts/${id}`,
          what: html`<p>Account <code>${id}</code>${account.label ? ` (${account.label})` : ''} will be <strong>frozen</strong>: charges against its balance are refused until it is unfrozen. Its balance stays as it is; deposits already paid are still credited.</p>` }
        : { title: 'Unfreeze an account', verb: 'Yes, unfreeze the account', cancel: `${P}/accounts/${id}`,
          what: html`<p>Account <code>${id}</code> will be <strong>active</strong> again: charges against its balance are accepted.</p>` });
    }
    await once<Account, { status: string }>(request, (record) => useCases.adminSetAccountStatus(who, id, status, record), (a) => ({ status: a.status }));
    console.context.auth.clear();
    return accountAgain(request, reply, id, 200, undefined, notice('success', html`<span id="status-changed">Account ${status === 'frozen' ? 'frozen' : 'unfrozen'}.</span>`));
  });

  app.post('/accounts/:id/credentials', { schema: { params: IdParams } }, async (request, reply) => {
    const who = actor(request);
    const id = request.params.id;
    const label = field(request.body, 'label').trim();
    let fresh: IssuedCredential | null = null;
    try {
      // The secret is shown once, from this request; the stored replay keeps only the id.
      const view = await once<IssuedCredential, { id: string }>(request, async (record) => (fresh = await useCases.adminIssueCredential(who, id, label === '' ? null : label, record)), (c) => ({ id: c.credential.id }));
      const issued = fresh as IssuedCredential | null;
      const secret = issued ? html`<div class="secret" role="alert"><p><strong>Shown once.</strong> Hand this to the account holder now; Coffer keeps only its hash.</p>
${issued.apiKey ? html`<p>API key: <code class="value" id="new-secret">${issued.apiKey}</code></p>` : html`<p>API id: <code class="value">${issued.apiId ?? ''}</code><br>API secret: <code class="value" id="new-secret">${issued.apiSecret ?? ''}</code></p>`}</div>`
        : notice('warning', `This form already created credential ${view.id}; its secret was shown then and cannot be shown again.`);
      return accountAgain(request, reply, id, 201, undefined, secret);
    } catch (error) {
      const e = userError(error);
      return accountAgain(request, reply, id, e.status, { form: 'credential', values: { label }, errors: { label: e.message } });
    }
  });

  app.post('/credentials/:id/revoke', { schema: { params: IdParams } }, async (request, reply) => {
    const who = actor(request);
    const credentialId = request.params.id;
    const account = await useCases.credentialAccount(credentialId);
    if (!confirmed(request)) {
      return confirmPage(console, request, reply, { title: 'Revoke a credential', verb: 'Yes, revoke it', cancel: `${P}/accounts/${account}`,
        what: html`<p>Credential <code>${credentialId}</code> of account <code>${account}</code> will be <strong>revoked</strong>: every API request made with it is refused from now on. This cannot be undone; create a new credential instead.</p>` });
    }
    await once<string, { id: string }>(request, async (record) => { await useCases.adminRevokeCredential(who, credentialId, account, record); return credentialId; }, (c) => ({ id: c }));
    console.context.auth.clear();
    return accountAgain(request, reply, account, 200, undefined, notice('success', `Credential ${credentialId} revoked.`));
  });

}

const accountAgainOf = (kit: ActionKit) => async (request: FastifyRequest, reply: FastifyReply, id: string, status: number, state?: FormState, banner?: SafeHtml) =>
  kit.console.send(request, reply, status, 'Account', accountBody(kit.console, request, await kit.useCases.accountDetail(id), state, banner), 'accounts');

function chargeActions(plain: FastifyInstance, kit: ActionKit): void {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { console, useCases, actor, once } = unpack(kit);
  const accountAgain = accountAgainOf(kit);

  app.post('/accounts/:id/charges', { schema: { params: IdParams } }, async (request, reply) => {
    const who = actor(request);
    const id = request.params.id;
    const values = formValues(request.body);
    try {
      const currency = (values['currency'] ?? '').trim().toUpperCase();
      if (!isBalanceCurrency(currency)) throw new CofferError('invalid_param', 'Use USD, EUR or BTC', { field: 'currency' });
      const amountMinor = parseDecimal((values['amount'] ?? '').trim(), CurrencyScale[currency], 'amount');
      if (amountMinor <= 0n) throw new CofferError('invalid_param', 'Enter an amount greater than zero', { field: 'amount' });
      const key = values['idempotency_key'] ?? '';
      if (key === '') throw new CofferError('invalid_param', 'Reload the page: the form has no idempotency key', { field: 'amount' });
      if (!confirmed(request)) {
        return confirmPage(console, request, reply, { title: 'Charge an account', verb: `Yes, charge ${balanceText(amountMinor, currency)}`, cancel: `${P}/accounts/${id}`,
          what: html`<p>Account <code>${id}</code> will be charged <strong>${balanceText(amountMinor, currency)}</strong>${values['description'] ? ` for "${values['description']}"` : ''}. The balance goes down by that much (a charge never takes it below zero); it can be refunded later.</p>` });
      }
      const input = { accountId: id, amount: formatDecimal(amountMinor, CurrencyScale[currency]), currency, idempotencyKey: `console:${key}`, description: values['description'] || undefined };
      const view = await once<ChargeResult, { id: string; balance: string }>(request, (record) => useCases.adminCharge(who, input, record), (r) => ({ id: r.charge.id, balance: balanceText(r.balanceMinor, r.charge.currency) }));
      return accountAgain(request, reply, id, 200, undefined, notice('success', `Charge ${view.id} made; the ${currency} balance is now ${view.balance}.`));
    } catch (error) {
      const e = userError(error);
      return accountAgain(request, reply, id, e.status, { form: 'charge', values, errors: { [e.details['field'] ?? 'amount']: e.message } });
    }
  });

  app.post('/charges/:id/refunds', { schema: { params: IdParams } }, async (request, reply) => {
    const who = actor(request);
    const chargeId = request.params.id;
    const values = formValues(request.body);
    const accountId = values['account_id'] ?? '';
    try {
      const charge = await useCases.findCharge(chargeId);
      const amountMinor = parseDecimal((values['amount'] ?? '').trim(), CurrencyScale[charge.currency], 'amount');
      if (!confirmed(request)) {
        return confirmPage(console, request, reply, { title: 'Refund a charge', verb: `Yes, refund ${balanceText(amountMinor, charge.currency)}`, cancel: `${P}/accounts/${charge.accountId}`,
          what: html`<p><strong>${balanceText(amountMinor, charge.currency)}</strong> of charge <code>${chargeId}</code> goes back to the balance of account <code>${charge.accountId}</code>.</p>` });
      }
      const input = { chargeId, amount: formatDecimal(amountMinor, CurrencyScale[charge.currency]), idempotencyKey: `console:${values['idempotency_key'] ?? ''}` };
      const view = await once<ChargeResult, { balance: string }>(request, (record) => useCases.adminRefund(who, input, record), (r) => ({ balance: balanceText(r.balanceMinor, r.charge.currency) }));
      return accountAgain(request, reply, charge.accountId, 200, undefined, notice('success', `Refunded; the balance is now ${view.balance}.`));
    } catch (error) {
      const e = userError(error);
      if (accountId === '') throw e;
      return accountAgain(request, reply, accountId, e.status, undefined, notice('error', e.message));
    }
  });

}

function webhookActions(plain: FastifyInstance, kit: ActionKit): void {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { console, useCases, actor, once } = unpack(kit);
  const endpointAgain = async (request: FastifyRequest, reply: FastifyReply, id: string, status: number, banner?: SafeHtml, state?: FormState) =>
    console.send(request, reply, status, 'Webhook endpoint', await endpointBody(console, request, id, banner, state), 'webhooks');

  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    app.post(`/webhooks/:id/${action}`, { schema: { params: IdParams } }, async (request, reply) => {
      const who = actor(request);
      const id = request.params.id;
      const endpoint = await useCases.webhookEndpoint(id);
      if (paused && !confirmed(request)) {
        return confirmPage(console, request, reply, { title: 'Pause a webhook endpoint', verb: 'Yes, pause sending', cancel: `${P}/webhooks/${id}`,
          what: html`<p>Nothing more is sent to <code>${endpoint.url}</code> until you resume it. Events keep queueing for it, in order; they are sent when it is resumed (those older than the retry limit fail then).</p>` });
      }
      await once<WebhookEndpoint, { status: string }>(request, (record) => useCases.setEndpointPaused(who, id, paused, record), (e) => ({ status: e.status }));
      return endpointAgain(request, reply, id, 200, notice('success', paused ? 'Sending paused.' : 'Sending resumed.'));
    });
  }

  app.post('/webhooks/:id/redeliver', { schema: { params: IdParams } }, async (request, reply) => {
    const who = actor(request);
    const id = request.params.id;
    const eventId = field(request.body, 'event_id');
    try {
      const view = await once<RedeliverResult, { created: number }>(request, (record) => useCases.adminRedeliver(who, { eventIds: [eventId], endpointId: id }, console.settings.redeliveryMaxAgeMs, record), (r) => ({ created: r.created }));
      return endpointAgain(request, reply, id, 202, notice('success', html`<span id="redelivered">Event ${eventId} queued again (${view.created} delivery).</span>`));
    } catch (error) {
      return endpointAgain(request, reply, id, userError(error).status, notice('error', (error as Error).message));
    }
  });

  app.post('/webhooks/:id/redeliver-range', { schema: { params: IdParams } }, async (request, reply) => {
    const who = actor(request);
    const id = request.params.id;
    const values = formValues(request.body);
    try {
      const [from, to] = ['from_seq', 'to_seq'].map((name) => {
        const text = (values[name] ?? '').trim();
        if (!/^\d{1,15}$/.test(text)) throw new CofferError('invalid_param', 'Enter a whole number', { field: name });
        return Number(text);
      }) as [number, number];
      if (to < from) throw new CofferError('invalid_param', 'The end must not be before the start', { field: 'to_seq' });
      const endpoint = await useCases.webhookEndpoint(id);
      if (!confirmed(request)) {
        return confirmPage(console, request, reply, { title: 'Redeliver a range of events', verb: `Yes, redeliver ${to - from + 1} positions`, cancel: `${P}/webhooks/${id}`,
          what: html`<p>Every event at outbox positions ${from} to ${to} that <code>${endpoint.url}</code> subscribes to is queued again, at the end of its lane. Receivers see repeats with the same event ids.</p>` });
      }
      const view = await once<RedeliverResult, { created: number }>(request, (record) => useCases.adminRedeliver(who, { fromSeq: from, toSeq: to, endpointId: id }, console.settings.redeliveryMaxAgeMs, record), (r) => ({ created: r.created }));
      return endpointAgain(request, reply, id, 202, notice('success', `${view.created} deliveries queued.`));
    } catch (error) {
      const e = userError(error);
      return endpointAgain(request, reply, id, e.status, undefined, { form: 'range', values, errors: { [e.details['field'] ?? 'from_seq']: e.message } });
    }
  });
}
