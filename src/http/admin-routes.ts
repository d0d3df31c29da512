// The operator API under /admin (Bearer admin token from config; disabled when none is set):
// accounts and credentials, charges and refunds, ledger verification.

import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../core/account.ts';
import { CurrencyScale } from '../core/assets.ts';
import { CofferError } from '../core/errors.ts';
import { chargeAccount, refundCharge } from '../usecases/charge-account.ts';
import type { ChargeResult } from '../usecases/charge-account.ts';
import { createAccount, issueCredential, revokeCredential } from '../usecases/manage-accounts.ts';
import type { CreatedAccount, IssuedCredential } from '../usecases/manage-accounts.ts';
import { accountBalances, getInvoice, presentOptions } from '../usecases/read-account.ts';
import { setAccountStatus } from '../usecases/account-status.ts';
import { verifyLedger } from '../usecases/verify-ledger.ts';
import type { AppContext } from './app.ts';
import { ok } from './envelope.ts';
import { idempotencyKeyOf, idempotent } from './guards.ts';
import { money, presentInvoice } from '../core/wire-format.ts';
import { decimalField } from './request-context.ts';
import * as S from './schemas.ts';
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

export function presentAccount(account: Account): Record<string, unknown> {
  return { id: account.id, type: account.type, currency: account.currency, status: account.status, label: account.label ?? undefined, created_time: account.createdAt.toISOString() };
}

export function presentIssued(issued: IssuedCredential): Record<string, unknown> {
  return {
    credential_id: issued.credential.id, kind: issued.credential.kind,
    api_id: issued.apiId, api_secret: issued.apiSecret, api_key: issued.apiKey,
  };
}

function presentCharge(result: ChargeResult): Record<string, unknown> {
  const scale = CurrencyScale[result.charge.currency];
  return {
    id: result.charge.id, account_id: result.charge.accountId, currency: result.charge.currency,
    amount: money(result.charge.amountMinor, scale), refunded_amount: money(result.charge.refundedMinor, scale),
    description: result.charge.description ?? undefined, created_time: result.charge.createdAt.toISOString(),
    balance: money(result.balanceMinor, scale),
  };
}

export async function adminRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const { deps } = context;
  app.addHook('onRequest', adminGuard(context));
  await webhookRoutes(app, context);

  app.post('/accounts', { schema: { body: S.accountBody } }, async (request, reply) => {
    const body = request.body as { type: string; currency: string; label?: string };
    return idempotent<CreatedAccount>(context, 'admin', request, reply, {
      run: (record) => createAccount(deps, body, record),
      render: ({ account, issued }) => ({ status: 201, body: ok(request, { ...presentAccount(account), credential: presentIssued(issued) }) }),
    });
  });

  app.get('/accounts/:id', { schema: { params: S.idParams } }, async (request) => {
    const account = await deps.store.accounts.get((request.params as { id: string }).id);
    if (!account) throw new CofferError('not_found', 'No such account');
    const balances = await accountBalances(deps.store, account);
    return ok(request, { ...presentAccount(account), balances: balances.map((b) => ({ currency: b.currency, balance: money(b.balanceMinor, CurrencyScale[b.currency]) })) });
  });

  app.post('/accounts/:id/status', { schema: { params: S.idParams, body: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['active', 'frozen'] } } } } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { status } = request.body as { status: 'active' | 'frozen' };
    return idempotent<Account>(context, 'admin', request, reply, {
      run: async (record) => {
        const account = await setAccountStatus(deps, id, status, record);
        context.auth.clear();
        return account;
      },
      render: (account) => ({ status: 200, body: ok(request, presentAccount(account)) }),
    });
  });

  app.post('/accounts/:id/credentials', { schema: { params: S.idParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return idempotent<IssuedCredential>(context, 'admin', request, reply, {
      run: (record) => issueCredential(deps, id, null, record),
      render: (issued) => ({ status: 201, body: ok(request, presentIssued(issued)) }),
    });
  });

  app.post('/credentials/:id/revoke', { schema: { params: S.idParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return idempotent<string>(context, 'admin', request, reply, {
      run: async (record) => {
        await revokeCredential(deps, id, undefined, record);
        context.auth.clear();
        return id;
      },
      render: (credentialId) => ({ status: 200, body: ok(request, { credential_id: credentialId, revoked: true }) }),
    });
  });

  app.post('/accounts/:id/charges', { schema: { params: S.idParams, body: S.chargeBody } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = request.body as Record<string, unknown>;
    const key = typeof body['idempotency_key'] === 'string' ? body['idempotency_key'] : idempotencyKeyOf(request);
    if (key === undefined) throw new CofferError('missing_param', 'A charge needs idempotency_key (or an Idempotency-Key header) so a retry never charges twice', { field: 'idempotency_key' });
    const input = {
      accountId: id, amount: decimalField(request, body, 'amount') ?? '', currency: String(body['currency']), idempotencyKey: key,
      description: typeof body['description'] === 'string' ? body['description'] : undefined,
    };
    return idempotent<ChargeResult>(context, 'admin', request, reply, {
      run: (record) => chargeAccount(deps, input, record),
      render: (result) => ({ status: result.replayed ? 200 : 201, body: ok(request, presentCharge(result)) }),
      replayStatus: 200,
    });
  });

  app.post('/charges/:id/refunds', { schema: { params: S.idParams, body: S.refundBody } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = (request.body ?? {}) as Record<string, unknown>;
    const key = typeof body['idempotency_key'] === 'string' ? body['idempotency_key'] : idempotencyKeyOf(request);
    if (key === undefined) throw new CofferError('missing_param', 'A refund needs idempotency_key (or an Idempotency-Key header)', { field: 'idempotency_key' });
    const input = { chargeId: id, amount: decimalField(request, body, 'amount'), idempotencyKey: key };
    return idempotent<ChargeResult>(context, 'admin', request, reply, {
      run: (record) => refundCharge(deps, input, record),
      render: (result) => ({ status: result.replayed ? 200 : 201, body: ok(request, presentCharge(result)) }),
      replayStatus: 200,
    });
  });

  app.get('/invoices/:id', { schema: { params: S.idParams } }, async (request) => {
    const { id } = request.params as { id: string };
    const invoice = await deps.store.invoices.get(id);
    const account = invoice ? await deps.store.accounts.get(invoice.accountId) : null;
    const view = account ? await getInvoice(deps.store, account, id) : null;
    if (!view) throw new CofferError('not_found', 'No such invoice');
    const userEmail = await deps.store.web.emailOfAccount(view.invoice.accountId);
    return ok(request, { ...presentInvoice(view.invoice, view.payments, { ...presentOptions(deps), userEmail }), account_id: view.invoice.accountId });
  });

  app.get('/ledger/verify', async (request, reply) => {
    const report = await verifyLedger(deps.store);
    return reply.status(report.ok ? 200 : 500).send(ok(request, report));
  });
}
