// Just enough cookie handling for two cookies (session and CSRF seed): parse the Cookie header,
// write Set-Cookie with the attributes the website always wants.

import { WebLimits } from '../core/limits.ts';

const NAME_RE = /^[A-Za-z0-9_-]+$/;
const VALUE_RE = /^[A-Za-z0-9_-]*$/;

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header || header.length > WebLimits.cookieHeaderLengthMax) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    // Our cookies are base64url; anything else is not ours and is ignored.
    if (NAME_RE.test(name) && VALUE_RE.test(value) && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface CookieOptions {
  readonly maxAgeSeconds?: number;
  readonly secure: boolean;
  /** Path attribute; default '/'. The operator console scopes its cookies to its own prefix. */
  readonly path?: string;
}

/** HttpOnly + SameSite=Lax always, Path=/ unless given; Secure when served over TLS. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!NAME_RE.test(name) || !VALUE_RE.test(value)) throw new Error(`cookie ${name}: unexpected characters`);
  const path = options.path ?? '/';
  if (!/^\/[A-Za-z0-9/_-]*$/.test(path)) throw new Error(`cookie ${name}: unexpected path ${path}`);
  const parts = [`${name}=${value}`, `Path=${path}`, 'HttpOnly', 'SameSite=Lax'];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
