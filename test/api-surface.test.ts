// Proves the /v2 surface behaves as API.md says for good and bad input (ADVERSARIAL 19, 20, 22):
// envelopes, request ids, auth schemes, 404s, validation codes, rate limits, paging, schemas,
// and that generated junk never yields a 5xx or changes state.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { ErrorCodes } from '../src/core/errors.ts';
import { revokeCredential } from '../src/usecases/manage-accounts.ts';
import { balanceSchema, envelope, errorResponse, invoiceSchema } from '../src/http/schemas.ts';
import { businessAccount, dialects, openWorld, personalAccount } from './support/harness.ts';
import type { TestAccount, World } from './support/harness.ts';

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const validInvoice = ajv.compile(envelope(invoiceSchema));
const validBalance = ajv.compile(envelope(balanceSchema));
const validError = ajv.compile(errorResponse);

for (const dialect of dialects()) {
  describe(`API surface (${dialect})`, () => {
    let world: World;
    let biz: TestAccount;
    before(async () => {
      world = await openWorld(dialect);
      biz = await businessAccount(world.deps);
    });
    after(() => world.close());

    const post = (url: string, payload: string, headers: Record<string, string> = biz.headers) =>
      world.app.inject({ method: 'POST', url, headers, payload });
    const get = (url: string, headers: Record<string, string> = biz.headers) => world.app.inject({ method: 'GET', url, headers });
    const invoiceCount = async () => (await get('/v2/invoices?limit=50')).json().data.length as number;

    test('ping needs no auth and answers in both places clients read', async () => {
      const res = await world.app.inject({ method: 'GET', url: '/v2/ping' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { meta: { _endpoint: '/ping' }, data: { message: 'pong' }, message: 'pong' });
      assert.match(String(res.headers['x-request-id']), /^req_[0-9a-f]{20,}$/);
      const echoed = await world.app.inject({ method: 'GET', url: '/v2/ping', headers: { 'x-request-id': 'abc-123' } });
      assert.equal(echoed.headers['x-request-id'], 'abc-123');
    });

    test('every error is the Bitrefill envelope with a stable, documented code and a request id', async () => {
      const docs = readFileSync(new URL('../docs/error-codes.md', import.meta.url), 'utf8');
      for (const code of Object.keys(ErrorCodes)) assert.ok(docs.includes(`\`${code}\``), `docs/error-codes.md lists ${code}`);
      const res = await post('/v2/accounts/deposit', '{"currency":"USD"}');
      assert.equal(res.statusCode, 400);
      assert.ok(validError(res.json()), JSON.stringify(validError.errors));
      assert.deepEqual(res.json().meta, { _endpoint: '/accounts/deposit' });
      assert.equal(res.json().error_code, 'missing_param');
      assert.ok(res.headers['x-request-id']);
    });

    test('authentication: missing, malformed, unknown, wrong scheme and revoked credentials are 401', async () => {
      const personal = await personalAccount(world.deps);
      const bearerKey = personal.headers['authorization']!.slice(7);
      const cases: Array<Record<string, string>> = [
        {}, { authorization: 'Basic' }, { authorization: 'Basic !!!' }, { authorization: 'Token abc' },
        { authorization: 'Basic ' + Buffer.from('nobody:nothing').toString('base64') },
        { authorization: 'Bearer ck_unknown' },
        { authorization: 'Basic ' + Buffer.from(`x:${bearerKey}`).toString('base64') },
      ];
      for (const headers of cases) {
        const res = await get('/v2/accounts/balance', headers);
        assert.equal(res.statusCode, 401, JSON.stringify(headers));
        assert.equal(res.json().error_code, 'unauthorized');
      }
      const fresh = await businessAccount(world.deps);
      assert.equal((await get('/v2/accounts/balance', fresh.headers)).statusCode, 200);
      const apiId = Buffer.from(fresh.headers['authorization']!.slice(6), 'base64').toString().split(':')[0]!;
      await revokeCredential(world.deps, apiId);
      world.clock.advance(5_000); // past the credential cache
      assert.equal((await get('/v2/accounts/balance', fresh.headers)).statusCode, 401);
    });

    test("another account's invoice and malformed ids are 404, never 403 or 5xx", async () => {
      const other = await businessAccount(world.deps);
      const created = (await post('/v2/accounts/deposit', JSON.stringify({ amount: 5, currency: 'USD', payment_method: 'lightning' }), other.headers)).json().data;
      assert.equal((await get(`/v2/invoices/${created.id}`, other.headers)).statusCode, 200);
      for (const id of [created.id, 'not-a-uuid', "1' OR '1'='1", '%00', 'x'.repeat(100)]) {
        const res = await get(`/v2/invoices/${encodeURIComponent(id)}`);
        assert.equal(res.statusCode, 404, id);
        assert.equal(res.json().error_code, 'not_found');
      }
    });

    test('bad deposit input gets a 4xx with a clear code and stores nothing', async () => {
      const before = await invoiceCount();
      const cases: Array<[string, number, string]> = [
        ['{"currency":"USD","payment_method":"bitcoin","amount":', 400, 'parse_error'],
        ['not json', 400, 'parse_error'],
        ['{"currency":"USD","currency":"EUR","payment_method":"bitcoin"}', 400, 'parse_error'],
        ['{"payment_method":"bitcoin"}', 400, 'missing_param'],
        ['{"currency":"USD"}', 400, 'missing_param'],
        ['{"currency":"XYZ","payment_method":"bitcoin"}', 400, 'invalid_param'],
        ['{"currency":"usd","payment_method":"bitcoin"}', 400, 'invalid_param'],
        ['{"currency":"USD","payment_method":"dogecoin"}', 400, 'unsupported_payment_method'],
        ['{"currency":"USD","payment_method":"balance"}', 400, 'unsupported_payment_method'],
        ['{"currency":"USD","payment_method":"bitcoin","amount":-5}', 400, 'invalid_param'],
        ['{"currency":"USD","payment_method":"bitcoin","amount":0}', 400, 'invalid_param'],
        ['{"currency":"USD","payment_method":"bitcoin","amount":1e3}', 400, 'invalid_param'],
        ['{"currency":"USD","payment_method":"bitcoin","amount":10.001}', 400, 'invalid_param'],
        ['{"currency":"USD","payment_method":"bitcoin","amount":"10.001"}', 400, 'invalid_param'],
        ['{"currency":"USD","payment_method":"bitcoin","amount":"ten"}', 400, 'invalid_param'],
        ['{"currency":"USD","payment_method":"bitcoin","amount":true}', 400, 'invalid_param'],
        ['{"currency":"USD","payment_method":"bitcoin","amount":99999999999}', 400, 'amount_too_large'],
        ['{"currency":["USD"],"payment_method":"bitcoin"}', 400, 'invalid_param'],
        ['{"currency":"USD","payment_method":"bitcoin","webhook_url":"javascript:alert(1)"}', 400, 'invalid_param'],
        ['{"currency":"<script>alert(1)</script>","payment_method":"bitcoin"}', 400, 'invalid_param'],
        ['[]', 400, 'invalid_param'],
        [JSON.stringify({ currency: 'USD', payment_method: 'bitcoin', pad: 'x'.repeat(20_000) }), 413, 'body_too_large'],
      ];
      for (const [payload, status, code] of cases) {
        const res = await post('/v2/accounts/deposit', payload);
        assert.equal(res.statusCode, status, `${payload.slice(0, 80)} → ${res.body}`);
        assert.equal(res.json().error_code, code, payload.slice(0, 80));
      }
      const wrongType = await post('/v2/accounts/deposit', 'currency=USD', { ...biz.headers, 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(wrongType.statusCode, 415);
      assert.equal(await invoiceCount(), before);
    });

    test('generated junk bodies never produce a 5xx, and only valid requests create invoices', async () => {
      const amount = fc.oneof(fc.integer({ min: -5, max: 200 }), fc.double(), fc.string(), fc.constantFrom('1e2', '0.001', '10.50', '-1', '', '1.123456789'), fc.constant(null));
      const body = fc.record({
        currency: fc.oneof(fc.constantFrom('USD', 'EUR', 'BTC', 'usd', ''), fc.string(), fc.integer()),
        payment_method: fc.oneof(fc.constantFrom('bitcoin', 'lightning', 'ethereum', 'usdc_base', 'nope'), fc.string()),
        amount,
        extra: fc.anything(),
      }, { requiredKeys: [] });
      let created = 0;
      const before = await invoiceCount();
      await fc.assert(fc.asyncProperty(fc.oneof(body.map((b) => JSON.stringify(b)), fc.string()), async (payload) => {
        const res = await post('/v2/accounts/deposit', payload);
        assert.ok(res.statusCode < 500, `${res.statusCode} for ${payload}: ${res.body}`);
        if (res.statusCode === 200) {
          created++;
          assert.ok(validInvoice(res.json()), JSON.stringify(validInvoice.errors));
        } else {
          assert.ok(validError(res.json()), res.body);
        }
      }), { numRuns: 300 });
      const after = (await get('/v2/invoices?limit=50')).json().data.length;
      assert.equal(Math.min(50, before + created), after);
    });

    test('responses validate against the published schemas; the OpenAPI document lists the routes', async () => {
      const res = await post('/v2/accounts/deposit', JSON.stringify({ amount: '12.34', currency: 'EUR', payment_method: 'usdc_base' }));
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(validInvoice(res.json()), JSON.stringify(validInvoice.errors));
      const invoice = res.json().data;
      assert.equal(invoice.amount, 12.34);
      // EUR on this USD account: the published schema covers the invoice's conversion too.
      assert.equal(invoice.conversion.currency, 'USD');
      assert.equal(invoice.payment.chain_id, 8453);
      assert.match(invoice.payment.contract_address, /^0x[0-9a-fA-F]{40}$/);
      assert.match(invoice.payment.uri, /^ethereum:0x[0-9a-fA-F]{40}@8453\/transfer\?address=0x/);
      assert.ok(validBalance((await get('/v2/accounts/balance')).json()));
      const doc = (await world.app.inject({ method: 'GET', url: '/v2/openapi.json' })).json();
      assert.equal(doc.openapi, '3.1.0');
      for (const path of ['/accounts/deposit', '/accounts/balance', '/invoices', '/invoices/{id}', '/accounts/transactions', '/ping']) assert.ok(doc.paths[path], path);
    });

    test('paging: limit, start, meta._next as an absolute URL, absent on the last page; time filters', async () => {
      const acct = await businessAccount(world.deps);
      for (let i = 0; i < 7; i++) await post('/v2/accounts/deposit', JSON.stringify({ amount: i + 1, currency: 'USD', payment_method: 'bitcoin' }), acct.headers);
      const seen: string[] = [];
      let url: string | undefined = '/v2/invoices?limit=3';
      let pages = 0;
      while (url) {
        const page: { data: Array<{ id: string }>; meta: { _next?: string } } = (await get(url.replace(/^https?:\/\/[^/]+/, ''), acct.headers)).json();
        seen.push(...page.data.map((i: { id: string }) => i.id));
        url = page.meta._next;
        if (url) assert.match(url, /^http:\/\/127\.0\.0\.1:3000\/v2\/invoices\?start=\d+&limit=3$/);
        pages++;
      }
      assert.equal(seen.length, 7);
      assert.equal(new Set(seen).size, 7);
      assert.equal(pages, 3);
      const first = (await get('/v2/invoices?limit=1', acct.headers)).json().data[0];
      assert.equal(first.amount, 7, 'newest first');
      const future = (await get('/v2/invoices?after=2999-01-01%2000:00:00', acct.headers)).json().data;
      assert.equal(future.length, 0);
      for (const bad of ['limit=0', 'limit=51', 'start=-1', 'after=yesterday', 'start=abc']) {
        const res = await get(`/v2/invoices?${bad}`, acct.headers);
        assert.equal(res.statusCode, 400, bad);
        assert.equal(res.json().error_code, 'invalid_param');
      }
    });
  });

  describe(`rate limits and modes (${dialect})`, () => {
    test('a burst past the per-credential limit gets 429 with reset headers and nothing applied', async () => {
      const world = await openWorld(dialect, { app: { rateLimitPerMinute: 3 } });
      try {
        const acct = await businessAccount(world.deps);
        const statuses = [];
        for (let i = 0; i < 5; i++) {
          const res = await world.app.inject({ method: 'POST', url: '/v2/accounts/deposit', headers: acct.headers, payload: JSON.stringify({ amount: 1, currency: 'USD', payment_method: 'bitcoin' }) });
          statuses.push(res.statusCode);
          assert.ok(res.headers['x-ratelimit-limit'] === '3');
          assert.ok(res.headers['x-ratelimit-reset']);
          if (res.statusCode === 429) {
            assert.equal(res.json().error_code, 'rate_limited');
            assert.ok(Number(res.headers['retry-after']) >= 1);
            assert.equal(res.headers['x-ratelimit-remaining'], '0');
          }
        }
        assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
        const count = await world.deps.store.invoices.page({ accountId: acct.id, start: 0, limit: 50 });
        assert.equal(count.length, 3);
      } finally {
        await world.close();
      }
    });

    test('the sandbox endpoint does not exist outside sandbox mode', async () => {
      const world = await openWorld(dialect, { settings: { sandbox: false } });
      try {
        const acct = await businessAccount(world.deps);
        const res = await world.app.inject({ method: 'POST', url: '/v2/sandbox/invoices/00000000-0000-0000-0000-000000000000/pay', headers: acct.headers, payload: '{}' });
        assert.equal(res.statusCode, 404);
        assert.equal(res.json().error_code, 'not_found');
      } finally {
        await world.close();
      }
    });
  });
}
