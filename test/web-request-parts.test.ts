// Proves that the website's and the console's route schemas (web/web-schemas.ts) keep each page's
// answer to a value it cannot use: a repeated or unreadable query value is ignored (page 1, no
// notice, no filter) and an unknown id or token is the page's own 404 — HTML in every case, never
// a validation error.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { InjectBrowser, openWebWorld, textOf } from './support/browser.ts';
import { createOperatorByCli, openConsoleWorld, OPERATOR_PASSWORD, totpCode } from './support/console.ts';
import type { LightMyRequestResponse } from 'fastify';

const C = '/admin/console';

function assertPage(res: LightMyRequestResponse, status: number, title: RegExp): void {
  assert.equal(res.statusCode, status, res.body.slice(0, 300));
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, title);
}

for (const dialect of dialects()) {
  describe(`website pages given unusable params and queries (${dialect})`, () => {
    let world: World;
    let b: InjectBrowser;
    before(async () => {
      world = await openWebWorld(dialect);
      b = new InjectBrowser(world.app);
      await b.signUp('parts@example.com');
    });
    after(() => world.close());

    test('a repeated or unreadable page number shows page 1', async () => {
      for (const query of ['page=1&page=2', 'page=abc', 'page=-3', 'page=']) {
        assertPage(await b.get(`/account?${query}`), 200, /<title>Dashboard/);
        assertPage(await b.get(`/account/deposits?${query}`), 200, /<title>Deposits/);
      }
      assertPage(await b.get('/account/password?changed=a&changed=b'), 200, /<title>Change password/);
    });

    test('an unknown deposit id is the 404 page, for the page and its status poll alike', async () => {
      for (const path of ['/account/deposits/nope', '/account/deposits/inv_0000', '/account/deposits/nope/status']) {
        assertPage(await b.get(path), 404, /<title>Error: Page not found/);
      }
    });

    test('sign-in ignores a repeated next, and a dead email link is the link page, not an error', async () => {
      const visitor = new InjectBrowser(world.app);
      const res = await visitor.get('/signin?next=/account/keys&next=/evil');
      assertPage(res, 200, /<title>Sign in/);
      assert.match(res.body, /name="next" value="\/account"/);
      assertPage(await visitor.get('/verify-email/not-a-token'), 404, /Link not valid/);
      assertPage(await visitor.get('/reset-password/not-a-token'), 404, /Link not valid/);
    });
  });

  describe(`console pages given unusable params and queries (${dialect})`, () => {
    let world: World;
    let b: InjectBrowser;
    before(async () => {
      world = await openConsoleWorld(dialect);
      await createOperatorByCli(world, 'ops@example.com', 'operator');
      b = new InjectBrowser(world.app);
      await b.get(`${C}/signin`);
      await b.post(`${C}/signin`, { email: 'ops@example.com', password: OPERATOR_PASSWORD });
      const enrol = await b.get(`${C}/two-factor`);
      world.clock.advance(30_000);
      const done = await b.post(`${C}/two-factor`, { code: totpCode(textOf(enrol.body, 'totp-secret'), world.clock.now()) });
      assert.equal(done.statusCode, 200, done.body);
    });
    after(() => world.close());

    test('repeated query values are ignored', async () => {
      assertPage(await b.get(`${C}/accounts?q=a&q=b`), 200, /<title>Accounts/);
      assertPage(await b.get(`${C}/invoices?status=paid&status=unpaid`), 200, /<title>Invoices/);
      assertPage(await b.get(`${C}/audit?before=x&before=1&target=a&target=b`), 200, /<title>Audit log/);
      assertPage(await b.get(`${C}/ledger?verify=1&verify=1`), 200, /<title>Ledger/);
    });

    test('an unknown id is the 404 page', async () => {
      for (const path of ['/invoices/nope', '/accounts/nope', '/webhooks/nope', '/webhooks/deliveries/nope']) {
        assertPage(await b.get(`${C}${path}`), 404, /<title>Page not found/);
      }
    });
  });
}
