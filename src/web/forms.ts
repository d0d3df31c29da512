// Form pieces with accessible error reporting: each error sits next to its field, is tied to it
// with aria-describedby, and an error summary at the top links to the fields (so a keyboard or
// screen-reader user lands on the problem).

import { randomBytes } from 'node:crypto';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';

export type FieldErrors = Readonly<Record<string, string>>;

/**
 * A fresh idempotency key for a form that creates something (web-idempotency.ts): submitting the
 * same rendered form twice (a double click, a resubmit after a lost answer) creates it once.
 */
export function idempotencyField(): SafeHtml {
  return html`<input type="hidden" name="idempotency_key" value="${randomBytes(16).toString('base64url')}">`;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export function errorSummary(errors: FieldErrors, labels: Readonly<Record<string, string>> = {}): SafeHtml {
  const entries = Object.entries(errors);
  if (entries.length === 0) return html``;
  return html`<div class="notice error" role="alert" tabindex="-1" id="error-summary"><h2>There is a problem</h2><ul>
${entries.map(([field, message]) => html`<li>${field === 'form' ? message : html`<a href="#${field}">${labels[field] ? `${labels[field]}: ` : ''}${message}</a>`}</li>`)}
</ul></div>`;
}

export interface InputSpec {
  readonly name: string;
  /** The element id when a page repeats a form (default: the name). */
  readonly id?: string;
  readonly label: string;
  readonly type?: 'text' | 'email' | 'password';
  readonly value?: string;
  readonly autocomplete?: string;
  readonly hint?: string;
  readonly inputmode?: 'decimal' | 'email' | 'text';
  readonly required?: boolean;
  readonly maxlength?: number;
}

export function inputField(spec: InputSpec, errors: FieldErrors): SafeHtml {
  const error = errors[spec.name];
  const id = spec.id ?? spec.name;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [spec.hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ');
  // Passwords are never echoed back into the page.
  const value = spec.type === 'password' ? '' : spec.value ?? '';
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${spec.label}</label>
${spec.hint ? html`<p class="hint" id="${hintId}">${spec.hint}</p>` : ''}
${error ? html`<p class="error" id="${errorId}"><span class="sr-only">Error: </span>${error}</p>` : ''}
<input id="${id}" name="${spec.name}" type="${spec.type ?? 'text'}" value="${value}"${spec.autocomplete ? html` autocomplete="${spec.autocomplete}"` : ''}${spec.inputmode ? html` inputmode="${spec.inputmode}"` : ''}${spec.required ? html` required` : ''}${spec.maxlength ? html` maxlength="${spec.maxlength}"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${error ? html` aria-invalid="true"` : ''}>
</div>`;
}

export interface ChoiceSpec {
  readonly name: string;
  readonly legend: string;
  readonly options: ReadonlyArray<{ value: string; label: string; hint?: string }>;
  readonly value: string;
  readonly hint?: string;
}

export function radioField(spec: ChoiceSpec, errors: FieldErrors): SafeHtml {
  const error = errors[spec.name];
  return html`<fieldset class="field${error ? ' invalid' : ''}" id="${spec.name}"${error ? html` aria-describedby="${spec.name}-error"` : ''}>
<legend>${spec.legend}</legend>
${spec.hint ? html`<p class="hint">${spec.hint}</p>` : ''}
${error ? html`<p class="error" id="${spec.name}-error"><span class="sr-only">Error: </span>${error}</p>` : ''}
<div class="choices">${spec.options.map((o, i) => html`<label><input type="radio" name="${spec.name}" value="${o.value}"${o.value === spec.value ? html` checked` : ''}${i === 0 ? html` id="${spec.name}-first"` : ''}> ${o.label}${o.hint ? html` <span class="muted">${o.hint}</span>` : ''}</label>`)}</div>
</fieldset>`;
}

/** Reads a form field as a string ('' when absent or not a string). */
export function field(body: unknown, name: string): string {
  if (body === null || typeof body !== 'object') return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}
