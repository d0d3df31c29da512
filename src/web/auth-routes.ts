// Sign-up, sign-in and sign-out. Every POST here has already passed the CSRF check.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isCofferError } from '../core/errors.ts';
import { signUpProblems } from '../usecases/web-sign-up.ts';
import { signInBody, signUpBody } from './auth-pages.ts';
import { field } from './forms.ts';
import type { WebRuntime } from './web-runtime.ts';
import { sendEmailConfirmation } from './recovery-routes.ts';
import { queryText, SignInQuery } from './web-schemas.ts';

const NEXT_RE = /^\/account(\/[A-Za-z0-9_/-]*)?$/;

/** Where to go after signing in: only this site's account pages (no open redirect). */
export function safeNext(text: string): string {
  return NEXT_RE.test(text) ? text : '/account';
}

/** The field an error belongs to, or 'form' for errors that concern the whole form. */
export function errorField(error: unknown, fields: readonly string[]): { field: string; message: string; status: number } | null {
  if (!isCofferError(error)) return null;
  const name = error.details['field'];
  return { field: name !== undefined && fields.includes(name) ? name : 'form', message: error.message, status: error.status };
}

export function authRoutes(plain: FastifyInstance, web: WebRuntime): void {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { useCases } = web;
  const alreadySignedIn = async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (!(await useCases.resolveSession(web.sessionToken(request)))) return false;
    await reply.redirect('/account', 303);
    return true;
  };

  app.get('/', async (request, reply) => reply.redirect((await useCases.resolveSession(web.sessionToken(request))) ? '/account' : '/signin', 303));

  app.get('/signin', { schema: { querystring: SignInQuery } }, async (request, reply) => {
    if (await alreadySignedIn(request, reply)) return reply;
    const { query } = request;
    const next = safeNext(queryText(query.next) ?? '/account');
    const notice = query.signed_out !== undefined ? 'You are signed out.'
      : query.reset !== undefined ? 'Your password was changed and every session was signed out. Sign in with the new password.' : undefined;
    return web.send(request, reply, 200, 'Sign in', signInBody(request.webCsrfToken!, { email: '', next }, {}, web.settings.signUp, notice));
  });

  app.post('/signin', async (request, reply) => {
    const email = field(request.body, 'email');
    const next = safeNext(field(request.body, 'next'));
    try {
      const { token } = await useCases.signIn({ email, password: field(request.body, 'password'), ip: request.ip });
      web.setSession(request, reply, token);
      return reply.redirect(next, 303);
    } catch (error) {
      const problem = errorField(error, ['email', 'password']);
      if (!problem) throw error;
      if (problem.status === 429) reply.header('Retry-After', isCofferError(error) ? error.details['retryAfter'] ?? '60' : '60');
      return web.send(request, reply, problem.status, 'Sign in', signInBody(request.webCsrfToken!, { email, next }, { [problem.field]: problem.message }, web.settings.signUp));
    }
  });

  if (web.settings.signUp) {
    app.get('/signup', async (request, reply) => {
      if (await alreadySignedIn(request, reply)) return reply;
      return web.send(request, reply, 200, 'Create an account', signUpBody(request.webCsrfToken!, { email: '', currency: 'USD' }, {}));
    });

    app.post('/signup', async (request, reply) => {
      const values = { email: field(request.body, 'email'), currency: field(request.body, 'currency') || 'USD' };
      const input = { ...values, password: field(request.body, 'password'), passwordConfirm: field(request.body, 'password_confirm') };
      // Every problem at once; the email and currency are kept (passwords are never sent back into a page).
      const problems = signUpProblems(input);
      if (Object.keys(problems).length > 0) return web.send(request, reply, 400, 'Create an account', signUpBody(request.webCsrfToken!, values, problems));
      try {
        const result = await useCases.signUp(input);
        web.setSession(request, reply, result.token);
        await sendEmailConfirmation(web, request, result.user);
        return reply.redirect('/account', 303);
      } catch (error) {
        const problem = errorField(error, ['email', 'password', 'password_confirm', 'currency']);
        if (!problem) throw error;
        return web.send(request, reply, problem.status, 'Create an account', signUpBody(request.webCsrfToken!, values, { [problem.field]: problem.message }));
      }
    });
  }

  app.post('/signout', async (request, reply) => {
    await useCases.endSession(web.sessionToken(request));
    web.clearSession(request, reply);
    return reply.redirect('/signin?signed_out=1', 303);
  });
}
