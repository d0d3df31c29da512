// The operator API under /admin (Bearer admin token from config; disabled when none is set):
// accounts and credentials, charges and refunds, ledger verification.

import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import type { Account } from '../core/account.ts';
import { CurrencyScale } from '../core/assets.ts';
import { CofferError } from '../core/errors.ts';
import type { ChargeResult } from '../usecases/charge-account.ts';
import type { CreatedAccount, IssuedCredential } from '../usecases/manage-accounts.ts';
import { parseInvoiceSearch } from '../usecases/admin-invoices.ts';
import { reasonText } from '../usecases/admin-holds.ts';
import type { ResolvedHold } from '../usecases/admin-holds.ts';
import { Readable } from 'node:stream';
import { formatDecimal } from '../core/money.ts';
import { ADMIN_TOKEN_ACTOR } from '../usecases/operator-audit.ts';
import type { AppContext } from './app.ts';
import { ok } from './envelope.ts';
import { idempotencyKeyOf, idempotent } from './guards.ts';
import { money, presentInvoice } from '../core/wire-format.ts';
import * as S from './schemas.ts';
import * as A from './admin-schemas.ts';
import { webhookRoutes } from './webhook-routes.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

function adminGuard(context: AppContext) {
  const expected = context.options.adminToken === null ? null : digest(context.options.adminToken);
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (expected === null) throw new CofferError('not_found', 'The admin API is disabled: set COFFER_ADMIN_TOKEN to enable it');
    const header = request.headers.authorization ?? '';
    const token = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
    if (!token || !timingSafeEqual(digest(token), expected)) throw new CofferError('unauthorized', 'A valid admin token is required');
  };
}

export function presentAccount(account: Account): Static<typeof A.AdminAccountWire> {
  return { id: account.id, type: account.type, currency: account.currency, status: account.status, label: account.label ?? undefined, created_time: account.createdAt.toISOString() };
}

export function presentIssued(issued: IssuedCredential): Static<typeof A.IssuedCredentialWire> {
  return {
    credential_id: issued.credential.id, kind: issued.credential.kind,
    api_id: issued.apiId, api_secret: issued.apiSecret, api_key: issued.apiKey,
  };
}

function presentCharge(result: ChargeResult): Static<typeof A.ChargeWire> {
  const scale = CurrencyScale[result.charge.currency];
  return {
    id: result.charge.id, account_id: result.charge.accountId, currency: result.charge.currency,
    amount: money(result.charge.amountMinor, scale), refunded_amount: money(result.charge.refundedMinor, scale),
    description: result.charge.description ?? undefined, created_time: result.charge.createdAt.toISOString(),
    balance: money(result.balanceMinor, scale),
  };
}

/**
 * Every /admin route answering JSON declares its responses (admin-schemas.ts, webhook-routes.ts),
 * checked as each route is registered, so a new route cannot leave the typed contract and the
 * SDK's generated types. The ledger CSV (text/csv, streamed) is the one exception.
 */
function requireResponseSchema(route: RouteOptions): void {
  if (route.schema?.response === undefined && !route.url.endsWith('.csv')) {
    throw new Error(`${String(route.method)} ${route.url}: an /admin JSON route needs schema.response (see admin-schemas.ts)`);
  }
}

/** The response schemas of one admin route (admin-schemas.ts), for its `schema.response`. */
const R = A.adminResponseSchemas;

