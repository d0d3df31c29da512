// Account recovery pages: ask for a reset link, the answer (the same whether or not the email has
// a login), and the new-password form behind a link.

import { WebLimits } from '../core/limits.ts';
import { csrfField, errorSummary, inputField } from './forms.ts';
import type { FieldErrors } from './forms.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';

const LINK_MINUTES = WebLimits.resetTokenTtlMs / 60_000;

export function forgotPasswordBody(csrf: string, email: string, errors: FieldErrors, byEmail: boolean): SafeHtml {
  if (!byEmail) {
    return html`<div class="narrow">
<h1>Forgot your password?</h1>
<div class="notice info" data-recovery="operator"><p>This server does not send email, so password recovery is done by its operator.
Contact them from the address you signed up with: they can give you a one-time link (valid ${LINK_MINUTES} minutes) to choose a new password.</p></div>
<p><a href="/signin">Back to sign in</a></p>
</div>`;
  }
  return html`<div class="narrow">
<h1>Forgot your password?</h1>
<p>Enter the email you sign in with. If it has an account here, we send it a link to choose a new password. The link works once, for ${LINK_MINUTES} minutes.</p>
${errorSummary(errors, { email: 'Email' })}
<form method="post" action="/forgot-password" novalidate>
${csrfField(csrf)}
${inputField({ name: 'email', label: 'Email', type: 'email', value: email, autocomplete: 'username', inputmode: 'email', required: true, maxlength: WebLimits.emailLengthMax }, errors)}
<button type="submit">Send me a link</button>
</form>
<p><a href="/signin">Back to sign in</a></p>
</div>`;
}

export function resetSentBody(email: string): SafeHtml {
  return html`<div class="narrow">
<h1>Check your email</h1>
<div class="notice success" role="status" data-reset-sent><p>If <strong>${email}</strong> has an account here, a link to choose a new password is on its way.
It works once, for ${LINK_MINUTES} minutes. Nothing arrived? Check your spam folder, or ask again in a few minutes.</p></div>
<p><a href="/signin">Back to sign in</a></p>
</div>`;
}

export function resetPasswordBody(csrf: string, token: string, email: string, errors: FieldErrors): SafeHtml {
  return html`<div class="narrow">
<h1>Choose a new password</h1>
<p>For <strong>${email}</strong>. Every session signed in with the old password is ended.</p>
${errorSummary(errors, { password: 'New password', password_confirm: 'Repeat new password' })}
<form method="post" action="/reset-password" novalidate>
${csrfField(csrf)}
<input type="hidden" name="token" value="${token}">
<input type="text" name="username" value="${email}" autocomplete="username" hidden>
${inputField({ name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', required: true, hint: `At least ${WebLimits.passwordLengthMin} characters.` }, errors)}
${inputField({ name: 'password_confirm', label: 'Repeat new password', type: 'password', autocomplete: 'new-password', required: true }, errors)}
<button type="submit">Set new password</button>
</form>
</div>`;
}

export function deadLinkBody(message: string): SafeHtml {
  return html`<div class="narrow"><h1>This link does not work</h1><div class="notice warning" role="alert"><p>${message}</p></div>
<p><a href="/forgot-password">Ask for a new link</a> · <a href="/signin">Sign in</a></p></div>`;
}

export function resetEmailText(link: string, expiresAt: Date): string {
  return [
    'Someone (hopefully you) asked to reset the password of your Coffer account.',
    '',
    'Choose a new password here (the link works once, until ' + expiresAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC):',
    '',
    link,
    '',
    'If you did not ask for this, ignore this email: your password stays as it is.',
  ].join('\n');
}

export function confirmedBody(email: string): SafeHtml {
  return html`<div class="narrow"><h1>Email confirmed</h1><div class="notice success" role="status" data-email-confirmed><p><strong>${email}</strong> is confirmed. Password-reset links are sent there.</p></div>
<p><a href="/account">Go to your account</a></p></div>`;
}

export function confirmEmailText(link: string, expiresAt: Date): string {
  return [
    'Welcome to Coffer. Please confirm that this is your email address:',
    '',
    link,
    '',
    'The link works once, until ' + expiresAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC.',
    'If you did not create an account, ignore this email.',
  ].join('\n');
}
