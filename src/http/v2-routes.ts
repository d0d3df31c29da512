// The Bitrefill-compatible customer API under /v2.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { Type } from 'typebox';
import { CurrencyScale } from '../core/assets.ts';
import { CofferError } from '../core/errors.ts';
import type { Invoice } from '../core/invoice.ts';
import { Limits } from '../core/limits.ts';
import type { SandboxPayResult } from '../usecases/sandbox-pay.ts';
import type { AppContext } from './app.ts';
import { ok } from './envelope.ts';
import { authenticated, idempotent } from './guards.ts';
import { money, presentInvoice, presentTransfer } from '../core/wire-format.ts';
import { DEFAULT_PUBLIC_URL } from './envelope.ts';
import { principalOf } from './request-context.ts';
import * as S from './schemas.ts';
import { buildOpenApi } from './openapi.ts';

type PageQuery = Static<typeof S.pageQuery>;

/** The authenticated account's website login email, for the invoice's `user`. */
function userOf(request: FastifyRequest): string | null {
  return principalOf(request).email ?? null;
}

function parseTime(text: string | undefined, field: string): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(`${text.replace(' ', 'T')}Z`);
  if (Number.isNaN(date.getTime())) throw new CofferError('invalid_param', `${field} must be a valid time as YYYY-MM-DD HH:MM:SS (UTC)`, { field });
  return date;
}

/**
 * meta._next: the absolute URL of the next page, from the configured public base URL (never the
 * Host header) and the validated query; present only when a row follows this page.
 */
function nextUrl(publicUrl: string, path: string, query: PageQuery, more: boolean): string | undefined {
  if (!more || query.start + query.limit > Limits.pageStartMax) return undefined;
  const params = new URLSearchParams();
  params.set('start', String(query.start + query.limit));
  params.set('limit', String(query.limit));
  if (query.after !== undefined) params.set('after', query.after);
  if (query.before !== undefined) params.set('before', query.before);
  return `${publicUrl}${path}?${params.toString()}`;
}

/**
 * The store's page for this account from the validated query (one row more than the limit, so a
 * full last page is known to be the last), and the rows and meta Bitrefill clients page with.
 */
function page(request: FastifyRequest, query: PageQuery, accountId: string, publicUrl: string) {
  return {
    filter: { accountId, start: query.start, limit: query.limit + 1, after: parseTime(query.after, 'after'), before: parseTime(query.before, 'before') },
    rows: <T>(fetched: readonly T[]): T[] => fetched.slice(0, query.limit),
    meta: (fetched: number) => {
      const next = nextUrl(publicUrl, request.routeOptions.url ?? '/v2', query, fetched > query.limit);
      return { start: query.start, limit: query.limit, ...(next ? { _next: next } : {}) };
    },
  };
}

export async function v2Routes(plain: FastifyInstance, context: AppContext): Promise<void> {
  // Fastify's TypeBox type provider: each route's schema types its request parts and its reply.
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { useCases } = context;
  const present = (invoice: Invoice, payments: Parameters<typeof presentInvoice>[1], userEmail: string | null) =>
    presentInvoice(invoice, payments, { ...useCases.presentOptions(), userEmail });
  const auth = authenticated(context);
  const publicUrl = context.options.publicUrl ?? DEFAULT_PUBLIC_URL;

  app.get('/ping', { schema: { security: [], response: { 200: S.pingResponse } } }, async (request) => ({ ...ok(request, { message: 'pong' }), message: 'pong' }));
  app.get('/openapi.json', { schema: { security: [], response: { 200: Type.Object({}, { additionalProperties: true, description: 'This OpenAPI 3.1 document.' }) } } }, async () => buildOpenApi(context.routes));

  app.get('/accounts/balance', { onRequest: auth, schema: { response: { 200: S.envelope(S.balanceSchema) } } }, async (request) => {
    const { account } = principalOf(request);
    const { balances, pending } = await useCases.accountBalanceView(account);
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
    const { body } = request;
    const input = {
      currency: body.currency, paymentMethod: body.payment_method, amount: body.amount,
      webhookUrl: body.webhook_url === undefined ? undefined : parseWebhookUrl(body.webhook_url),
    };
    return idempotent<Invoice>(context, `cred:${credential.id}`, request, reply, {
      run: (record) => useCases.createDeposit(account, input, record),
      render: (invoice) => ({ status: 200, body: ok(request, present(invoice, [], userOf(request)), { id: invoice.id }) }),
    });
  });

  app.get('/invoices', { onRequest: auth, schema: { querystring: S.pageQuery, response: { 200: S.envelope(Type.Array(S.invoiceSchema)) } } }, async (request) => {
    const { account } = principalOf(request);
    const { filter, rows, meta } = page(request, request.query, account.id, publicUrl);
    const views = await useCases.listInvoices(filter);
    return ok(request, rows(views).map((v) => present(v.invoice, v.payments, userOf(request))), meta(views.length));
  });

  app.get('/invoices/:id', { onRequest: auth, schema: { params: S.idParams, response: { 200: S.envelope(S.invoiceSchema) } } }, async (request) => {
    const { account } = principalOf(request);
    const { id } = request.params;
    const view = await useCases.getInvoice(account, id);
    if (!view) throw new CofferError('not_found', 'No invoice with that id');
    return ok(request, present(view.invoice, view.payments, userOf(request)), { id });
  });

  app.get('/accounts/transactions', { onRequest: auth, schema: { querystring: S.pageQuery, response: { 200: S.envelope(Type.Array(S.transactionSchema)) } } }, async (request) => {
    const { filter, rows, meta } = page(request, request.query, principalOf(request).account.id, publicUrl);
    const transfers = await useCases.listTransactions(filter);
    return ok(request, rows(transfers).map(presentTransfer), meta(transfers.length));
  });

  if (useCases.settings.sandbox) {
    app.post('/sandbox/invoices/:id/pay', { onRequest: auth, schema: { params: S.idParams, body: S.sandboxPayBody, response: { 200: S.envelope(S.invoiceSchema) } } }, async (request, reply) => {
      const { account, credential } = principalOf(request);
      const { id } = request.params;
      const { amount, confirmations, txid, gone, method } = request.body;
      const input = { amount, confirmations, txid, gone: gone === true, method };
      return idempotent<SandboxPayResult>(context, `cred:${credential.id}`, request, reply, {
        // The key seeds the payment's txid: a retry can only ever find the same payment.
        run: (record, key) => useCases.sandboxPay(account, id, { ...input, seed: key }, record),
        render: (result) => ({ status: 200, body: ok(request, present(result.invoice, result.payments, userOf(request)), { id, txid: result.txid }) }),
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
