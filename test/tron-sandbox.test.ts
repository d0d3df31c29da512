// Proves usdt_trc20 in the sandbox on every dialect: the API deposit is a T… address on the Nile network with the USDT contract, a simulated payment settles through the real settlement path to complete and the balance under a `tron-nile:` payment key, and the website checkout shows the QR, the contract and the TRC-20 network warning.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { businessAccount, dialects, staticRates } from './support/harness.ts';
import type { TestAccount, World } from './support/harness.ts';
import { InjectBrowser, openWebWorld, textOf } from './support/browser.ts';
import { isTronAddress } from '../src/methods/tron/address.ts';

const USDT_TRON = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';

for (const dialect of dialects()) {
  describe(`usdt_trc20 sandbox (${dialect})`, () => {
    let world: World;
    let biz: TestAccount;
    before(async () => {
      world = await openWebWorld(dialect, {}, { rates: staticRates({ 'USDT/USD': '1', 'USDT/EUR': '0.9' }) });
      biz = await businessAccount(world.deps);
    });
    after(() => world.close());

    const call = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      world.app.inject({ method, url, headers: biz.headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

    test('API: deposit → simulated payment → complete → balance', async () => {
      const created = await call('POST', '/v2/accounts/deposit', { amount: 20, currency: 'USD', payment_method: 'usdt_trc20' });
      assert.equal(created.statusCode, 200, created.body);
      const invoice = created.json().data as { id: string; payment: { address: string; uri: string; network: string; contract_address: string; price: number; confirmations_required: number } };
      assert.equal(invoice.payment.network, 'tron-nile');
      assert.equal(invoice.payment.contract_address, USDT_TRON);
      assert.equal(invoice.payment.price, 20);
      assert.equal(invoice.payment.confirmations_required, 20);
      assert.ok(isTronAddress(invoice.payment.address), invoice.payment.address);
      assert.equal(invoice.payment.uri, invoice.payment.address);
      // Each deposit gets its own address.
      const second = (await call('POST', '/v2/accounts/deposit', { amount: 5, currency: 'USD', payment_method: 'usdt_trc20' })).json().data as { payment: { address: string } };
      assert.notEqual(second.payment.address, invoice.payment.address);
      const paid = await call('POST', `/v2/sandbox/invoices/${invoice.id}/pay`, {});
      assert.equal(paid.statusCode, 200, paid.body);
      const read = (await call('GET', `/v2/invoices/${invoice.id}`)).json().data as { status: string; credited_amount: number; payment: { transactions: { id: string; confirmations: number }[] } };
      assert.equal(read.status, 'complete');
      assert.equal(read.credited_amount, 20);
      assert.match(read.payment.transactions[0]?.id ?? '', /^0x[0-9a-f]{64}$/, 'a Tron txid');
      assert.equal(read.payment.transactions[0]?.confirmations, 20);
      const payments = await world.deps.store.payments.forInvoice(invoice.id);
      assert.match(payments[0]?.paymentKey ?? '', /^tron-nile:0x[0-9a-f]{64}:0$/);
      const balance = (await call('GET', '/v2/accounts/balance')).json().data as { balance: number };
      assert.equal(balance.balance, 20);
    });

    test('website: the checkout shows the address QR, the network, the contract and the TRC-20 warning', async () => {
      const b = new InjectBrowser(world.app);
      assert.equal((await b.signUp('tron@example.com')).statusCode, 303);
      await b.get('/account/add-funds');
      const res = await b.post('/account/add-funds', { currency: 'USD', amount: '7.50', payment_method: 'usdt_trc20' });
      assert.equal(res.statusCode, 303, res.body);
      const page = await b.get(String(res.headers.location));
      assert.match(page.body, /USDT \(Tron, TRC-20\)/);
      assert.match(page.body, /tron-nile/);
      assert.equal(textOf(page.body, 'pay-contract'), USDT_TRON);
      assert.ok(isTronAddress(textOf(page.body, 'pay-address')));
      assert.match(page.body, /data-method-warning[^>]*>Send only USDT \(TRC-20\) of this contract/);
      assert.match(page.body, /class="qr"[^>]*><svg/);
      // No "Open in wallet" link to '#': Tron has no payment URI wallets agree on.
      assert.doesNotMatch(page.body, /href="#">Open in wallet/);
      const simulated = await b.post(`${String(res.headers.location)}/simulate`, { step: 'all', amount: '', confirmations: '' });
      assert.equal(simulated.statusCode, 303);
      assert.match((await b.get(String(simulated.headers.location))).body, /7\.50 USD was added/);
    });
  });
}
