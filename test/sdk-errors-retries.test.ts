// Proves @coffer/client's error classes and retries against the real app over real HTTP:
// 401/403/404/400 become typed errors with the server's error_code and X-Request-Id; a POST
// whose answer is lost is retried with the same Idempotency-Key and replayed, not repeated; a
// reused key with another body is a 422; a 429 is waited out for exactly its Retry-After.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../src/usecases/manage-accounts.ts';
import { dialects, openWorld } from './support/harness.ts';
import type { World } from './support/harness.ts';
import {
  CofferApiError, CofferAuthenticationError, CofferClient, CofferInputError, CofferInvalidRequestError, CofferNotFoundError,
  CofferPermissionError, CofferRateLimitError, CofferUnprocessableError,
} from '../packages/client/src/index.ts';
import type { CofferClientOptions, DepositParams, FetchLike } from '../packages/client/src/index.ts';

interface Sent { readonly method: string; readonly url: string; readonly key: string | undefined }

/** Real fetch that records each request and, for the first `lose` requests, throws away the answer the server already gave. */
function losingFetch(lose: number, sent: Sent[]): FetchLike {
  let lost = 0;
  return async (url, init) => {
    sent.push({ method: init.method, url, key: init.headers['idempotency-key'] });
    const response = await fetch(url, init);
    if (lost < lose) {
      lost++;
      await response.text();
      throw new TypeError('fetch failed: connection reset after the server answered');
    }
    return response;
  };
}

async function credentialsFor(world: World, type: 'business' | 'personal'): Promise<Pick<CofferClientOptions, 'apiId' | 'apiSecret' | 'apiKey'>> {
  const { issued } = await createAccount(world.deps, { type, currency: 'USD' });
  return type === 'business' ? { apiId: issued.apiId!, apiSecret: issued.apiSecret! } : { apiKey: issued.apiKey! };
}

