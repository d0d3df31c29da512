// Proves the documented deposit flow end to end through the HTTP API on every dialect:
// create (fixed and flexible), pay in the sandbox, complete, balance credited exactly once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { businessAccount, dialects, openWorld, personalAccount, staticRates } from './support/harness.ts';
import type { TestAccount, World } from './support/harness.ts';
import { verifyLedger } from '../src/usecases/verify-ledger.ts';

for (const dialect of dialects()) {
  describe(`deposit flow (${dialect})`, () => {
    let world: World;
    let biz: TestAccount;
    before(async () => {
      world = await openWorld(dialect, { rates: staticRates({ 'BTC/USD': '50000' }) });
      biz = await businessAccount(world.deps);
    });
    after(() => world.close());

    const call = (method: 'GET' | 'POST', url: string, body?: unknown, headers = biz.headers) =>
      world.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

    test('a fixed USD deposit quotes a BTC price, completes when paid and credits exactly the amount', async () => {
      const created = await call('POST', '/v2/accounts/deposit', { amount: 1000, currency: 'USD', payment_method: 'bitcoin' });
      assert.equal(created.statusCode, 200, created.body);
      const invoice = created.json().data;
      assert.equal(created.json().meta._endpoint, '/accounts/deposit');
      assert.equal(invoice.status, 'unpaid');
      assert.equal(invoice.amount, 1000);
      assert.equal(invoice.payment.price, 0.02);
      assert.equal(invoice.payment.currency, 'BTC');
      assert.match(invoice.payment.address, /^bcrt1q[0-9a-z]{38}$/);
      assert.match(invoice.payment.uri, /^bitcoin:bcrt1q.*amount=0\.02/);
      assert.equal(invoice.completed_time, undefined);
      assert.deepEqual(invoice.orders, []);

      const paid = await call('POST', `/v2/sandbox/invoices/${invoice.id}/pay`, {});
      assert.equal(paid.statusCode, 200, paid.body);
      const read = (await call('GET', `/v2/invoices/${invoice.id}`)).json();
      assert.equal(read.meta.id, invoice.id);
      assert.equal(read.data.status, 'complete');
      assert.equal(read.data.credited_amount, 1000);
      assert.equal(read.data.payment.status, 'paid');
      assert.ok(read.data.completed_time);
      const balance = (await call('GET', '/v2/accounts/balance')).json().data;
      assert.equal(balance.balance, 1000);
      assert.equal(balance.currency, 'USD');
    });

    test('a flexible deposit completes on any amount at the rate when seen', async () => {
      const created = (await call('POST', '/v2/accounts/deposit', { currency: 'USD', payment_method: 'bitcoin' })).json().data;
      assert.equal(created.amount, null);
      assert.equal(created.payment.price, 0);
      const paid = await call('POST', `/v2/sandbox/invoices/${created.id}/pay`, { amount: '0.001' });
      assert.equal(paid.statusCode, 200, paid.body);
      const read = (await call('GET', `/v2/invoices/${created.id}`)).json().data;
      assert.equal(read.status, 'complete', JSON.stringify(read));
      assert.equal(read.credited_amount, 50);
      const report = await verifyLedger(world.deps.store);
      assert.ok(report.ok, JSON.stringify(report));
    });

    test('a detected, unconfirmed fixed deposit shows as pending in the balance until it confirms', async () => {
      const acct = await businessAccount(world.deps);
      const own = (method: 'GET' | 'POST', url: string, body?: unknown) => call(method, url, body, acct.headers);
      const first = (await own('POST', '/v2/accounts/deposit', { amount: 12.5, currency: 'USD', payment_method: 'bitcoin' })).json().data;
      const second = (await own('POST', '/v2/accounts/deposit', { amount: 7, currency: 'USD', payment_method: 'bitcoin' })).json().data;
      assert.equal((await own('POST', `/v2/sandbox/invoices/${first.id}/pay`, { confirmations: 0 })).statusCode, 200);
      assert.equal((await own('POST', `/v2/sandbox/invoices/${second.id}/pay`, { confirmations: 0 })).statusCode, 200);
      let balance = (await own('GET', '/v2/accounts/balance')).json().data;
      assert.deepEqual(balance.balances, [{ currency: 'USD', balance: 0, pending: 19.5 }]);
      assert.equal((await own('POST', `/v2/sandbox/invoices/${first.id}/pay`, {})).statusCode, 200);
      balance = (await own('GET', '/v2/accounts/balance')).json().data;
      assert.equal(balance.balance, 12.5);
      assert.deepEqual(balance.balances, [{ currency: 'USD', balance: 12.5, pending: 7 }]);
    });

    test('personal accounts are refused API deposits with a pointer to the website', async () => {
      const personal = await personalAccount(world.deps);
      const res = await call('POST', '/v2/accounts/deposit', { amount: 10, currency: 'USD', payment_method: 'bitcoin' }, personal.headers);
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error_code, 'business_account_required');
      assert.match(res.json().message, /website/);
    });
  });
}
