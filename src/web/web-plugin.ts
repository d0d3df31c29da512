// The website as one encapsulated Fastify plugin: mount it with
// `buildApp(useCases, { ..., plugins: [createWebPlugin(options)] })`. It brings its own form parser,
// error pages, security headers, CSRF check and session guard; none of them touch /v2 or /admin.

import { randomBytes } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCofferError } from '../core/errors.ts';
import { accountRoutes } from './account-routes.ts';
import { Assets } from './assets.ts';
import { errorBody } from './auth-pages.ts';
import { authRoutes } from './auth-routes.ts';
import { depositRoutes } from './deposit-routes.ts';
import { keysRoutes } from './keys-routes.ts';
import { WebRuntime } from './web-runtime.ts';
import type { WebAppContext, WebSettings } from './web-runtime.ts';
import { confirmationAccountRoutes, recoveryRoutes } from './recovery-routes.ts';
import { registerFormParser } from './form-body.ts';

export interface WebOptions {
  /** Signs CSRF tokens. Give every process of one deployment the same value (≥ 32 characters); default: random per process. */
  readonly cookieSecret?: string | undefined;
  /** Secure cookies: true, false, or 'auto' (when the request came over TLS, as trustProxy reports it). */
  readonly secureCookies?: boolean | 'auto';
  /** Sandbox banner and "simulate payment"; default: the server's sandbox setting. */
  readonly sandbox?: boolean;
  /** Whether visitors may create personal accounts themselves (default true). */
  readonly signUp?: boolean;
  /** SMTP connection URL for password-reset email (nodemailer syntax); absent: recovery by the operator. */
  readonly smtpUrl?: string | undefined;
  /** From-address of that email. Required with smtpUrl. */
  readonly smtpFrom?: string | undefined;
  /** The website's public address (https://coffer.example.com), used in emailed links. Required with smtpUrl. */
  readonly publicUrl?: string | undefined;
  /** Block-explorer link templates per method id, e.g. { bitcoin: 'https://mempool.space/tx/{txid}' }. */
  readonly explorers?: Readonly<Record<string, string>>;
}

async function mailSettings(options: WebOptions): Promise<WebSettings['mail']> {
  if (!options.smtpUrl) return null;
  if (!options.smtpFrom || !options.publicUrl) throw new Error('the website needs smtpFrom and publicUrl to send password-reset email');
  // nodemailer is loaded only when SMTP is configured (start-up time, docs/benchmarks.md).
  const { smtpMailer } = await import('./mailer.ts');
  return { mailer: smtpMailer(options.smtpUrl, options.smtpFrom), publicUrl: options.publicUrl };
}


const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

export function createWebPlugin(options: WebOptions = {}): (app: FastifyInstance, context: WebAppContext) => Promise<void> {
  return async (app, context) => {
    const secret = options.cookieSecret ? Buffer.from(options.cookieSecret, 'utf8') : randomBytes(32);
    const mail = await mailSettings(options);
    const web = new WebRuntime(context.useCases, context, {
      secret, secureCookies: options.secureCookies ?? 'auto', sandbox: options.sandbox ?? context.useCases.settings.sandbox, signUp: options.signUp ?? true, mail, explorers: options.explorers ?? {},
    });
    if (mail) app.addHook('onClose', async () => mail.mailer.close());

    registerFormParser(app);

    for (const asset of [Assets.css, Assets.js]) {
      app.get(asset.path, async (_request, reply) => reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.type).send(asset.body));
    }

    app.addHook('onRequest', async (request, reply) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
      if (!request.url.startsWith('/assets/')) {
        reply.header('cache-control', 'no-store');
        web.prepare(request, reply);
      }
    });
    // Every state-changing request must carry the form's CSRF token; nothing runs without it.
    app.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST' || web.csrfValid(request)) return;
      web.rotateCsrf(request, reply);
      return web.send(request, reply, 403, 'Form expired', errorBody('This form has expired',
        'The form was not accepted because its security token was missing or out of date (or it was sent from another site). Nothing was changed. Go back, reload the page and try again.', '/account'));
    });

    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const known = isCofferError(error) && error.status < 500;
      const status = known ? error.status : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 413 : (error.statusCode ?? 500) < 500 ? 400 : 500;
      if (status >= 500) request.log.error({ err: error }, 'web request failed');
      const title = status === 404 ? 'Page not found' : status >= 500 ? 'Something went wrong' : 'That did not work';
      const message = known ? error.message : status >= 500 ? 'Something went wrong on our side. Nothing was changed; please try again.' : 'The request could not be understood.';
      if (!request.webCsrfToken) web.prepare(request, reply);
      return web.send(request, reply, status, title, errorBody(title, message, request.webSignedIn ? '/account' : '/'));
    });

    authRoutes(app, web);
    recoveryRoutes(app, web);

    await app.register(async (account) => {
      account.addHook('onRequest', async (request, reply) => {
        request.webSignedIn = await web.useCases.resolveSession(web.sessionToken(request));
        if (request.webSignedIn) return;
        // The checkout's polling asks for JSON: a 401 it can read, not a sign-in page to parse.
        if ((request.headers.accept ?? '').includes('application/json')) {
          return reply.status(401).type('application/json; charset=utf-8').send(JSON.stringify({ signed_out: true, message: 'You are signed out.' }));
        }
        const path = request.url.split('?')[0] ?? '/account';
        return reply.redirect(request.method === 'GET' ? `/signin?next=${encodeURIComponent(path)}` : '/signin', 303);
      });
      account.setNotFoundHandler((request, reply) => web.send(request, reply, 404, 'Page not found', errorBody('Page not found', 'There is no page at this address.', '/account')));
      accountRoutes(account, web);
      depositRoutes(account, web);
      keysRoutes(account, web);
      confirmationAccountRoutes(account, web);
    }, { prefix: '/account' });
  };
}
