// Proves issue 15 findings 6 and 8 (wire edges) on every dialect: absolute URLs come from the
// configured public base URL and never from the Host header or an absolute request target;
// meta._next is absent on a full last page; both rate-limit header sets on every limited
// response, each with its own meaning of reset; invoices carry Bitrefill's `user` and
// `payment.commission`.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.ts';
import { attachLogin } from '../src/usecases/web-attach-login.ts';
import { businessAccount, dialects, openWorld } from './support/harness.ts';
import type { TestAccount, World } from './support/harness.ts';

const PUBLIC = 'https://pay.example.com/coffer';

/** Sends one raw HTTP/1.1 request (an absolute-form target, a forged Host) and returns the body. */
function rawGet(port: number, target: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      const lines = [`GET ${target} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'Connection: close', '', ''];
      socket.write(lines.join('\r\n'));
    });
    let text = '';
    socket.on('data', (chunk) => { text += chunk.toString('utf8'); });
    socket.on('end', () => resolve(text.slice(text.indexOf('\r\n\r\n') + 4)));
    socket.on('error', reject);
  });
}

for (const dialect of dialects()) {
  describe(`wire edges (${dialect})`, () => {
    let world: World;
    let biz: TestAccount;
    before(async () => {
      world = await openWorld(dialect, { app: { publicUrl: PUBLIC, rateLimitPerMinute: 1000 } });
      biz = await businessAccount(world.deps);
    });
    after(() => world.close());
    const get = (url: string, headers: Record<string, string> = biz.headers) => world.app.inject({ method: 'GET', url, headers });
    const deposit = (amount: string) => world.app.inject({ method: 'POST', url: '/v2/accounts/deposit', headers: biz.headers, payload: JSON.stringify({ amount, currency: 'USD', payment_method: 'bitcoin' }) });

    test('finding 6: _next starts from the public base URL whatever the Host header says; _endpoint is the route', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await deposit(String(i + 1))).statusCode, 200);
      const res = await get('/v2/invoices?limit=2&after=2000-01-01%2000:00:00', { ...biz.headers, host: 'evil.example' });
      assert.equal(res.json().meta._next, `${PUBLIC}/v2/invoices?start=2&limit=2&after=2000-01-01+00%3A00%3A00`);
      await world.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (world.app.server.address() as AddressInfo).port;
      const body = JSON.parse(await rawGet(port, 'http://evil.example/v2/invoices?limit=1', { host: 'evil.example', authorization: biz.headers['authorization']! }));
      assert.equal(body.meta._endpoint, '/invoices');
      assert.ok(body.meta._next.startsWith(`${PUBLIC}/v2/invoices?`), body.meta._next);
      const one = JSON.parse(await rawGet(port, `http://evil.example/v2/invoices/${body.data[0].id}`, { host: 'evil.example', authorization: biz.headers['authorization']! }));
      assert.equal(one.meta._endpoint, '/invoices/:id');
      const missing = JSON.parse(await rawGet(port, 'http://evil.example/v2/nothing?x=1', { host: 'evil.example' }));
      assert.equal(missing.meta._endpoint, '/nothing');
      assert.ok(!JSON.stringify(missing).includes('evil.example'));
    });

    test('finding 6: the public base URL is a setting, with a default from HOST and PORT', () => {
      assert.equal(loadConfig({}).publicUrl, 'http://127.0.0.1:3000');
      assert.equal(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl, 'http://127.0.0.1:8080');
      assert.equal(loadConfig({ COFFER_PUBLIC_URL: 'https://pay.example.com/coffer/' }).publicUrl, 'https://pay.example.com/coffer');
      for (const bad of ['pay.example.com', 'ftp://x.example', 'https://x.example/?a=1']) assert.throws(() => loadConfig({ COFFER_PUBLIC_URL: bad }), /COFFER_PUBLIC_URL/);
    });

    test('finding 8: meta._next is absent on a full last page', async () => {
      const acct = await businessAccount(world.deps);
      for (let i = 0; i < 4; i++) {
        const res = await world.app.inject({ method: 'POST', url: '/v2/accounts/deposit', headers: acct.headers, payload: JSON.stringify({ amount: i + 1, currency: 'USD', payment_method: 'bitcoin' }) });
        assert.equal(res.statusCode, 200);
      }
      const first = (await get('/v2/invoices?limit=2', acct.headers)).json();
      assert.equal(first.data.length, 2);
      assert.ok(first.meta._next, 'a page follows');
      const last = (await get('/v2/invoices?limit=2&start=2', acct.headers)).json();
      assert.equal(last.data.length, 2);
      assert.equal(last.meta._next, undefined, 'nothing follows a full last page');
      const all = (await get('/v2/invoices?limit=4', acct.headers)).json();
      assert.equal(all.data.length, 4);
      assert.equal(all.meta._next, undefined);
      const transactions = (await get('/v2/accounts/transactions?limit=50', acct.headers)).json();
      assert.equal(transactions.meta._next, undefined);
    });

    test('finding 8: both rate-limit header sets on every limited response, reset as a time and as seconds from now', async () => {
      const limited = await openWorld(dialect, { app: { rateLimitPerMinute: 2 } });
      try {
        const acct = await businessAccount(limited.deps);
        for (let i = 0; i < 3; i++) {
          const res = await limited.app.inject({ method: 'GET', url: '/v2/accounts/balance', headers: acct.headers });
          assert.equal(res.statusCode, i < 2 ? 200 : 429);
          const nowSeconds = limited.clock.now().getTime() / 1000;
          assert.equal(res.headers['ratelimit-limit'], '2');
          assert.equal(res.headers['x-ratelimit-limit'], '2');
          assert.equal(res.headers['ratelimit-remaining'], String(Math.max(0, 1 - i)));
          assert.equal(res.headers['x-ratelimit-remaining'], res.headers['ratelimit-remaining']);
          const resetIn = Number(res.headers['ratelimit-reset']);
          const resetAt = Number(res.headers['x-ratelimit-reset']);
          assert.ok(resetIn >= 1 && resetIn <= 60, `RateLimit-Reset is seconds from now: ${resetIn}`);
          assert.ok(resetAt >= nowSeconds && resetAt <= nowSeconds + 60, `X-RateLimit-Reset is a unix time: ${resetAt}`);
        }
      } finally {
        await limited.close();
      }
    });

    test('finding 8: invoices carry user {id, email} and payment.commission', async () => {
      const res = await deposit('7');
      const invoice = res.json().data;
      assert.deepEqual(invoice.user, { id: biz.id, email: '' });
      assert.equal(invoice.payment.commission, 0);
      assert.match(res.body, /"commission":0[,}]/);
      const other = await businessAccount(world.deps);
      await attachLogin(world.deps, { accountId: other.id, email: 'owner@example.com', password: 'correct horse battery' });
      await world.app.inject({ method: 'POST', url: '/v2/accounts/deposit', headers: other.headers, payload: '{"amount":"1","currency":"USD","payment_method":"bitcoin"}' });
      const listed = (await get('/v2/invoices?limit=1', other.headers)).json().data[0];
      assert.deepEqual(listed.user, { id: other.id, email: 'owner@example.com' });
    });
  });
}
