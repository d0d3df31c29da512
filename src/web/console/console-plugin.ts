// The operator console as one encapsulated Fastify plugin under /admin/console
// (docs/operator-console.md says why that prefix): its own form parser, security headers, CSRF
// check on every POST, operator session guard (password and second factor), error pages, and
// the screens. Mount it with `buildApp(useCases, { plugins: [createConsolePlugin(options)] })`.

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCofferError } from '../../core/errors.ts';
import type { UseCases } from '../../usecases/use-cases.ts';
import { html } from '../html.ts';
import { consoleActionRoutes } from './console-actions.ts';
import { consoleAuthRoutes } from './console-auth.ts';
import { ConsoleAssets } from './console-layout.ts';
import { consolePageRoutes } from './console-pages.ts';
import { CONSOLE_PREFIX, ConsoleRuntime } from './console-runtime.ts';
import type { ConsoleContext } from './console-runtime.ts';
import { registerFormParser } from '../form-body.ts';
import { WebhookLimits } from '../../core/limits.ts';

export interface ConsoleOptions {
  /** Signs CSRF tokens; give every process of a deployment the same value (default: random per process). */
  readonly cookieSecret?: string | undefined;
  readonly secureCookies?: boolean | 'auto';
  readonly sandbox?: boolean;
  readonly redeliveryMaxAgeMs?: number;
}

const OPEN_PATHS = new Set(['/signin', '/two-factor', '/signout']);

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

const errorPage = (title: string, message: string, back: string) => html`<div class="narrow"><h1>${title}</h1><p>${message}</p><p><a href="${back}">Go back</a></p></div>`;

function localPath(request: FastifyRequest): string {
  const path = (request.url.split('?')[0] ?? '').slice(CONSOLE_PREFIX.length);
  return path === '' ? '/' : path;
}

export function createConsolePlugin(options: ConsoleOptions = {}): (app: FastifyInstance, context: ConsoleContext & { readonly useCases: UseCases }) => Promise<void> {
  return async (root, context) => {
    await root.register(async (app) => {
      const console = new ConsoleRuntime(context.useCases, context, {
        secret: options.cookieSecret ? Buffer.from(options.cookieSecret, 'utf8') : randomBytes(32),
        secureCookies: options.secureCookies ?? 'auto', sandbox: options.sandbox ?? context.useCases.settings.sandbox,
        redeliveryMaxAgeMs: options.redeliveryMaxAgeMs ?? WebhookLimits.deliveryMaxAgeMsDefault,
      });
      registerFormParser(app);
      const cssPath = ConsoleAssets.css.path.slice(CONSOLE_PREFIX.length);
      app.get(cssPath, async (_request, reply) => reply.header('cache-control', 'public, max-age=31536000, immutable').type(ConsoleAssets.css.type).send(ConsoleAssets.css.body));

      app.addHook('onRequest', async (request, reply) => {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
        if (localPath(request) === cssPath) return;
        reply.header('cache-control', 'no-store');
        console.prepare(request, reply);
        if (OPEN_PATHS.has(localPath(request))) return;
        request.consoleOperator = await console.useCases.resolveOperatorSession(console.sessionToken(request));
        if (request.consoleOperator?.session.stage === 'full') return;
        const to = request.consoleOperator ? `${CONSOLE_PREFIX}/two-factor` : `${CONSOLE_PREFIX}/signin`;
        return reply.redirect(to, 303);
      });
      app.addHook('preHandler', async (request, reply) => {
        if (request.method !== 'POST' || console.csrfValid(request)) return;
        console.rotateCsrf(request, reply);
        return console.send(request, reply, 403, 'Form expired', errorPage('This form has expired',
          'The form was not accepted because its security token was missing or out of date (or it was sent from another site). Nothing was changed. Go back, reload the page and try again.', `${CONSOLE_PREFIX}/overview`));
      });
      app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
        const known = isCofferError(error) && error.status < 500;
        const status = known ? error.status : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 413 : (error.statusCode ?? 500) < 500 ? 400 : 500;
        if (status >= 500) request.log.error({ err: error }, 'console request failed');
        const title = status === 404 ? 'Page not found' : status >= 500 ? 'Something went wrong' : 'That did not work';
        const message = status === 404 ? 'There is no page at this address.' : known ? error.message : status >= 500 ? 'Something went wrong on our side. Nothing was changed; please try again.' : 'The request could not be understood.';
        if (!request.consoleCsrfToken) console.prepare(request, reply);
        return console.send(request, reply, status, title, errorPage(title, message, `${CONSOLE_PREFIX}/overview`));
      });
      app.setNotFoundHandler((request, reply) => console.send(request, reply, 404, 'Page not found', errorPage('Page not found', 'There is no page at this address.', `${CONSOLE_PREFIX}/overview`)));

      app.get('/', async (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/overview`, 303));
      app.get('/ledger/transfers.csv', async (_request, reply) => reply.type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="coffer-transfers.csv"').send(Readable.from(console.useCases.transfersCsv())));
      consoleAuthRoutes(app, console);
      consolePageRoutes(app, console);
      consoleActionRoutes(app, console);
    }, { prefix: CONSOLE_PREFIX });
  };
}
