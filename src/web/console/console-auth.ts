// Operator sign-in: email and password, then the second factor — a TOTP code, or at the first
// sign-in the enrolment (a QR code of the otpauth:// URI, its secret as text, and a first code),
// after which ten recovery codes are shown once. Every form carries the CSRF token.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCofferError } from '../../core/errors.ts';
import { WebLimits } from '../../core/limits.ts';
import { csrfField, errorSummary, field, inputField } from '../forms.ts';
import type { FieldErrors } from '../forms.ts';
import { html, trustedMarkup } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import type { ConsoleRuntime } from './console-runtime.ts';
import { CONSOLE_PREFIX } from './console-runtime.ts';

function fieldErrors(error: unknown, fallback: string): FieldErrors {
  if (!isCofferError(error) || error.status >= 500) throw error;
  return { [error.details['field'] ?? fallback]: error.message };
}

function signInBody(csrf: string, email: string, errors: FieldErrors, notice?: string): SafeHtml {
  return html`<div class="narrow">
<h1>Operator sign-in</h1>
${notice ? html`<div class="notice" role="status"><p>${notice}</p></div>` : ''}
${errorSummary(errors, { email: 'Email', password: 'Password' })}
<form method="post" action="${CONSOLE_PREFIX}/signin" novalidate>
${csrfField(csrf)}
${inputField({ name: 'email', label: 'Email', type: 'email', value: email, autocomplete: 'username', inputmode: 'email', required: true, maxlength: WebLimits.emailLengthMax }, errors)}
${inputField({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true }, errors)}
<button type="submit">Continue</button>
</form>
<p class="muted">Operator users are created with <code>coffer operator create</code>; this is not the customer sign-in.</p>
</div>`;
}

function codeBody(csrf: string, errors: FieldErrors): SafeHtml {
  return html`<div class="narrow">
<h1>Two-factor sign-in</h1>
${errorSummary(errors, { code: 'Code' })}
<form method="post" action="${CONSOLE_PREFIX}/two-factor" novalidate>
${csrfField(csrf)}
${inputField({ name: 'code', label: 'Code', autocomplete: 'one-time-code', inputmode: 'text', required: true, maxlength: 20, hint: 'The 6-digit code from your authenticator app, or one of your recovery codes.' }, errors)}
<button type="submit">Sign in</button>
</form>
</div>`;
}

function enrolBody(csrf: string, qr: SafeHtml, secret: string, errors: FieldErrors): SafeHtml {
  return html`<div class="narrow">
<h1>Set up two-factor sign-in</h1>
<p>Every operator signs in with a code from an authenticator app as well as the password. Scan this QR code with the app (or type the key), then enter the code it shows.</p>
<div class="qr enrol-qr">${qr}</div>
<p>Key: <code class="value" id="totp-secret">${secret}</code></p>
${errorSummary(errors, { code: 'Code' })}
<form method="post" action="${CONSOLE_PREFIX}/two-factor" novalidate>
${csrfField(csrf)}
${inputField({ name: 'code', label: 'Code from the app', autocomplete: 'one-time-code', inputmode: 'text', required: true, maxlength: 6 }, errors)}
<button type="submit">Turn on two-factor sign-in</button>
</form>
</div>`;
}

function recoveryBody(codes: readonly string[]): SafeHtml {
  return html`<div class="narrow">
<h1>Your recovery codes</h1>
<div class="secret" role="alert"><p><strong>Shown once.</strong> Keep these ten codes somewhere safe. Each signs you in once in place of an authenticator code.</p>
<ul id="recovery-codes">${codes.map((c) => html`<li><code class="value">${c}</code></li>`)}</ul></div>
<p><a class="button" href="${CONSOLE_PREFIX}/overview">Continue to the console</a></p>
</div>`;
}

async function secondFactorPage(console: ConsoleRuntime, request: FastifyRequest, reply: FastifyReply, status: number, errors: FieldErrors): Promise<FastifyReply> {
  const signedIn = request.consoleOperator!;
  if (signedIn.operator.totpEnabledAt !== null) return console.send(request, reply, status, 'Two-factor sign-in', codeBody(request.consoleCsrfToken ?? '', errors));
  const { secret, uri } = await console.useCases.beginEnrolment(signedIn);
  // The SVG is drawn by qrcode from a URI we built (paths only, no text of ours).
  // qrcode is loaded at the first enrolment page, not at start-up (docs/benchmarks.md).
  const { default: QRCode } = await import('qrcode');
  const qr = trustedMarkup(await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }));
  return console.send(request, reply, status, 'Set up two-factor sign-in', enrolBody(request.consoleCsrfToken ?? '', qr, secret, errors));
}

export function consoleAuthRoutes(app: FastifyInstance, console: ConsoleRuntime): void {
  const useCases = console.useCases;

  app.get('/signin', async (request, reply) => {
    const signedIn = await useCases.resolveOperatorSession(console.sessionToken(request));
    if (signedIn?.session.stage === 'full') return reply.redirect(`${CONSOLE_PREFIX}/overview`, 303);
    return console.send(request, reply, 200, 'Operator sign-in', signInBody(request.consoleCsrfToken ?? '', '', {}));
  });

  app.post('/signin', async (request, reply) => {
    const email = field(request.body, 'email');
    try {
      const { token } = await useCases.operatorSignIn({ email, password: field(request.body, 'password'), ip: request.ip });
      console.setSession(request, reply, token);
      return reply.redirect(`${CONSOLE_PREFIX}/two-factor`, 303);
    } catch (error) {
      const errors = fieldErrors(error, 'password');
      if (isCofferError(error) && error.code === 'rate_limited' && error.details['retryAfter']) reply.header('retry-after', error.details['retryAfter']);
      return console.send(request, reply, isCofferError(error) ? error.status : 400, 'Operator sign-in', signInBody(request.consoleCsrfToken ?? '', email, errors));
    }
  });

  app.get('/two-factor', async (request, reply) => {
    request.consoleOperator = await useCases.resolveOperatorSession(console.sessionToken(request));
    if (!request.consoleOperator) return reply.redirect(`${CONSOLE_PREFIX}/signin`, 303);
    if (request.consoleOperator.session.stage === 'full') return reply.redirect(`${CONSOLE_PREFIX}/overview`, 303);
    return secondFactorPage(console, request, reply, 200, {});
  });

  app.post('/two-factor', async (request, reply) => {
    const signedIn = await useCases.resolveOperatorSession(console.sessionToken(request));
    if (!signedIn || signedIn.session.stage !== 'password') return reply.redirect(`${CONSOLE_PREFIX}/signin`, 303);
    request.consoleOperator = signedIn;
    const code = field(request.body, 'code');
    try {
      if (signedIn.operator.totpEnabledAt === null) {
        const { token, recoveryCodes } = await useCases.confirmEnrolment(signedIn, code, request.ip);
        console.setSession(request, reply, token);
        request.consoleOperator = await useCases.resolveOperatorSession(token);
        return console.send(request, reply, 200, 'Recovery codes', recoveryBody(recoveryCodes));
      }
      console.setSession(request, reply, await useCases.verifyOperatorCode(signedIn, code, request.ip));
      return reply.redirect(`${CONSOLE_PREFIX}/overview`, 303);
    } catch (error) {
      const errors = fieldErrors(error, 'code');
      return secondFactorPage(console, request, reply, isCofferError(error) ? error.status : 400, errors);
    }
  });

  app.post('/signout', async (request, reply) => {
    await useCases.endOperatorSession(console.sessionToken(request));
    console.clearSession(request, reply);
    return reply.redirect(`${CONSOLE_PREFIX}/signin`, 303);
  });
}
