// Proves account recovery (issue 18, item 1) on every dialect, with the email going through a
// real SMTP conversation (nodemailer → an in-process `smtp-server`): the same answer whether or
// not the email has a login; the emailed link resets the password once, ends every session and
// lifts a sign-in lock; links expire, are stored only hashed, and die when a newer password is
// set; requests are rate-limited per email and per client address through the sign-in throttle,
// also under a concurrent burst. Without SMTP the page says recovery is by the operator and
// `coffer web-login reset-link` issues a link. Then the whole path in a real Chromium.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { dialects } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { chromiumMissing, InjectBrowser, launchChromium, openWebWorld, textOf } from './support/browser.ts';
import { startSmtpSink } from './support/smtp-sink.ts';
import type { SmtpSink } from './support/smtp-sink.ts';
import { printedJson } from './support/cli-output.ts';
import { webLoginCommand } from '../src/cli/web-command.ts';
import { WebLimits } from '../src/core/limits.ts';
import { resetTokenIdOf } from '../src/usecases/web-password-reset.ts';
import { redactPathSecrets } from '../src/http/app.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const PUBLIC_URL = 'https://coffer.test';
const FROM = 'Coffer <no-reply@coffer.test>';
const RESET = /Reset your Coffer password/;

function linkIn(text: string, base = PUBLIC_URL): string {
  const match = new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/reset-password/[A-Za-z0-9_-]{43})`).exec(text);
  assert.ok(match, `a reset link in: ${text}`);
  return match[1]!;
}

/** The page without what differs per request (CSRF token, idempotency key). */
const comparable = (body: string) => body.replace(/value="[A-Za-z0-9_-]{20,}"/g, 'value="…"');

for (const dialect of dialects()) {
  describe(`account recovery by email (${dialect})`, () => {
    let world: World;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await startSmtpSink();
      world = await openWebWorld(dialect, { smtpUrl: smtp.url, smtpFrom: FROM, publicUrl: PUBLIC_URL }, { app: { trustProxy: true } });
    });
    after(async () => { await world.close(); await smtp.close(); });

    const visitor = (ip: string) => new InjectBrowser(world.app, { 'x-forwarded-for': ip });

    test('the same answer for a real and an unknown email; only the real one gets the link, which resets once and ends every session', async () => {
      const owner = visitor('10.1.0.1');
      await owner.signUp('reset.me@example.com');
      assert.equal((await owner.get('/account')).statusCode, 200);

      const b = visitor('10.1.0.2');
      const signin = await b.get('/signin');
      assert.match(signin.body, /href="\/forgot-password"/);
      await b.get('/forgot-password');
      const known = await b.post('/forgot-password', { email: ' Reset.Me@Example.com ' });
      const unknown = await b.post('/forgot-password', { email: 'reset.me@example.org' });
      assert.equal(known.statusCode, 200);
      assert.equal(unknown.statusCode, 200);
      assert.equal(comparable(known.body).replace('reset.me@example.com', 'X'), comparable(unknown.body).replace('reset.me@example.org', 'X'));

      const mail = await smtp.next('reset.me@example.com', RESET);
      assert.equal(mail.from, 'no-reply@coffer.test');
      assert.match(mail.headers.get('subject') ?? '', /Reset your Coffer password/);
      const path = linkIn(mail.text);
      assert.equal(smtp.received.filter((m) => m.to.includes('reset.me@example.org')).length, 0, 'no email for an unknown address');
      const token = path.split('/').pop()!;
      assert.equal(redactPathSecrets(`${path}?x=1`), '/reset-password/[redacted]?x=1', 'request logs never show the token');
      // Stored only as a hash.
      const row = await world.deps.store.web.liveResetToken(resetTokenIdOf(token), world.clock.now());
      assert.ok(row);
      assert.notEqual(row.id, token);

      const form = await b.get(path);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /Choose a new password/);
      let res = await b.post('/reset-password', { token, password: 'short', password_confirm: 'short' });
      assert.equal(res.statusCode, 400);
      assert.match(textOf(res.body, 'password-error'), /at least/);
      res = await b.post('/reset-password', { token, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/signin?reset=1');

      // The session signed in before the reset is over; the old password no longer works.
      assert.equal((await owner.get('/account')).statusCode, 303);
      await b.get('/forgot-password');
      const again = await b.post('/reset-password', { token, password: 'yet another passphrase', password_confirm: 'yet another passphrase' });
      assert.equal(again.statusCode, 404, 'a link works once');
      assert.match(again.body, /not valid any more/);
      assert.equal((await visitor('10.1.0.3').signIn('reset.me@example.com', PASSWORD)).statusCode, 401);
      assert.equal((await visitor('10.1.0.3').signIn('reset.me@example.com', NEW_PASSWORD)).headers.location, '/account');
    });

    test('a link expires, and a password change makes an unused link worthless', async () => {
      const owner = visitor('10.2.0.1');
      await owner.signUp('expire.me@example.com');
      const b = visitor('10.2.0.2');
      await b.get('/forgot-password');
      await b.post('/forgot-password', { email: 'expire.me@example.com' });
      const first = linkIn((await smtp.next('expire.me@example.com', RESET)).text);
      world.clock.advance(WebLimits.resetTokenTtlMs + 1000);
      assert.equal((await b.get(first)).statusCode, 404);

      await b.post('/forgot-password', { email: 'expire.me@example.com' });
      const second = linkIn((await smtp.next('expire.me@example.com', RESET)).text);
      assert.equal((await b.get(second)).statusCode, 200);
      await owner.get('/account/password');
      await owner.post('/account/password', { current_password: PASSWORD, new_password: NEW_PASSWORD, new_password_confirm: NEW_PASSWORD });
      assert.equal((await b.get(second)).statusCode, 404, 'changing the password kills older links');
    });

    test('requests are limited per email (the same answer for an unknown one) and per client address, also for a simultaneous burst', async () => {
      const b = visitor('10.3.0.1');
      await b.get('/forgot-password');
      const burst = await Promise.all(Array.from({ length: 8 }, () => b.post('/forgot-password', { email: 'nobody@example.net' })));
      const statuses = burst.map((r) => r.statusCode).sort();
      assert.equal(statuses.filter((s) => s === 200).length, WebLimits.resetRequestsPerEmailMax, `statuses: ${statuses.join(',')}`);
      const refused = burst.find((r) => r.statusCode === 429)!;
      assert.match(textOf(refused.body, 'error-summary'), /Too many password-reset requests/);
      assert.ok(Number(refused.headers['retry-after']) > 0);
      assert.match(refused.body, /value="nobody@example.net"/, 'what was typed is kept');

      const many = visitor('10.3.0.2');
      await many.get('/forgot-password');
      const answers: number[] = [];
      for (let i = 0; i < WebLimits.resetRequestsPerAddressMax + 1; i++) answers.push((await many.post('/forgot-password', { email: `n${i}@example.net` })).statusCode);
      assert.deepEqual(answers.slice(0, -1).filter((s) => s !== 200), []);
      assert.equal(answers.at(-1), 429);
    });

    test('sign-up sends a confirmation link: following it confirms the email once; it can never reset the password', async () => {
      const b = visitor('10.5.0.1');
      await b.signUp('confirm.me@example.com');
      const dash = await b.get('/account');
      assert.match(dash.body, /data-confirm-email/);
      const mail = await smtp.next('confirm.me@example.com', /Confirm your email/);
      assert.match(mail.headers.get('subject') ?? '', /Confirm your email/);
      const path = new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}(/verify-email/[A-Za-z0-9_-]{43})`).exec(mail.text)?.[1];
      assert.ok(path, mail.text);
      const token = path.split('/').pop()!;
      assert.equal((await b.get(`/reset-password/${token}`)).statusCode, 404, 'a confirmation link is not a reset link');
      await b.get('/forgot-password');
      assert.equal((await b.post('/reset-password', { token, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD })).statusCode, 404);
      const confirmed = await b.get(path);
      assert.equal(confirmed.statusCode, 200);
      assert.match(confirmed.body, /data-email-confirmed/);
      assert.equal((await b.get(path)).statusCode, 404, 'once');
      assert.ok((await world.deps.store.web.userByEmail('confirm.me@example.com'))?.emailVerifiedAt);
      assert.doesNotMatch((await b.get('/account')).body, /data-confirm-email/);
    });

    test('a reset lifts a sign-in lock on the email', async () => {
      await visitor('10.4.0.1').signUp('locked.out@example.com');
      const attacker = visitor('10.4.0.2');
      for (let i = 0; i < WebLimits.loginFailuresPerEmailMax; i++) await attacker.signIn('locked.out@example.com', 'wrong password!!');
      assert.equal((await visitor('10.4.0.3').signIn('locked.out@example.com', PASSWORD)).statusCode, 429);
      const b = visitor('10.4.0.3');
      await b.get('/forgot-password');
      await b.post('/forgot-password', { email: 'locked.out@example.com' });
      const path = linkIn((await smtp.next('locked.out@example.com', RESET)).text);
      await b.get(path);
      await b.post('/reset-password', { token: path.split('/').pop()!, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
      assert.equal((await visitor('10.4.0.3').signIn('locked.out@example.com', NEW_PASSWORD)).headers.location, '/account');
    });
  });

  describe(`account recovery without SMTP (${dialect})`, () => {
    let world: World;
    before(async () => { world = await openWebWorld(dialect); });
    after(() => world.close());

    test('the page says recovery is by the operator, and `coffer web-login reset-link` issues a working link', async () => {
      const b = new InjectBrowser(world.app);
      await b.signUp('operator.help@example.com');
      const anon = new InjectBrowser(world.app);
      const page = await anon.get('/forgot-password');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-recovery="operator"/);
      assert.doesNotMatch((await b.get('/account')).body, /data-confirm-email/, 'no confirmation asked when no email is sent');
      assert.match(page.body, /recovery is done by its operator/);
      assert.doesNotMatch(page.body, /<form method="post" action="\/forgot-password"/);

      const out = await printedJson(() => webLoginCommand(world.useCases, ['reset-link', '--email', 'Operator.Help@example.com', '--json'], () => '', 'https://pay.example.com/')) as { email: string; link: string };
      assert.equal(out.email, 'operator.help@example.com');
      const path = linkIn(out.link, 'https://pay.example.com');
      await anon.get(path);
      const res = await anon.post('/reset-password', { token: path.split('/').pop()!, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
      assert.equal(res.statusCode, 303);
      assert.equal((await b.get('/account')).statusCode, 303, 'sessions ended');
      assert.equal((await new InjectBrowser(world.app).signIn('operator.help@example.com', NEW_PASSWORD)).headers.location, '/account');
      await assert.rejects(webLoginCommand(world.useCases, ['reset-link', '--email', 'nobody@example.com'], () => '', 'https://pay.example.com'), /No website login/);
    });
  });
}

