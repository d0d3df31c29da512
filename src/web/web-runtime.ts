// Per-plugin state and the request helpers every web route uses: cookies (session and CSRF
// seed), CSRF tokens, the signed-in user, and sending pages.
//
// CSRF: every visitor gets a random seed in an HttpOnly, SameSite=Lax cookie; the token in each
// form is HMAC(secret, seed). A POST is accepted only when its token matches the seed cookie it
// came with. The seed is replaced on sign-in, sign-up, sign-out and password change, so a token
// learned before one of those is worthless after it.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UseCases } from '../usecases/use-cases.ts';
import type { SignedIn } from '../usecases/web-sessions.ts';
import { WebLimits } from '../core/limits.ts';
import { parseCookies, serializeCookie } from './cookies.ts';
import { field } from './forms.ts';
import { page } from './layout.ts';
import type { NavItem } from './layout.ts';
import type { SafeHtml } from './html.ts';
import type { Mailer } from './mailer.ts';

export const SESSION_COOKIE = 'coffer_session';
export const CSRF_COOKIE = 'coffer_csrf';
const SEED_RE = /^[A-Za-z0-9_-]{43}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The CSRF seed this request carried in its cookie (null: none, or a malformed one). */
    webCsrfSeed?: string | null;
    /** Token to embed in forms of the page being rendered. */
    webCsrfToken?: string;
    webSignedIn?: SignedIn | null;
  }
}

/** What the website needs of the app context (structurally satisfied by http's AppContext). */
export interface WebAppContext {
  readonly useCases: UseCases;
  readonly auth: { clear(): void };
  /** Idempotency keys this process is running (shared with the API: usecases/idempotency.ts runOnce). */
  readonly inFlight: Set<string>;
}

export interface WebSettings {
  readonly secret: Buffer;
  readonly secureCookies: boolean | 'auto';
  readonly sandbox: boolean;
  readonly signUp: boolean;
  /** Password-reset email: the mailer and the website's public address for links; null: recovery by the operator. */
  readonly mail: { readonly mailer: Mailer; readonly publicUrl: string } | null;
  /** Block-explorer link per method id, `{txid}` replaced by the transaction id (receipts link to it). */
  readonly explorers: Readonly<Record<string, string>>;
}

export class WebRuntime {
  constructor(readonly useCases: UseCases, readonly context: WebAppContext, readonly settings: WebSettings) {}

  tokenFor(seed: string): string {
    return createHmac('sha256', this.settings.secret).update(`csrf:${seed}`).digest('base64url');
  }

  secure(request: FastifyRequest): boolean {
    return this.settings.secureCookies === 'auto' ? request.protocol === 'https' : this.settings.secureCookies;
  }

  /** onRequest: reads the CSRF seed cookie, or plants a fresh one for this visitor. */
  prepare(request: FastifyRequest, reply: FastifyReply): void {
    const seed = parseCookies(request.headers.cookie).get(CSRF_COOKIE);
    request.webCsrfSeed = seed !== undefined && SEED_RE.test(seed) ? seed : null;
    if (request.webCsrfSeed !== null) request.webCsrfToken = this.tokenFor(request.webCsrfSeed);
    else this.rotateCsrf(request, reply);
  }

  rotateCsrf(request: FastifyRequest, reply: FastifyReply): void {
    const seed = randomBytes(32).toString('base64url');
    reply.header('set-cookie', serializeCookie(CSRF_COOKIE, seed, { secure: this.secure(request), maxAgeSeconds: WebLimits.sessionTtlMs / 1000 }));
    request.webCsrfToken = this.tokenFor(seed);
  }

  /** True when the form's _csrf field (or X-CSRF-Token header) matches the request's seed cookie. */
  csrfValid(request: FastifyRequest): boolean {
    if (!request.webCsrfSeed) return false;
    const header = request.headers['x-csrf-token'];
    const given = field(request.body, '_csrf') || (typeof header === 'string' ? header : '');
    const expected = Buffer.from(this.tokenFor(request.webCsrfSeed));
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  sessionToken(request: FastifyRequest): string | undefined {
    return parseCookies(request.headers.cookie).get(SESSION_COOKIE);
  }

  setSession(request: FastifyRequest, reply: FastifyReply, token: string): void {
    reply.header('set-cookie', serializeCookie(SESSION_COOKIE, token, { secure: this.secure(request), maxAgeSeconds: WebLimits.sessionTtlMs / 1000 }));
    this.rotateCsrf(request, reply);
  }

  clearSession(request: FastifyRequest, reply: FastifyReply): void {
    reply.header('set-cookie', serializeCookie(SESSION_COOKIE, '', { secure: this.secure(request), maxAgeSeconds: 0 }));
    this.rotateCsrf(request, reply);
  }

  send(request: FastifyRequest, reply: FastifyReply, status: number, title: string, body: SafeHtml, current?: NavItem): FastifyReply {
    const signedIn = request.webSignedIn ?? null;
    const markup = page({
      // A refused form or an error page says so in the title, which screen readers announce first.
      title: status >= 400 ? `Error: ${title}` : title, body, csrf: request.webCsrfToken ?? '', sandbox: this.settings.sandbox, current,
      viewer: signedIn ? { email: signedIn.user.email, accountType: signedIn.account.type } : null,
    });
    return reply.status(status).type('text/html; charset=utf-8').send(markup.value);
  }
}
