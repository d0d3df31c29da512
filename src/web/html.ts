// Strict HTML templating: every interpolated value is escaped unless it is already SafeHtml
// (built by this same tag). There is no other way to put text into a page, so forgetting to
// escape is not possible by construction.

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

type Renderable = SafeHtml | string | number | bigint | boolean | null | undefined | readonly Renderable[];

function render(value: Renderable): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<p>${userText}</p>\`` escapes userText. Attributes must be double-quoted. */
export function html(strings: TemplateStringsArray, ...values: readonly Renderable[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Trusted markup produced by a library we control the input of (the QR code's SVG). */
export function trustedMarkup(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

const SAFE_URL_RE = /^(\/(?!\/)|https?:\/\/)/i;
const SCHEME_RE = /^[a-z][a-z0-9+.-]*$/i;

/**
 * A URL for href: relative paths, http(s), and payment URIs of the schemes named (each rail
 * declares its own: bitcoin, lightning, ethereum, solana...); anything else becomes '#'.
 */
export function safeUrl(url: string, paymentSchemes: readonly string[] = []): string {
  if (SAFE_URL_RE.test(url)) return url;
  const colon = url.indexOf(':');
  const scheme = colon > 0 ? url.slice(0, colon).toLowerCase() : '';
  const dangerous = scheme === 'javascript' || scheme === 'data' || scheme === 'vbscript';
  return !dangerous && SCHEME_RE.test(scheme) && paymentSchemes.some((s) => s.toLowerCase() === scheme) ? url : '#';
}
