// Proves usdc_solana in the sandbox on every dialect: the API deposit is a devnet Solana Pay transfer request, a simulated payment settles through the real settlement path to complete and the balance, and the website checkout shows the QR, the mint and the Solana Pay warning.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { businessAccount, dialects, staticRates } from './support/harness.ts';
import type { TestAccount, World } from './support/harness.ts';
import { InjectBrowser, openWebWorld, textOf } from './support/browser.ts';

const DEVNET_USDC = '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU';
const BASE58 = '[1-9A-HJ-NP-Za-km-z]';

for (const dialect of dialects()) {
  describe(`usdc_solana sandbox (${dialect})`, () => {
    let world: World;
    let biz: TestAccount;
    before(async () => {
      world = await openWebWorld(dialect, {}, { rates: staticRates({ 'USDC/USD': '1', 'USDC/EUR': '0.9' }) });
      biz = await businessAccount(world.deps);
    });
    after(() => world.close());

    const call = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      world.app.inject({ method, url, headers: biz.headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

    test('API: deposit → simulated payment → complete → balance', async () => {
      const created = await call('POST', '/v2/accounts/deposit', { amount: 20, currency: 'USD', payment_method: 'usdc_solana' });
      assert.equal(created.statusCode, 200, created.body);
      const invoice = created.json().data as { id: string; payment: { address: string; uri: string; network: string; contract_address: string; price: number } };
      assert.equal(invoice.payment.network, 'solana-devnet');
      assert.equal(invoice.payment.contract_address, DEVNET_USDC);
      assert.equal(invoice.payment.price, 20);
      assert.match(invoice.payment.uri, new RegExp(`^solana:${invoice.payment.address}\\?amount=20&spl-token=${DEVNET_USDC}&reference=${BASE58}{32,44}&label=`));
      const paid = await call('POST', `/v2/sandbox/invoices/${invoice.id}/pay`, {});
      assert.equal(paid.statusCode, 200, paid.body);
      const read = (await call('GET', `/v2/invoices/${invoice.id}`)).json().data as { status: string; credited_amount: number; payment: { transactions: { id: string }[] } };
      assert.equal(read.status, 'complete');
      assert.equal(read.credited_amount, 20);
      assert.match(read.payment.transactions[0]?.id ?? '', new RegExp(`^${BASE58}{64,88}$`), 'a Solana signature');
      const balance = (await call('GET', '/v2/accounts/balance')).json().data as { balance: number };
      assert.equal(balance.balance, 20);
    });

    test('website: the checkout shows the solana: QR link, the network, the mint and the Solana Pay warning', async () => {
      const b = new InjectBrowser(world.app);
      assert.equal((await b.signUp('solana@example.com')).statusCode, 303);
      await b.get('/account/add-funds');
      const res = await b.post('/account/add-funds', { currency: 'USD', amount: '7.50', payment_method: 'usdc_solana' });
      assert.equal(res.statusCode, 303, res.body);
      const page = await b.get(String(res.headers.location));
      assert.match(page.body, /USDC \(Solana\)/);
      assert.match(page.body, /solana-devnet/);
      assert.equal(textOf(page.body, 'pay-contract'), DEVNET_USDC);
      assert.match(page.body, /data-method-warning[^>]*>Send only USDC of this mint/);
      assert.match(page.body, /class="qr"[^>]*><svg/);
      assert.match(page.body, new RegExp(`href="solana:${BASE58}{32,44}\\?amount=7\\.5&amp;spl-token=${DEVNET_USDC}`));
      const simulated = await b.post(`${String(res.headers.location)}/simulate`, { step: 'all', amount: '', confirmations: '' });
      assert.equal(simulated.statusCode, 303);
      assert.match((await b.get(String(simulated.headers.location))).body, /7\.50 USD was added/);
    });
  });
}
