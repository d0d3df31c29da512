// The operator console's request helpers: its own cookies (session and CSRF seed, scoped to
// /admin/console so they never reach the customer website or the API), CSRF tokens as the
// website makes them (HMAC of a per-visitor seed, web-runtime.ts), the signed-in operator, role
// checks, and sending pages.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CofferError } from '../../core/errors.ts';
import { WebLimits } from '../../core/limits.ts';
import type { UseCases } from '../../usecases/use-cases.ts';
import type { SignedInOperator } from '../../usecases/operators.ts';
import { parseCookies, serializeCookie } from '../cookies.ts';
import { field } from '../forms.ts';
import type { SafeHtml } from '../html.ts';
import { consolePage } from './console-layout.ts';
import type { ConsoleNav } from './console-layout.ts';

export const CONSOLE_PREFIX = '/admin/console';
export const OPERATOR_SESSION_COOKIE = 'coffer_operator_session';
export const OPERATOR_CSRF_COOKIE = 'coffer_operator_csrf';
const SEED_RE = /^[A-Za-z0-9_-]{43}$/;

declare module 'fastify' {
  interface FastifyRequest {
    consoleCsrfSeed?: string | null;
    consoleCsrfToken?: string;
    consoleOperator?: SignedInOperator | null;
  }
}

export interface ConsoleContext {
  readonly useCases: UseCases;
  readonly auth: { clear(): void };
  readonly inFlight: Set<string>;
}

export interface ConsoleSettings {
  readonly secret: Buffer;
  readonly secureCookies: boolean | 'auto';
  readonly sandbox: boolean;
  /** How long redeliveries are retried (the webhook worker's max age). */
  readonly redeliveryMaxAgeMs: number;
}

export class ConsoleRuntime {
  constructor(readonly useCases: UseCases, readonly context: ConsoleContext, readonly settings: ConsoleSettings) {}

  #secure(request: FastifyRequest): boolean {
    return this.settings.secureCookies === 'auto' ? request.protocol === 'https' : this.settings.secureCookies;
  }

  #cookie(request: FastifyRequest, name: string, value: string, maxAgeSeconds: number): string {
    return serializeCookie(name, value, { secure: this.#secure(request), maxAgeSeconds, path: CONSOLE_PREFIX });
  }

  tokenFor(seed: string): string {
    return createHmac('sha256', this.settings.secret).update(`operator-csrf:${seed}`).digest('base64url');
  }

  prepare(request: FastifyRequest, reply: FastifyReply): void {
    const seed = parseCookies(request.headers.cookie).get(OPERATOR_CSRF_COOKIE);
    request.consoleCsrfSeed = seed !== undefined && SEED_RE.test(seed) ? seed : null;
    if (request.consoleCsrfSeed !== null) request.consoleCsrfToken = this.tokenFor(request.consoleCsrfSeed);
    else this.rotateCsrf(request, reply);
  }

  rotateCsrf(request: FastifyRequest, reply: FastifyReply): void {
    const seed = randomBytes(32).toString('base64url');
    reply.header('set-cookie', this.#cookie(request, OPERATOR_CSRF_COOKIE, seed, WebLimits.sessionTtlMs / 1000));
    request.consoleCsrfSeed = seed;
    request.consoleCsrfToken = this.tokenFor(seed);
  }

  csrfValid(request: FastifyRequest): boolean {
    if (!request.consoleCsrfSeed) return false;
    const expected = Buffer.from(this.tokenFor(request.consoleCsrfSeed));
    const actual = Buffer.from(field(request.body, '_csrf'));
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  sessionToken(request: FastifyRequest): string | undefined {
    return parseCookies(request.headers.cookie).get(OPERATOR_SESSION_COOKIE);
  }

  setSession(request: FastifyRequest, reply: FastifyReply, token: string): void {
    reply.header('set-cookie', this.#cookie(request, OPERATOR_SESSION_COOKIE, token, WebLimits.sessionTtlMs / 1000));
    this.rotateCsrf(request, reply);
  }

  clearSession(request: FastifyRequest, reply: FastifyReply): void {
    reply.header('set-cookie', this.#cookie(request, OPERATOR_SESSION_COOKIE, '', 0));
    this.rotateCsrf(request, reply);
  }

  /** The fully signed-in operator (the session guard has run). */
  operator(request: FastifyRequest): SignedInOperator {
    const signedIn = request.consoleOperator;
    if (!signedIn || signedIn.session.stage !== 'full') throw new CofferError('unauthorized', 'Sign in first');
    return signedIn;
  }

  /** Actions that change something: a read-only operator gets the same 404 as a missing page. */
  requireOperatorRole(request: FastifyRequest): SignedInOperator {
    const signedIn = this.operator(request);
    if (signedIn.operator.role !== 'operator') throw new CofferError('not_found', 'There is no page at this address.');
    return signedIn;
  }

  canAct(request: FastifyRequest): boolean {
    return request.consoleOperator?.operator.role === 'operator' && request.consoleOperator.session.stage === 'full';
  }

  send(request: FastifyRequest, reply: FastifyReply, status: number, title: string, body: SafeHtml, current?: ConsoleNav): FastifyReply {
    const signedIn = request.consoleOperator?.session.stage === 'full' ? request.consoleOperator : null;
    const markup = consolePage({
      title, body, csrf: request.consoleCsrfToken ?? '', sandbox: this.settings.sandbox, current,
      viewer: signedIn ? { email: signedIn.operator.email, role: signedIn.operator.role } : null,
    });
    return reply.status(status).type('text/html; charset=utf-8').send(markup.value);
  }
}
