// The Bitrefill-compatible customer API under /v2.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CurrencyScale } from '../core/assets.ts';
import { CofferError } from '../core/errors.ts';
import type { Invoice } from '../core/invoice.ts';
import { Limits } from '../core/limits.ts';
import { createDeposit } from '../usecases/create-deposit.ts';
import { accountBalanceView, getInvoice, listInvoices, listTransactions, presentOptions } from '../usecases/read-account.ts';
import { sandboxPay } from '../usecases/sandbox-pay.ts';
import type { SandboxPayResult } from '../usecases/sandbox-pay.ts';
import type { AppContext } from './app.ts';
import { ok } from './envelope.ts';
import { authenticated, idempotent } from './guards.ts';
import { money, presentInvoice, presentTransfer } from '../core/wire-format.ts';
import { decimalField, principalOf } from './request-context.ts';
import * as S from './schemas.ts';
import { buildOpenApi } from './openapi.ts';

interface PageQuery { start: number; limit: number; after?: string; before?: string }

function parseTime(text: string | undefined, field: string): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(`${text.replace(' ', 'T')}Z`);
  if (Number.isNaN(date.getTime())) throw new CofferError('invalid_param', `${field} must be a valid time as YYYY-MM-DD HH:MM:SS (UTC)`, { field });
  return date;
}

/** meta._next: the absolute URL of the next page, present only when this page was full. */
function nextUrl(request: FastifyRequest, query: PageQuery, returned: number): string | undefined {
  if (returned < query.limit || query.start + query.limit > Limits.pageStartMax) return undefined;
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  url.searchParams.set('start', String(query.start + query.limit));
  url.searchParams.set('limit', String(query.limit));
  return url.toString();
}

/** The store's page for this account from the validated query, and the meta Bitrefill clients page with. */
function page(request: FastifyRequest, accountId: string) {
  const query = request.query as PageQuery;
  return {
    filter: { accountId, start: query.start, limit: query.limit, after: parseTime(query.after, 'after'), before: parseTime(query.before, 'before') },
    meta: (returned: number) => {
      const next = nextUrl(request, query, returned);
      return { start: query.start, limit: query.limit, ...(next ? { _next: next } : {}) };
    },
  };
}

export async function v2Routes(app: FastifyInstance, context: AppContext): Promise<void> {
  const { deps } = context;
  const present = (invoice: Invoice, payments: Parameters<typeof presentInvoice>[1]) =>
    presentInvoice(invoice, payments, presentOptions(deps));
  const auth = authenticated(context);

  app.get('/ping', { schema: { response: { 200: { type: 'object' } } } }, async (request) => ({ ...ok(request, { message: 'pong' }), message: 'pong' }));
  app.get('/openapi.json', async () => buildOpenApi(context.routes));

  app.get('/accounts/balance', { onRequest: auth, schema: { response: { 200: S.envelope(S.balanceSchema) } } }, async (request) => {
    const { account } = principalOf(request);
    const { balances, pending } = await accountBalanceView(deps.store, account);
    const first = balances[0]!;
    return ok(request, {
      balance: money(first.balanceMinor, CurrencyScale[first.currency]), currency: first.currency,
      balances: balances.map((b) => ({
        currency: b.currency, balance: money(b.balanceMinor, CurrencyScale[b.currency]),
        pending: money(pending.get(b.currency) ?? 0n, CurrencyScale[b.currency]),
      })),
    });
  });

  app.post('/accounts/deposit', { onRequest: auth, schema: { body: S.depositBody, response: { 200: S.envelope(S.invoiceSchema) } } }, async (request, reply) => {
    const { account, credential } = principalOf(request);
    if (account.type !== 'business') {
      throw new CofferError('business_account_required', 'Deposits through the API are for business accounts; personal accounts add funds on the Coffer website');
    }
    const body = request.body as Record<string, unknown>;
    const input = {
      currency: String(body['currency']), paymentMethod: String(body['payment_method']),
      amount: decimalField(request, body, 'amount'),
      webhookUrl: typeof body['webhook_url'] === 'string' ? parseWebhookUrl(body['webhook_url']) : undefined,
    };
    return idempotent<Invoice>(context, `cred:${credential.id}`, request, reply, {
      run: (record) => createDeposit(deps, account, input, record),
      render: (invoice) => ({ status: 200, body: ok(request, present(invoice, []), { id: invoice.id }) }),
    });
  });

  app.get('/invoices', { onRequest: auth, schema: { querystring: S.pageQuery, response: { 200: S.envelope({ type: 'array', items: S.invoiceSchema }) } } }, async (request) => {
    const { filter, meta } = page(request, principalOf(request).account.id);
    const views = await listInvoices(deps.store, filter);
    return ok(request, views.map((v) => present(v.invoice, v.payments)), meta(views.length));
  });

  app.get('/invoices/:id', { onRequest: auth, schema: { params: S.idParams, response: { 200: S.envelope(S.invoiceSchema) } } }, async (request) => {
    const { account } = principalOf(request);
    const { id } = request.params as { id: string };
    const view = await getInvoice(deps.store, account, id);
    if (!view) throw new CofferError('not_found', 'No invoice with that id');
    return ok(request, present(view.invoice, view.payments), { id });
  });

  app.get('/accounts/transactions', { onRequest: auth, schema: { querystring: S.pageQuery, response: { 200: S.envelope({ type: 'array', items: S.transactionSchema }) } } }, async (request) => {
    const { filter, meta } = page(request, principalOf(request).account.id);
    const transfers = await listTransactions(deps.store, filter);
    return ok(request, transfers.map(presentTransfer), meta(transfers.length));
  });

  if (deps.settings.sandbox) {
    app.post('/sandbox/invoices/:id/pay', { onRequest: auth, schema: { params: S.idParams, body: S.sandboxPayBody, response: { 200: S.envelope(S.invoiceSchema) } } }, async (request, reply) => {
      const { account, credential } = principalOf(request);
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as Record<string, unknown>;
      const input = {
        amount: decimalField(request, body, 'amount'),
        confirmations: typeof body['confirmations'] === 'number' ? body['confirmations'] : undefined,
        txid: typeof body['txid'] === 'string' ? body['txid'] : undefined,
        gone: body['gone'] === true,
        method: typeof body['method'] === 'string' ? body['method'] : undefined,
      };
      return idempotent<SandboxPayResult>(context, `cred:${credential.id}`, request, reply, {
        // The key seeds the payment's txid: a retry can only ever find the same payment.
        run: (record, key) => sandboxPay(deps, account, id, { ...input, seed: key }, record),
        render: (result) => ({ status: 200, body: ok(request, present(result.invoice, result.payments), { id, txid: result.txid }) }),
      });
    });
  }
}

function parseWebhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CofferError('invalid_param', 'webhook_url must be an absolute http(s) URL', { field: 'webhook_url' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CofferError('invalid_param', 'webhook_url must be an http(s) URL', { field: 'webhook_url' });
  return url.toString();
}
