// Account recovery: "Forgot password?" → an emailed single-use link → a new password
// (usecases/web-password-reset.ts). Without an SMTP server configured the page says recovery is
// by the operator, who issues a link with `coffer web-login reset-link`.

import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isCofferError } from '../core/errors.ts';
import type { FastifyRequest } from 'fastify';
import { resetLink } from '../usecases/web-password-reset.ts';
import type { IssuedReset } from '../usecases/web-password-reset.ts';
import type { WebUser } from '../core/account.ts';
import { signedInOf } from './account-routes.ts';
import { errorField } from './auth-routes.ts';
import { field } from './forms.ts';
import { confirmedBody, confirmEmailText, deadLinkBody, forgotPasswordBody, resetEmailText, resetPasswordBody, resetSentBody } from './recovery-pages.ts';
import type { WebRuntime } from './web-runtime.ts';
import { TokenParams } from './web-schemas.ts';

/** Sends after the answer is on its way; a failure is logged, never shown (the answer is the same either way). */
function sendLater(web: WebRuntime, request: FastifyRequest, to: string, subject: string, text: string): void {
  const mail = web.settings.mail;
  if (!mail) return;
  setImmediate(() => {
    mail.mailer.send({ to, subject, text }).catch((error: unknown) => request.log.error({ err: error }, 'website email not sent'));
  });
}

/** After sign-up: a link to confirm the email, when the website sends email. */
export async function sendEmailConfirmation(web: WebRuntime, request: FastifyRequest, user: WebUser): Promise<void> {
  const mail = web.settings.mail;
  if (!mail) return;
  const issued = await web.useCases.issueEmailConfirmation(user);
  sendLater(web, request, issued.email, 'Confirm your email for Coffer', confirmEmailText(`${mail.publicUrl.replace(/\/+$/, '')}/verify-email/${issued.token}`, issued.expiresAt));
}

/** Inside /account: ask for the confirmation link again. */
export function confirmationAccountRoutes(app: FastifyInstance, web: WebRuntime): void {
  if (!web.settings.mail) return;
  const mail = web.settings.mail;
  app.post('/confirm-email', async (request, reply) => {
    const { user } = signedInOf(request);
    try {
      const issued = await web.useCases.resendEmailConfirmation(user, request.ip);
      if (issued) sendLater(web, request, issued.email, 'Confirm your email for Coffer', confirmEmailText(`${mail.publicUrl.replace(/\/+$/, '')}/verify-email/${issued.token}`, issued.expiresAt));
      return reply.redirect('/account?confirmation_sent=1', 303);
    } catch (error) {
      if (isCofferError(error) && error.status === 429) return reply.redirect('/account?confirmation_limited=1', 303);
      throw error;
    }
  });
}

export function recoveryRoutes(plain: FastifyInstance, web: WebRuntime): void {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { useCases } = web;
  const mail = web.settings.mail;

  app.get('/forgot-password', async (request, reply) =>
    web.send(request, reply, 200, 'Forgot your password?', forgotPasswordBody(request.webCsrfToken!, '', {}, mail !== null)));

  app.post('/forgot-password', async (request, reply) => {
    const email = field(request.body, 'email');
    if (mail === null) return web.send(request, reply, 200, 'Forgot your password?', forgotPasswordBody(request.webCsrfToken!, email, {}, false));
    let issued: IssuedReset | null;
    try {
      issued = await useCases.requestPasswordReset({ email, ip: request.ip });
    } catch (error) {
      const problem = errorField(error, ['email']);
      if (!problem) throw error;
      if (problem.status === 429) reply.header('Retry-After', isCofferError(error) ? error.details['retryAfter'] ?? '60' : '60');
      return web.send(request, reply, problem.status, 'Forgot your password?', forgotPasswordBody(request.webCsrfToken!, email, { [problem.field]: problem.message }, true));
    }
    // Sent after the answer, so an existing login does not answer slower than an unknown email.
    if (issued) {
      const { email: to, token, expiresAt } = issued;
      setImmediate(() => {
        mail.mailer.send({ to, subject: 'Reset your Coffer password', text: resetEmailText(resetLink(mail.publicUrl, token), expiresAt) })
          .catch((error: unknown) => request.log.error({ err: error }, 'password-reset email not sent'));
      });
    }
    return web.send(request, reply, 200, 'Check your email', resetSentBody(email.trim().toLowerCase()));
  });

  app.get('/verify-email/:token', { schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    try {
      const { email } = await useCases.confirmEmail(token);
      return web.send(request, reply, 200, 'Email confirmed', confirmedBody(email));
    } catch (error) {
      if (!isCofferError(error) || error.status !== 404) throw error;
      return web.send(request, reply, 404, 'Link not valid', deadLinkBody(error.message));
    }
  });

  app.get('/reset-password/:token', { schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    try {
      const user = await useCases.resetLinkUser(token);
      return web.send(request, reply, 200, 'Choose a new password', resetPasswordBody(request.webCsrfToken!, token, user.email, {}));
    } catch (error) {
      if (!isCofferError(error) || error.status !== 404) throw error;
      return web.send(request, reply, 404, 'Link not valid', deadLinkBody(error.message));
    }
  });

  app.post('/reset-password', async (request, reply) => {
    const token = field(request.body, 'token');
    try {
      await useCases.resetPassword({ token, password: field(request.body, 'password'), passwordConfirm: field(request.body, 'password_confirm') });
      web.clearSession(request, reply);
      return reply.redirect('/signin?reset=1', 303);
    } catch (error) {
      if (isCofferError(error) && error.status === 404) return web.send(request, reply, 404, 'Link not valid', deadLinkBody(error.message));
      const problem = errorField(error, ['password', 'password_confirm']);
      if (!problem) throw error;
      const user = await useCases.resetLinkUser(token);
      return web.send(request, reply, problem.status, 'Choose a new password', resetPasswordBody(request.webCsrfToken!, token, user.email, { [problem.field]: problem.message }));
    }
  });
}
