// Proves @coffer/client against the real app over real HTTP on every dialect: the deposit flow
// (create, sandbox pay, poll until complete, balance), paging (one page, nextPage, the async
// iterator following meta._next), transaction history, and exact money in both directions:
// balances JSON.parse would round come back as their exact decimal text.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../src/usecases/manage-accounts.ts';
import { dialects, openWorld, staticRates } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { CofferClient, toUnits } from '../packages/client/src/index.ts';
import type { CofferClientOptions, Invoice } from '../packages/client/src/index.ts';

/** A business account on `world` and a client for it over real HTTP. */
async function businessClient(world: World, baseUrl: string, currency = 'USD', extra: Partial<CofferClientOptions> = {}) {
  const { account, issued } = await createAccount(world.deps, { type: 'business', currency });
  const credentials = { baseUrl, apiId: issued.apiId!, apiSecret: issued.apiSecret! };
  const client = new CofferClient({ ...credentials, sleep: async () => {}, ...extra });
  return { accountId: account.id, client, credentials };
}

for (const dialect of dialects()) {
  describe(`sdk deposit flow (${dialect})`, () => {
    let world: World;
    let baseUrl: string;
    before(async () => {
      world = await openWorld(dialect, {
        rates: staticRates({ 'BTC/USD': '50000' }),
        settings: { depositMaxMinor: { USD: 10n ** 16n, EUR: 10n ** 16n, BTC: 2_100_000_000_000_000n } },
      });
      baseUrl = `${await world.app.listen({ port: 0, host: '127.0.0.1' })}/v2`;
    });
    after(() => world.close());

    test('ping needs no credentials', async () => {
      const pong = await new CofferClient({ baseUrl }).ping();
      assert.deepEqual({ ...pong }, { message: 'pong' });
      assert.equal(pong.lastResponse.meta._endpoint, '/ping');
      assert.match(pong.lastResponse.requestId ?? '', /^req_/);
    });

    test('create a deposit, pay it in the sandbox, poll until complete, read the balance', async () => {
      const { client, credentials } = await businessClient(world, baseUrl);
      const created = await client.accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount: { units: 100_050n, scale: 2 } });
      assert.equal(created.status, 'unpaid');
      assert.equal(created.amount, '1000.5');
      assert.equal(created.payment.price, '0.02001');
      assert.equal(created.payment.currency, 'BTC');
      assert.equal(created.completed_time, undefined);
      assert.equal(created.lastResponse.meta.id, created.id);
      assert.match(created.lastResponse.idempotencyKey ?? '', /^[0-9a-f-]{36}$/);

      // Seen but unconfirmed: the invoice waits in payment_detected.
      const detected = await client.sandbox.pay(created.id, { confirmations: 0 });
      assert.equal(detected.status, 'payment_detected');
      const txid = detected.lastResponse.meta.txid;
      assert.equal(typeof txid, 'string');

      // The first wait of the poll is when the block confirms; the next read sees it complete.
      let waits = 0;
      const poller = new CofferClient({
        ...credentials,
        sleep: async () => { waits++; await client.sandbox.pay(created.id, { txid, confirmations: 1 }); },
      });
      const complete = await poller.invoices.poll(created.id, { intervalMs: 1000 });
      assert.equal(waits, 1);
      assert.equal(complete.status, 'complete');
      assert.equal(complete.credited_amount, '1000.5');
      assert.equal(complete.payment.status, 'paid');
      assert.ok(complete.completed_time);
      assert.equal(complete.payment.transactions[0]?.credited_amount, '1000.5');

      const balance = await client.accounts.getBalance();
      assert.deepEqual({ ...balance }, { balance: '1000.5', currency: 'USD', balances: [{ currency: 'USD', balance: '1000.5', pending: '0' }] });
      const history = await client.accounts.listTransactions();
      assert.deepEqual(history.data.map((t) => [t.type, t.amount, t.invoice_id]), [['credit', '1000.5', created.id]]);
    });

    test('a flexible deposit is paid with an exact crypto amount', async () => {
      const { client } = await businessClient(world, baseUrl);
      const created = await client.accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin' });
      assert.equal(created.amount, null);
      assert.equal(created.payment.price, '0');
      const paid = await client.sandbox.pay(created.id, { amount: '0.00123457' });
      assert.equal(paid.status, 'complete');
      assert.equal(paid.payment.received, '0.00123457');
      assert.equal(paid.credited_amount, '61.72');
    });

    test('paging: pages of 3 via nextPage, and the iterator walks every invoice once, newest first', async () => {
      const { client } = await businessClient(world, baseUrl);
      const created: Invoice[] = [];
      for (let i = 1; i <= 7; i++) created.push(await client.accounts.createDeposit({ currency: 'USD', payment_method: 'lightning', amount: `${i}` }));
      const newestFirst = created.map((c) => c.id).reverse();

      const first = await client.invoices.list({ limit: 3 });
      assert.equal(first.data.length, 3);
      assert.equal(first.start, 0);
      assert.ok(first.hasNextPage());
      const second = await first.nextPage();
      assert.deepEqual(second?.data.map((i) => i.id), newestFirst.slice(3, 6));
      const third = await second!.nextPage();
      assert.deepEqual(third?.data.map((i) => i.id), newestFirst.slice(6));
      assert.equal(third!.hasNextPage(), false);
      assert.equal(await third!.nextPage(), null);

      const walked: string[] = [];
      for await (const invoice of client.invoices.iterate({ limit: 3 })) walked.push(invoice.id);
      assert.deepEqual(walked, newestFirst);

      // A filter travels with _next: only invoices before a time still in the future, all of them.
      const filtered: string[] = [];
      for await (const invoice of client.invoices.iterate({ limit: 2, before: new Date(Date.now() + 86_400_000 * 3650) })) filtered.push(invoice.id);
      assert.deepEqual(filtered, newestFirst);

      for (const c of created) await client.sandbox.pay(c.id);
      const amounts: string[] = [];
      for await (const t of client.accounts.iterateTransactions({ limit: 4 })) amounts.push(t.amount);
      assert.deepEqual(amounts, ['7', '6', '5', '4', '3', '2', '1']);
    });

    test('a BTC balance of 20999999.99999999 comes back exact', async () => {
      const { client } = await businessClient(world, baseUrl, 'BTC');
      const created = await client.accounts.createDeposit({ currency: 'BTC', payment_method: 'bitcoin', amount: '20999999.99999999' });
      assert.equal(created.payment.price, '20999999.99999999');
      await client.sandbox.pay(created.id);
      const balance = await client.accounts.getBalance();
      assert.equal(balance.balance, '20999999.99999999');
      assert.equal(balance.currency, 'BTC');
      assert.equal(toUnits(balance.balance, 8), 2_099_999_999_999_999n);
    });

    test('a USD balance a float cannot hold is exact in the typed result; the raw JSON.parse view shows the loss', async () => {
      const { client } = await businessClient(world, baseUrl);
      const created = await client.accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount: '90071992547409.93' });
      await client.sandbox.pay(created.id);
      const balance = await client.accounts.getBalance();
      assert.equal(balance.balance, '90071992547409.93');
      const raw = balance.lastResponse.raw as { data: { balance: number } };
      assert.notEqual(String(raw.data.balance), '90071992547409.93');
      const invoice = await client.invoices.get(created.id);
      assert.equal(invoice.credited_amount, '90071992547409.93');
    });
  });
}