const missing = chromiumMissing();
describe('account recovery in a real browser', { skip: missing }, () => {
  let world: World;
  let smtp: SmtpSink;
  let browser: Browser;
  let base = '';

  before(async () => {
    smtp = await startSmtpSink();
    // The emailed link must carry the site's public address, known before the app listens: take a free port first.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    base = `http://127.0.0.1:${port}`;
    world = await openWebWorld('sqlite', { smtpUrl: smtp.url, smtpFrom: FROM, publicUrl: base });
    await world.app.listen({ host: '127.0.0.1', port });
    browser = await launchChromium();
  });
  after(async () => { await browser?.close(); await world?.close(); await smtp?.close(); });

  test('forgot password → the emailed link → a new password → signed in with it; the other browser is signed out', async () => {
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${base}/signup`);
    await other.getByLabel('Email').fill('dora@example.com');
    await other.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await other.getByLabel('Repeat password').fill(PASSWORD);
    await other.getByRole('button', { name: 'Create account' }).click();
    await other.waitForURL(`${base}/account`);

    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await page.goto(`${base}/signin`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill('dora@example.com');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    const mail = await smtp.next('dora@example.com', RESET);
    const link = /http:\/\/127\.0\.0\.1:\d+\/reset-password\/[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0];
    assert.ok(link, mail.text);
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.waitForURL(`${base}/signin?reset=1`);
    assert.ok(await page.getByText('Your password was changed').isVisible());
    await page.getByLabel('Email').fill('dora@example.com');
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/account`);

    await other.goto(`${base}/account`);
    assert.ok(other.url().startsWith(`${base}/signin`), `the other session ended: ${other.url()}`);
    await page.goto(link);
    assert.ok(await page.getByRole('heading', { name: 'This link does not work' }).isVisible());
  });
});