for (const dialect of dialects()) {
  describe(`sdk errors and retries (${dialect})`, () => {
    let world: World;
    let baseUrl: string;
    let business: Pick<CofferClientOptions, 'apiId' | 'apiSecret'>;
    before(async () => {
      world = await openWorld(dialect);
      baseUrl = `${await world.app.listen({ port: 0, host: '127.0.0.1' })}/v2`;
      business = await credentialsFor(world, 'business');
    });
    after(() => world.close());

    const client = (extra: Partial<CofferClientOptions> = {}) => new CofferClient({ baseUrl, ...business, sleep: async () => {}, ...extra });

    test('401: a wrong secret is a CofferAuthenticationError with error_code, message and request id', async () => {
      const error = await client({ apiSecret: 'not-the-secret' }).accounts.getBalance().catch((e: unknown) => e);
      assert.ok(error instanceof CofferAuthenticationError);
      assert.ok(error instanceof CofferApiError);
      assert.equal(error.status, 401);
      assert.equal(error.errorCode, 'unauthorized');
      assert.ok(error.message.length > 0);
      assert.match(error.requestId ?? '', /^req_[0-9a-f]+$/);
      assert.equal(error.endpoint, '/accounts/balance');
    });

    test('the request id given by the caller is the one the error reports', async () => {
      const error = await client({ apiSecret: 'nope' }).accounts.getBalance({ requestId: 'order-42.attempt-1' }).catch((e: unknown) => e);
      assert.ok(error instanceof CofferApiError);
      assert.equal(error.requestId, 'order-42.attempt-1');
    });

    test("404: another account's invoice is a CofferNotFoundError", async () => {
      const other = new CofferClient({ baseUrl, ...(await credentialsFor(world, 'business')) });
      const invoice = await other.accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount: '5' });
      const error = await client().invoices.get(invoice.id).catch((e: unknown) => e);
      assert.ok(error instanceof CofferNotFoundError);
      assert.equal(error.errorCode, 'not_found');
      assert.equal(error.status, 404);
    });

    test('400: a missing required field is missing_param; excess decimals are invalid_param', async () => {
      const missing = await client().accounts.createDeposit({ currency: 'USD' } as unknown as DepositParams).catch((e: unknown) => e);
      assert.ok(missing instanceof CofferInvalidRequestError);
      assert.equal(missing.errorCode, 'missing_param');
      assert.match(missing.message, /payment_method/);
      const precise = await client().accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount: '10.001' }).catch((e: unknown) => e);
      assert.ok(precise instanceof CofferInvalidRequestError);
      assert.equal(precise.errorCode, 'invalid_param');
    });

    test('403: a personal account is refused API deposits (CofferPermissionError)', async () => {
      const personal = new CofferClient({ baseUrl, ...(await credentialsFor(world, 'personal')) });
      assert.equal((await personal.accounts.getBalance()).balance, '0');
      const error = await personal.accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount: '10' }).catch((e: unknown) => e);
      assert.ok(error instanceof CofferPermissionError);
      assert.equal(error.errorCode, 'business_account_required');
    });

    test('a JS number as an amount is refused before anything is sent', async () => {
      const sent: Sent[] = [];
      const amount = 10.1 as unknown as string;
      await assert.rejects(client({ fetch: losingFetch(0, sent) }).accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount }), CofferInputError);
      assert.equal(sent.length, 0);
    });

    test('a deposit whose answer is lost is retried with the same key and replayed: one invoice, not two', async () => {
      const own = await credentialsFor(world, 'business');
      const sent: Sent[] = [];
      const sdk = new CofferClient({ baseUrl, ...own, sleep: async () => {}, fetch: losingFetch(1, sent) });
      const invoice = await sdk.accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount: '25' });
      assert.equal(sent.length, 2);
      assert.ok(sent[0]!.key);
      assert.equal(sent[1]!.key, sent[0]!.key);
      assert.equal(invoice.lastResponse.attempts, 2);
      assert.equal(invoice.lastResponse.replayed, true);
      assert.equal(invoice.lastResponse.idempotencyKey, sent[0]!.key);
      const page = await sdk.invoices.list();
      assert.deepEqual(page.data.map((i) => i.id), [invoice.id]);

      // The same for a sandbox payment: paid once, credited once.
      const paid = await sdk.sandbox.pay(invoice.id);
      assert.equal(paid.status, 'complete');
      const again = new CofferClient({ baseUrl, ...own, sleep: async () => {}, fetch: losingFetch(1, []) });
      await again.sandbox.pay(invoice.id, { amount: '0.0001' });
      assert.equal((await sdk.accounts.getBalance()).balance, '31.5'); // 25 + 0.0001 BTC at the sandbox's 65000 USD/BTC
      const credits = (await sdk.accounts.listTransactions()).data.filter((t) => t.type === 'credit');
      assert.equal(credits.length, 2);
    });

    test('a caller-chosen Idempotency-Key replays the first result; reused with another body it is a 422', async () => {
      const sdk = client();
      const first = await sdk.accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount: '7' }, { idempotencyKey: 'deposit-order-77' });
      const replay = await sdk.accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount: '7' }, { idempotencyKey: 'deposit-order-77' });
      assert.equal(replay.id, first.id);
      assert.equal(replay.lastResponse.replayed, true);
      const error = await sdk.accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount: '8' }, { idempotencyKey: 'deposit-order-77' }).catch((e: unknown) => e);
      assert.ok(error instanceof CofferUnprocessableError);
      assert.equal(error.errorCode, 'idempotency_key_reused');
    });
  });

  describe(`sdk rate limits (${dialect})`, () => {
    let world: World;
    let baseUrl: string;
    before(async () => {
      world = await openWorld(dialect, { app: { rateLimitPerMinute: 2 } });
      baseUrl = `${await world.app.listen({ port: 0, host: '127.0.0.1' })}/v2`;
    });
    after(() => world.close());

    test('a 429 is retried after exactly its Retry-After (time moved by the injected sleep), then succeeds', async () => {
      const creds = await credentialsFor(world, 'business');
      const slept: number[] = [];
      // The server's limiter reads the world's manual clock; sleeping moves that clock.
      const sleep = async (ms: number) => { slept.push(ms); world.clock.advance(ms); };
      const sdk = new CofferClient({ baseUrl, ...creds, sleep, random: () => 0 });
      await sdk.accounts.getBalance();
      await sdk.accounts.getBalance();
      const probe = await fetch(`${baseUrl}/accounts/balance`, { headers: { authorization: basic(creds) } });
      assert.equal(probe.status, 429);
      const retryAfterS = Number(probe.headers.get('retry-after'));
      assert.ok(retryAfterS >= 1);
      assert.equal(probe.headers.get('x-ratelimit-remaining'), '0');

      const balance = await sdk.accounts.getBalance();
      assert.equal(balance.balance, '0');
      assert.equal(balance.lastResponse.attempts, 2);
      assert.deepEqual(slept, [retryAfterS * 1000]);
    });

    test('with retries off, or a Retry-After longer than the client waits, the 429 reaches the caller', async () => {
      const creds = await credentialsFor(world, 'business');
      const slept: number[] = [];
      const sdk = new CofferClient({ baseUrl, ...creds, sleep: async (ms) => { slept.push(ms); }, maxRetryAfterMs: 0 });
      await sdk.accounts.getBalance();
      await sdk.accounts.getBalance();
      const error = await sdk.accounts.getBalance().catch((e: unknown) => e);
      assert.ok(error instanceof CofferRateLimitError);
      assert.equal(error.errorCode, 'rate_limited');
      assert.ok((error.retryAfterMs ?? 0) >= 1000);
      assert.equal(error.headers['x-ratelimit-limit'], '2');
      assert.deepEqual(slept, []);
      const noRetry = await sdk.accounts.getBalance({ maxRetries: 0 }).catch((e: unknown) => e);
      assert.ok(noRetry instanceof CofferRateLimitError);
    });
  });
}

function basic(creds: Pick<CofferClientOptions, 'apiId' | 'apiSecret'>): string {
  return `Basic ${Buffer.from(`${creds.apiId}:${creds.apiSecret}`).toString('base64')}`;
}
