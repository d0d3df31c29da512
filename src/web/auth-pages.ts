// Sign-in, sign-up and password-change pages, and the error page.

import { BalanceCurrencies } from '../core/assets.ts';
import { WebLimits } from '../core/limits.ts';
import { csrfField, errorSummary, inputField, radioField } from './forms.ts';
import type { FieldErrors } from './forms.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';

export function signInBody(csrf: string, values: { email: string; next: string }, errors: FieldErrors, signUpOpen: boolean, notice?: string): SafeHtml {
  return html`<div class="narrow">
<h1>Sign in</h1>
${notice ? html`<div class="notice success" role="status"><p>${notice}</p></div>` : ''}
${errorSummary(errors, { email: 'Email', password: 'Password' })}
<form method="post" action="/signin" novalidate>
${csrfField(csrf)}
<input type="hidden" name="next" value="${values.next}">
${inputField({ name: 'email', label: 'Email', type: 'email', value: values.email, autocomplete: 'username', inputmode: 'email', required: true, maxlength: WebLimits.emailLengthMax }, errors)}
${inputField({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true }, errors)}
<button type="submit">Sign in</button>
</form>
<p><a href="/forgot-password">Forgot your password?</a></p>
${signUpOpen ? html`<p>New here? <a href="/signup">Create an account</a>.</p>` : ''}
</div>`;
}

export function signUpBody(csrf: string, values: { email: string; currency: string }, errors: FieldErrors): SafeHtml {
  return html`<div class="narrow">
<h1>Create an account</h1>
<p>A personal Coffer account: add funds with bitcoin, lightning or stablecoins and spend the balance.</p>
${errorSummary(errors, { email: 'Email', password: 'Password', password_confirm: 'Repeat password', currency: 'Balance currency' })}
${Object.keys(errors).length > 0 ? html`<p class="muted" data-password-note>For your safety the passwords are not sent back: type them again.</p>` : ''}
<form method="post" action="/signup" novalidate>
${csrfField(csrf)}
${inputField({ name: 'email', label: 'Email', type: 'email', value: values.email, autocomplete: 'username', inputmode: 'email', required: true, maxlength: WebLimits.emailLengthMax }, errors)}
${inputField({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, hint: `At least ${WebLimits.passwordLengthMin} characters. A few unrelated words make a strong one.` }, errors)}
${inputField({ name: 'password_confirm', label: 'Repeat password', type: 'password', autocomplete: 'new-password', required: true }, errors)}
${radioField({ name: 'currency', legend: 'Balance currency', value: values.currency, options: BalanceCurrencies.map((c) => ({ value: c, label: c })), hint: 'The currency your balance is shown in first. You can add funds in any of them.' }, errors)}
<button type="submit">Create account</button>
</form>
<p>Already have an account? <a href="/signin">Sign in</a>.</p>
</div>`;
}

export function passwordBody(csrf: string, errors: FieldErrors, done: boolean): SafeHtml {
  return html`<div class="narrow">
<h1>Change password</h1>
${done ? html`<div class="notice success" role="status"><p>Your password was changed. Every other session was signed out.</p></div>` : ''}
${errorSummary(errors, { current_password: 'Current password', new_password: 'New password', new_password_confirm: 'Repeat new password' })}
<form method="post" action="/account/password" novalidate>
${csrfField(csrf)}
${inputField({ name: 'current_password', label: 'Current password', type: 'password', autocomplete: 'current-password', required: true }, errors)}
${inputField({ name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password', required: true, hint: `At least ${WebLimits.passwordLengthMin} characters.` }, errors)}
${inputField({ name: 'new_password_confirm', label: 'Repeat new password', type: 'password', autocomplete: 'new-password', required: true }, errors)}
<button type="submit">Change password</button>
</form>
</div>`;
}

export function errorBody(title: string, message: string, back: string): SafeHtml {
  return html`<div class="narrow"><h1>${title}</h1><p>${message}</p><p><a href="${back}">Go back</a></p></div>`;
}
