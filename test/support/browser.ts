// Browsers for the website's tests: a real Chromium driven by playwright-core (Debian's
// /usr/bin/chromium; never downloaded), and a cookie-keeping client over Fastify's inject() for
// the form and validation suites.

import { existsSync } from 'node:fs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Browser } from 'playwright-core';
import { createWebPlugin } from '../../src/web/web-plugin.ts';
import type { WebOptions } from '../../src/web/web-plugin.ts';
import { openWorld, staticRates } from './harness.ts';
import type { Dialect, World, WorldOptions } from './harness.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why the browser suite is skipped on this machine, or false when Chromium is there. */
export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} is absent: install it with "apt-get install -y chromium" (CI does) to run the browser tests`;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

export const TEST_COOKIE_SECRET = 'test-cookie-secret-0123456789abcdef';

/** A world whose app serves the website (sandbox mode, BTC at 50,000 USD). */
export function openWebWorld(dialect: Dialect, web: WebOptions = {}, options: WorldOptions = {}): Promise<World> {
  return openWorld(dialect, {
    rates: staticRates({ 'BTC/USD': '50000', 'BTC/EUR': '40000' }), ...options,
    app: { ...options.app, plugins: [createWebPlugin({ cookieSecret: TEST_COOKIE_SECRET, sandbox: true, ...web })] },
  });
}

/** Follows cookies like a browser and remembers the CSRF token of the last page it loaded. */
export class InjectBrowser {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly app: FastifyInstance, private readonly headers: Record<string, string> = {}) {}

  #remember(res: LightMyRequestResponse): LightMyRequestResponse {
    const setCookie = res.headers['set-cookie'];
    for (const line of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/Max-Age=0/.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (token) this.csrf = token[1]!;
    return res;
  }

  #cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.#remember(await this.app.inject({ method: 'GET', url, headers: { ...this.headers, ...this.#cookieHeader(), ...headers } }));
  }

  /** POSTs a form; `csrf: false` leaves the token out, a string sends that token instead. */
  async post(url: string, fields: Record<string, string>, options: { csrf?: boolean | string; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
    const form = new URLSearchParams(fields);
    if (options.csrf !== false) form.set('_csrf', typeof options.csrf === 'string' ? options.csrf : this.csrf);
    return this.#remember(await this.app.inject({
      method: 'POST', url, payload: form.toString(),
      headers: { ...this.headers, ...this.#cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    }));
  }

  /** Signs up through the form and lands signed in. */
  async signUp(email: string, password = 'correct horse battery', currency = 'USD'): Promise<LightMyRequestResponse> {
    await this.get('/signup');
    return this.#follow(await this.post('/signup', { email, password, password_confirm: password, currency }));
  }

  async signIn(email: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/signin');
    return this.#follow(await this.post('/signin', { email, password }));
  }

  /** Loads the page a redirect points to, as a browser would (its forms carry the new token). */
  async #follow(res: LightMyRequestResponse): Promise<LightMyRequestResponse> {
    if (res.statusCode === 303 && typeof res.headers.location === 'string') await this.get(res.headers.location);
    return res;
  }
}

/** The text of the element with id `id` in `body` (first occurrence), tags stripped. */
export function textOf(body: string, id: string): string {
  const start = body.indexOf(`id="${id}"`);
  if (start < 0) return '';
  const tag = /<([a-z0-9]+)[^<]*$/.exec(body.slice(0, start))?.[1] ?? 'p';
  const open = body.indexOf('>', start) + 1;
  const close = body.indexOf(`</${tag}>`, open);
  return body.slice(open, close).replace(/<[^>]+>/g, '').trim();
}
