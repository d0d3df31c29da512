// Proves the website's login forms on every dialect: server-side validation with messages next
// to the field and nothing stored on error, HTML escaping of echoed input, CSRF on every POST,
// session cookie attributes, sign-out, throttled sign-in, password change, and business API keys
// (secret shown once; a revoked key gets 401 from /v2).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, countWebUsers, throttleFailures } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { InjectBrowser, openWebWorld, textOf } from './support/browser.ts';
import { printedJson } from './support/cli-output.ts';
import { createAccount } from '../src/usecases/manage-accounts.ts';
import { attachLogin } from '../src/usecases/web-attach-login.ts';
import { chargeAccount } from '../src/usecases/charge-account.ts';
import { webLoginCommand } from '../src/cli/web-command.ts';
import { WebLimits } from '../src/core/limits.ts';
import { purgeExpiredSessions } from '../src/usecases/web-sessions.ts';

const PASSWORD = 'correct horse battery';

for (const dialect of dialects()) {
  describe(`website forms (${dialect})`, () => {
    let world: World;
    before(async () => { world = await openWebWorld(dialect, {}, { app: { trustProxy: true } }); });
    after(() => world.close());
    const users = () => countWebUsers(world);
    const accounts = async () => (await world.deps.store.accounts.list(1000, 0)).length;

    test('sign-up refuses bad input next to the field, escapes what it echoes, and stores nothing', async () => {
      const b = new InjectBrowser(world.app);
      const [usersBefore, accountsBefore] = [await users(), await accounts()];
      await b.get('/signup');
      const xss = '<script>alert(1)</script>@evil.example';
      let res = await b.post('/signup', { email: xss, password: PASSWORD, password_confirm: PASSWORD, currency: 'USD' });
      assert.equal(res.statusCode, 400);
      assert.match(textOf(res.body, 'email-error'), /Enter an email address/);
      assert.ok(!res.body.includes('<script>alert(1)'), 'echoed email must be escaped');
      assert.ok(res.body.includes('value="&lt;script&gt;alert(1)&lt;/script&gt;@evil.example"'));
      assert.match(res.body, /aria-invalid="true"/);
      res = await b.post('/signup', { email: 'short@example.com', password: 'short', password_confirm: 'short', currency: 'USD' });
      assert.equal(res.statusCode, 400);
      assert.match(textOf(res.body, 'password-error'), new RegExp(`at least ${WebLimits.passwordLengthMin}`));
      assert.ok(!res.body.includes('value="short"'), 'passwords are never echoed');
      res = await b.post('/signup', { email: 'differ@example.com', password: PASSWORD, password_confirm: PASSWORD + 'x', currency: 'USD' });
      assert.match(textOf(res.body, 'password_confirm-error'), /differ/);
      res = await b.post('/signup', { email: 'cur@example.com', password: PASSWORD, password_confirm: PASSWORD, currency: 'DOGE' });
      assert.match(textOf(res.body, 'currency-error'), /USD, EUR or BTC/);
      assert.equal(await users(), usersBefore);
      assert.equal(await accounts(), accountsBefore);
    });

    test('sign-up reports every problem at once, keeps the email and currency, and titles the page as an error', async () => {
      const b = new InjectBrowser(world.app);
      await b.get('/signup');
      const res = await b.post('/signup', { email: 'not-an-email', password: 'short', password_confirm: 'other', currency: 'EUR' });
      assert.equal(res.statusCode, 400);
      assert.match(textOf(res.body, 'email-error'), /Enter an email address/);
      assert.match(textOf(res.body, 'password-error'), /at least/);
      assert.match(textOf(res.body, 'password_confirm-error'), /differ/);
      assert.match(res.body, /value="not-an-email"/);
      assert.match(res.body, /value="EUR" checked/);
      assert.match(res.body, /<title>Error: Create an account · Coffer<\/title>/);
      assert.match(res.body, /passwords are not sent back/);
      assert.ok(!res.body.includes('value="short"'), 'passwords are never echoed');
    });

    test('sign-up creates a personal account, signs in with HttpOnly SameSite=Lax cookies, and refuses a second use of the email', async () => {
      const b = new InjectBrowser(world.app);
      const res = await b.signUp('New.User@Example.com');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/account');
      const cookies = ([] as string[]).concat(res.headers['set-cookie'] as string[]);
      const session = cookies.find((c) => c.startsWith('coffer_session='))!;
      assert.match(session, /HttpOnly/);
      assert.match(session, /SameSite=Lax/);
      assert.doesNotMatch(session, /Secure/, 'plain http: no Secure flag');
      const user = await world.deps.store.web.userByEmail('new.user@example.com');
      assert.ok(user);
      assert.equal((await world.deps.store.accounts.get(user.accountId))?.type, 'personal');
      const dash = await b.get('/account');
      assert.equal(dash.statusCode, 200);
      assert.match(dash.body, /0\.00 USD/);
      assert.equal(dash.headers['cache-control'], 'no-store');
      assert.match(String(dash.headers['content-security-policy']), /default-src 'none'/);
      const again = await new InjectBrowser(world.app).signUp('new.user@example.com');
      assert.equal(again.statusCode, 409);
      assert.match(textOf(again.body, 'email-error'), /already exists/);
    });

    test('behind TLS (X-Forwarded-Proto with trustProxy) the cookies are Secure', async () => {
      const b = new InjectBrowser(world.app, { 'x-forwarded-proto': 'https' });
      const res = await b.signUp('tls@example.com');
      for (const cookie of ([] as string[]).concat(res.headers['set-cookie'] as string[])) assert.match(cookie, /; Secure/);
    });

    test('a POST without the CSRF token, or with another visitor\'s, is a 403 and changes nothing', async () => {
      const before = await users();
      const b = new InjectBrowser(world.app);
      await b.get('/signup');
      let res = await b.post('/signup', { email: 'csrf@example.com', password: PASSWORD, password_confirm: PASSWORD, currency: 'USD' }, { csrf: false });
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /Nothing was changed/);
      const other = new InjectBrowser(world.app);
      await other.get('/signup');
      res = await b.post('/signup', { email: 'csrf@example.com', password: PASSWORD, password_confirm: PASSWORD, currency: 'USD' }, { csrf: other.csrf });
      assert.equal(res.statusCode, 403);
      assert.equal(await users(), before);
      // Signed in, a missing token on add-funds stores no invoice either.
      const signed = new InjectBrowser(world.app);
      await signed.signUp('csrf2@example.com');
      await signed.get('/account/add-funds');
      res = await signed.post('/account/add-funds', { currency: 'USD', amount: '10', payment_method: 'bitcoin' }, { csrf: false });
      assert.equal(res.statusCode, 403);
      const user = await world.deps.store.web.userByEmail('csrf2@example.com');
      assert.equal((await world.deps.store.invoices.page({ accountId: user!.accountId, start: 0, limit: 10 })).length, 0);
    });

    test('wrong password and unknown email get the same 401; sign-out ends the session', async () => {
      const b = new InjectBrowser(world.app);
      await b.signUp('signin@example.com');
      await b.post('/signout', {});
      assert.equal((await b.get('/account')).statusCode, 303);
      let res = await b.signIn('signin@example.com', 'not the password');
      assert.equal(res.statusCode, 401);
      assert.equal(textOf(res.body, 'password-error'), 'Error: Wrong email or password');
      assert.ok(res.body.includes('value="signin@example.com"'));
      res = await b.signIn('nobody@example.com', 'not the password');
      assert.equal(res.statusCode, 401);
      assert.equal(textOf(res.body, 'password-error'), 'Error: Wrong email or password');
      res = await b.signIn('SIGNIN@example.com', PASSWORD);
      assert.equal(res.statusCode, 303);
      assert.equal((await b.get('/account')).statusCode, 200);
    });

    test('unsigned visitors are sent to sign-in and come back where they were going (never off-site)', async () => {
      const b = new InjectBrowser(world.app);
      const res = await b.get('/account/add-funds');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/signin?next=%2Faccount%2Fadd-funds');
      await b.signUp('next@example.com');
      await b.post('/signout', {});
      await b.get('/signin?next=/account/add-funds');
      const back = await b.post('/signin', { email: 'next@example.com', password: PASSWORD, next: '/account/add-funds' });
      assert.equal(back.headers.location, '/account/add-funds');
      await b.get('/account');
      await b.post('/signout', {});
      await b.get('/signin');
      const offsite = await b.post('/signin', { email: 'next@example.com', password: PASSWORD, next: '//evil.example/' });
      assert.equal(offsite.headers.location, '/account');
    });

    test('sign-in locks after repeated failures for that email, even with the right password, until the lock passes', async () => {
      const b = new InjectBrowser(world.app);
      await b.signUp('throttle@example.com');
      await b.post('/signout', {});
      for (let i = 0; i < WebLimits.loginFailuresPerEmailMax; i++) assert.equal((await b.signIn('throttle@example.com', 'wrong password!')).statusCode, 401);
      const locked = await b.signIn('throttle@example.com', PASSWORD);
      assert.equal(locked.statusCode, 429);
      assert.match(locked.body, /Too many failed sign-ins/);
      assert.ok(Number(locked.headers['retry-after']) > 0);
      world.clock.advance(WebLimits.loginLockMs + 1000);
      assert.equal((await b.signIn('throttle@example.com', PASSWORD)).statusCode, 303);
    });

    test('password change checks the current password, ends other sessions and replaces the password', async () => {
      const b = new InjectBrowser(world.app);
      await b.signUp('pw@example.com');
      const other = new InjectBrowser(world.app);
      assert.equal((await other.signIn('pw@example.com', PASSWORD)).statusCode, 303);
      await b.get('/account/password');
      let res = await b.post('/account/password', { current_password: 'wrong one here', new_password: 'a brand new passphrase', new_password_confirm: 'a brand new passphrase' });
      assert.equal(res.statusCode, 401);
      assert.match(textOf(res.body, 'current_password-error'), /not right/);
      res = await b.post('/account/password', { current_password: PASSWORD, new_password: 'a brand new passphrase', new_password_confirm: 'different' });
      assert.equal(res.statusCode, 400);
      assert.match(textOf(res.body, 'new_password_confirm-error'), /differ/);
      res = await b.post('/account/password', { current_password: PASSWORD, new_password: 'a brand new passphrase', new_password_confirm: 'a brand new passphrase' });
      assert.equal(res.statusCode, 303);
      assert.equal((await b.get('/account')).statusCode, 200, 'this session continues');
      assert.equal((await other.get('/account')).statusCode, 303, 'the other session ended');
      assert.equal((await new InjectBrowser(world.app).signIn('pw@example.com', PASSWORD)).statusCode, 401);
      assert.equal((await new InjectBrowser(world.app).signIn('pw@example.com', 'a brand new passphrase')).statusCode, 303);
    });

    test('a business account creates a key (secret shown once, label escaped), uses it, revokes it: then 401', async () => {
      const { account } = await createAccount(world.deps, { type: 'business', currency: 'USD' });
      await attachLogin(world.deps, { accountId: account.id, email: 'biz@example.com', password: PASSWORD });
      const b = new InjectBrowser(world.app);
      assert.equal((await b.signIn('biz@example.com', PASSWORD)).statusCode, 303);
      await b.get('/account/keys');
      const posted = await b.post('/account/keys', { label: '<img src=x onerror=alert(1)>' });
      // POST-redirect-GET: the answer to the POST is a redirect; the GET shows the secret once.
      assert.equal(posted.statusCode, 303);
      assert.equal(posted.headers.location, '/account/keys#new-key');
      const created = await b.get('/account/keys');
      const apiId = textOf(created.body, 'new-api-id');
      const apiSecret = textOf(created.body, 'new-api-secret');
      assert.match(apiSecret, /^[0-9a-f]{64}$/);
      assert.ok(!created.body.includes('<img src=x'));
      assert.ok(created.body.includes('&lt;img src=x onerror=alert(1)&gt;'));
      const listed = await b.get('/account/keys');
      assert.ok(!listed.body.includes(apiSecret), 'the secret is never shown again (a reload shows nothing)');
      assert.equal((await world.deps.store.accounts.listCredentials(account.id)).filter((c) => c.revokedAt === null && c.id === apiId).length, 1);
      assert.ok(listed.body.includes(apiId));
      const auth = { authorization: 'Basic ' + Buffer.from(`${apiId}:${apiSecret}`).toString('base64') };
      assert.equal((await world.app.inject({ method: 'GET', url: '/v2/accounts/balance', headers: auth })).statusCode, 200);
      // Revoking asks first: the list links to a confirmation; a POST without it only asks.
      assert.match(listed.body, new RegExp(`href="/account/keys/${apiId}/revoke"`));
      const asked = await b.get(`/account/keys/${apiId}/revoke`);
      assert.match(asked.body, /Yes, revoke this key/);
      assert.equal((await b.post(`/account/keys/${apiId}/revoke`, {})).statusCode, 200);
      assert.equal((await world.app.inject({ method: 'GET', url: '/v2/accounts/balance', headers: auth })).statusCode, 200, 'not revoked without confirmation');
      const revoked = await b.post(`/account/keys/${apiId}/revoke`, { confirm: 'yes' });
      assert.equal(revoked.statusCode, 303);
      const after = await world.app.inject({ method: 'GET', url: '/v2/accounts/balance', headers: auth });
      assert.equal(after.statusCode, 401);
      assert.match((await b.get(String(revoked.headers.location))).body, /was revoked/);
      // Another account's key cannot be revoked from here.
      const stranger = await createAccount(world.deps, { type: 'business', currency: 'USD' });
      assert.equal((await b.post(`/account/keys/${stranger.issued.apiId}/revoke`, { confirm: 'yes' })).statusCode, 404);
      assert.equal((await b.get(`/account/keys/${stranger.issued.apiId}/revoke`)).statusCode, 404);
    });

    test('personal accounts have no API key pages', async () => {
      const b = new InjectBrowser(world.app);
      await b.signUp('nokeys@example.com');
      assert.equal((await b.get('/account/keys')).statusCode, 404);
      assert.ok(!(await b.get('/account')).body.includes('href="/account/keys"'));
    });

    test('charge descriptions and emails are escaped on the dashboard', async () => {
      const b = new InjectBrowser(world.app);
      await b.signUp('escape@example.com');
      const user = await world.deps.store.web.userByEmail('escape@example.com');
      const { account } = (await world.deps.store.accounts.get(user!.accountId)) ? { account: user!.accountId } : { account: '' };
      // Give the balance something to spend, then spend it with a hostile description.
      const { createDeposit } = await import('../src/usecases/create-deposit.ts');
      const { sandboxPay } = await import('../src/usecases/sandbox-pay.ts');
      const acc = (await world.deps.store.accounts.get(account))!;
      const invoice = await createDeposit(world.deps, acc, { currency: 'USD', paymentMethod: 'bitcoin', amount: '10' });
      await sandboxPay(world.deps, acc, invoice.id, {});
      await chargeAccount(world.deps, { accountId: account, amount: '1.50', currency: 'USD', idempotencyKey: 'k1', description: '<script>alert("x")</script>' });
      const dash = await b.get('/account');
      assert.ok(!dash.body.includes('<script>alert'));
      assert.ok(dash.body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
      assert.match(dash.body, /8\.50 USD/);
      assert.match(dash.body, /−1\.50 USD/);
    });

    test('the CLI attaches a login to an existing account (generated password printed once)', async () => {
      const { account } = await createAccount(world.deps, { type: 'business', currency: 'EUR' });
      const printed = await printedJson(() => webLoginCommand(world.useCases, ['attach', '--account', account.id, '--email', 'cli@example.com', '--json'])) as { password: string; account_id: string };
      assert.equal(printed.account_id, account.id);
      assert.equal((await new InjectBrowser(world.app).signIn('cli@example.com', printed.password)).statusCode, 303);
      await assert.rejects(webLoginCommand(world.useCases, ['attach', '--account', account.id, '--email', 'x@example.com', '--password-stdin'], () => 'short\n'), /at least/);
    });

    test('a session idle past its life ends, and the purge removes expired sessions and stale throttle rows', async () => {
      const b = new InjectBrowser(world.app);
      await b.signUp('expire@example.com');
      await b.signIn('expire@example.com', 'wrong password!');
      world.clock.advance(WebLimits.sessionTtlMs - 60_000);
      assert.equal((await b.get('/account')).statusCode, 200, 'still alive just before its end');
      world.clock.advance(WebLimits.sessionTtlMs + 1000);
      const res = await b.get('/account');
      assert.equal(res.statusCode, 303);
      assert.ok((await purgeExpiredSessions(world.deps)) >= 1);
      assert.equal(await throttleFailures(world, 'email:expire@example.com'), null);
    });
  });
}