export async function adminRoutes(plain: FastifyInstance, context: AppContext): Promise<void> {
  // Fastify's TypeBox type provider: each route's schema types its request parts and its reply.
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { useCases } = context;
  app.addHook('onRequest', adminGuard(context));
  app.addHook('onRoute', requireResponseSchema);
  await webhookRoutes(plain, context);

  app.post('/accounts', { schema: { body: S.accountBody, response: R['POST /accounts'] } }, async (request, reply) => {
    const { body } = request;
    return idempotent<CreatedAccount>(context, 'admin', request, reply, {
      run: (record) => useCases.adminCreateAccount(ADMIN_TOKEN_ACTOR, body, record),
      render: ({ account, issued }) => ({ status: 201, body: ok(request, { ...presentAccount(account), credential: presentIssued(issued) }) }),
    });
  });

  app.get('/accounts/:id', { schema: { params: S.idParams, response: R['GET /accounts/:id'] } }, async (request) => {
    const { account, balances } = await useCases.accountWithBalances(request.params.id);
    return ok(request, { ...presentAccount(account), balances: balances.map((b) => ({ currency: b.currency, balance: money(b.balanceMinor, CurrencyScale[b.currency]) })) });
  });

  app.post('/accounts/:id/status', { schema: { params: S.idParams, body: A.accountStatusBody, response: R['POST /accounts/:id/status'] } }, async (request, reply) => {
    const { id } = request.params;
    const { status } = request.body;
    return idempotent<Account>(context, 'admin', request, reply, {
      run: async (record) => {
        const account = await useCases.adminSetAccountStatus(ADMIN_TOKEN_ACTOR, id, status, record);
        context.auth.clear();
        return account;
      },
      render: (account) => ({ status: 200, body: ok(request, presentAccount(account)) }),
    });
  });

  app.post('/accounts/:id/credentials', { schema: { params: S.idParams, response: R['POST /accounts/:id/credentials'] } }, async (request, reply) => {
    const { id } = request.params;
    return idempotent<IssuedCredential>(context, 'admin', request, reply, {
      run: (record) => useCases.adminIssueCredential(ADMIN_TOKEN_ACTOR, id, null, record),
      render: (issued) => ({ status: 201, body: ok(request, presentIssued(issued)) }),
    });
  });

  app.post('/credentials/:id/revoke', { schema: { params: S.idParams, response: R['POST /credentials/:id/revoke'] } }, async (request, reply) => {
    const { id } = request.params;
    return idempotent<string>(context, 'admin', request, reply, {
      run: async (record) => {
        await useCases.adminRevokeCredential(ADMIN_TOKEN_ACTOR, id, undefined, record);
        context.auth.clear();
        return id;
      },
      render: (credentialId) => ({ status: 200, body: ok(request, { credential_id: credentialId, revoked: true as const }) }),
    });
  });

  app.post('/accounts/:id/charges', { schema: { params: S.idParams, body: S.chargeBody, response: R['POST /accounts/:id/charges'] } }, async (request, reply) => {
    const { id } = request.params;
    const { body } = request;
    const key = body.idempotency_key ?? idempotencyKeyOf(request);
    if (key === undefined) throw new CofferError('missing_param', 'A charge needs idempotency_key (or an Idempotency-Key header) so a retry never charges twice', { field: 'idempotency_key' });
    const input = { accountId: id, amount: body.amount, currency: body.currency, idempotencyKey: key, description: body.description };
    return idempotent<ChargeResult>(context, 'admin', request, reply, {
      run: (record) => useCases.adminCharge(ADMIN_TOKEN_ACTOR, input, record),
      render: (result) => ({ status: result.replayed ? 200 : 201, body: ok(request, presentCharge(result)) }),
      replayStatus: 200,
    });
  });

  app.post('/charges/:id/refunds', { schema: { params: S.idParams, body: S.refundBody, response: R['POST /charges/:id/refunds'] } }, async (request, reply) => {
    const { id } = request.params;
    const { body } = request;
    const key = body.idempotency_key ?? idempotencyKeyOf(request);
    if (key === undefined) throw new CofferError('missing_param', 'A refund needs idempotency_key (or an Idempotency-Key header)', { field: 'idempotency_key' });
    const input = { chargeId: id, amount: body.amount, idempotencyKey: key };
    return idempotent<ChargeResult>(context, 'admin', request, reply, {
      run: (record) => useCases.adminRefund(ADMIN_TOKEN_ACTOR, input, record),
      render: (result) => ({ status: result.replayed ? 200 : 201, body: ok(request, presentCharge(result)) }),
      replayStatus: 200,
    });
  });

  app.get('/invoices/:id', { schema: { params: S.idParams, response: R['GET /invoices/:id'] } }, async (request) => {
    const { id } = request.params;
    const view = await useCases.invoiceDetail(id);
    return ok(request, { ...presentInvoice(view.invoice, view.payments, { ...view.present, userEmail: view.userEmail }), account_id: view.invoice.accountId });
  });

  app.get('/accounts', { schema: { querystring: A.accountSearchQuery, response: R['GET /accounts'] } }, async (request) => {
    const q = request.query;
    return ok(request, (await useCases.searchAccounts(q.q ?? '', q.limit)).map(presentAccount));
  });

  app.get('/invoices', { schema: { querystring: A.invoiceSearchQuery, response: R['GET /invoices'] } }, async (request) => {
    const search = parseInvoiceSearch(request.query);
    const invoices = await useCases.searchInvoices(search);
    return ok(request, invoices.map((i) => ({
      id: i.id, account_id: i.accountId, status: i.status, payment_method: i.methodId, currency: i.currency,
      amount: i.amountMinor === null ? undefined : money(i.amountMinor, CurrencyScale[i.currency]), address: i.address, created_time: i.createdAt.toISOString(),
    })), invoices.length > 0 ? { next_before: invoices.at(-1)!.seq } : {});
  });

  app.get('/holds', { schema: { response: R['GET /holds'] } }, async (request) => ok(request, (await useCases.listHolds()).map((h) => ({
    payment_id: h.payment.id, invoice_id: h.invoice.id, account_id: h.invoice.accountId, payment_method: h.payment.methodId, txid: h.payment.txid,
    amount_units: h.payment.amountUnits.toString(), held_reason: h.reason, why: reasonText(h.reason), first_seen_time: h.payment.firstSeenAt.toISOString(),
  }))));

  app.post('/holds/:id/resolve', { schema: { params: S.idParams, body: A.resolveHoldBody, response: R['POST /holds/:id/resolve'] } }, async (request, reply) => {
    const { id } = request.params;
    const { body } = request;
    const input = body.action === 'credit' ? { action: 'credit' as const, rate: body.rate ?? '', rateSource: body.rate_source ?? '', note: body.note } : { action: 'refunded_outside' as const, note: body.note };
    return idempotent<ResolvedHold>(context, 'admin', request, reply, {
      run: (record) => useCases.resolveHold(ADMIN_TOKEN_ACTOR, id, input, record),
      render: (r) => ({ status: 200, body: ok(request, {
        payment_id: r.paymentId, invoice_id: r.invoiceId, action: r.action, invoice_status: r.invoiceStatus, currency: r.currency,
        credited_amount: r.creditedMinor === null ? undefined : formatDecimal(r.creditedMinor, CurrencyScale[r.currency]),
      }) }),
    });
  });

  app.get('/audit', { schema: { querystring: A.auditQuery, response: R['GET /audit'] } }, async (request) => {
    const q = request.query;
    const rows = await useCases.auditLog({ target: q.target, beforeSeq: q.before });
    return ok(request, rows.map((r) => ({ seq: r.seq, actor: r.actorName, actor_id: r.actorId, action: r.action, target: r.target, before: r.before, after: r.after, time: r.at.toISOString() })));
  });

  // text/csv, streamed: no JSON response schema (admin-schemas.ts says where its columns are documented).
  app.get('/ledger/transfers.csv', async (_request, reply) => reply.type('text/csv; charset=utf-8')
    .header('content-disposition', 'attachment; filename="coffer-transfers.csv"').send(Readable.from(useCases.transfersCsv())));

  app.get('/ledger/verify', { schema: { response: R['GET /ledger/verify'] } }, async (request, reply) => {
    const report = await useCases.runLedgerVerify();
    const wire = { ...report, drift: [...report.drift], imbalance: [...report.imbalance], negative: [...report.negative] };
    return reply.status(report.ok ? 200 : 500).send(ok(request, wire));
  });
}
