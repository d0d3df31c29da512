// Signed-in pages: dashboard, deposits list, password change. The caller has resolved the
// session (request.webSignedIn) and checked CSRF on POSTs.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Invoice } from '../core/invoice.ts';
import type { SignedIn } from '../usecases/web-sessions.ts';
import { WebLimits } from '../core/limits.ts';
import { passwordBody } from './auth-pages.ts';
import { errorField } from './auth-routes.ts';
import { dashboardBody, depositsBody } from './dashboard-pages.ts';
import { field } from './forms.ts';
import type { WebRuntime } from './web-runtime.ts';
import { DashboardQuery, PageQuery, PasswordQuery, queryText } from './web-schemas.ts';
import type { QueryValue } from './web-schemas.ts';

const OPEN_STATUSES = new Set(['unpaid', 'payment_detected', 'payment_confirmed', 'payment_error']);

export function signedInOf(request: FastifyRequest): SignedIn {
  const signedIn = request.webSignedIn;
  if (!signedIn) throw new Error('web: route reached without a session');
  return signedIn;
}

/** ?page=N, 1-based, bounded; anything else is page 1. */
export function pageOf(given: QueryValue | undefined): number {
  const raw = queryText(given);
  const page = raw !== undefined && /^\d{1,5}$/.test(raw) ? Number(raw) : 1;
  return Math.min(Math.max(page, 1), WebLimits.webPageNumberMax);
}

export function accountRoutes(plain: FastifyInstance, web: WebRuntime): void {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { useCases } = web;
  const size = WebLimits.webPageSize;

  app.get('/', { schema: { querystring: DashboardQuery } }, async (request, reply) => {
    const { account } = signedInOf(request);
    const page = pageOf(request.query.page);
    const now = useCases.clock.now();
    // One row more than shown tells whether an older page exists.
    const [{ balances, pending }, recent, history] = await Promise.all([
      useCases.accountBalanceView(account),
      useCases.listInvoices({ accountId: account.id, start: 0, limit: size }),
      useCases.listTransactions({ accountId: account.id, start: (page - 1) * size, limit: size + 1 }),
    ]);
    const open: Invoice[] = recent.map((v) => v.invoice)
      .filter((i) => OPEN_STATUSES.has(i.status) && (i.status !== 'unpaid' || i.expiresAt > now));
    return web.send(request, reply, 200, 'Dashboard', dashboardBody({
      account, balances, pending, open, history: history.slice(0, size), page, hasNext: history.length > size, now,
      unconfirmedEmail: web.settings.mail && !signedInOf(request).user.emailVerifiedAt ? signedInOf(request).user.email : null,
      notice: confirmationNotice(request.query), csrf: request.webCsrfToken ?? '',
      methodLabel: (id) => useCases.methods.label(id),
    }), 'dashboard');
  });

  app.get('/deposits', { schema: { querystring: PageQuery } }, async (request, reply) => {
    const { account } = signedInOf(request);
    const page = pageOf(request.query.page);
    const views = await useCases.listInvoices({ accountId: account.id, start: (page - 1) * size, limit: size + 1 });
    return web.send(request, reply, 200, 'Deposits', depositsBody(views.slice(0, size).map((v) => v.invoice), page, views.length > size, useCases.clock.now(), (id) => useCases.methods.label(id)), 'deposits');
  });

  app.get('/password', { schema: { querystring: PasswordQuery } }, async (request, reply) => {
    const changed = request.query.changed !== undefined;
    return web.send(request, reply, 200, 'Change password', passwordBody(request.webCsrfToken!, {}, changed), 'password');
  });

  app.post('/password', async (request, reply) => {
    const signedIn = signedInOf(request);
    try {
      const { token } = await useCases.changePassword(signedIn, {
        current: field(request.body, 'current_password'), next: field(request.body, 'new_password'), nextConfirm: field(request.body, 'new_password_confirm'),
      });
      web.setSession(request, reply, token);
      return reply.redirect('/account/password?changed=1', 303);
    } catch (error) {
      const problem = errorField(error, ['current_password', 'new_password', 'new_password_confirm']);
      if (!problem) throw error;
      return web.send(request, reply, problem.status, 'Change password', passwordBody(request.webCsrfToken!, { [problem.field]: problem.message }, false), 'password');
    }
  });
}

function confirmationNotice(query: { confirmation_sent?: QueryValue; confirmation_limited?: QueryValue }): string | null {
  if (query.confirmation_sent !== undefined) return 'A new confirmation link is on its way.';
  if (query.confirmation_limited !== undefined) return 'Too many links asked for; try again in a few minutes.';
  return null;
}
