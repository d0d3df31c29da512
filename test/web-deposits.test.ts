// Proves the website's add-funds flow on every dialect: the form validates server-side and
// stores nothing on error; a deposit leads to a checkout with a QR code, copyable address and
// amount, network/contract for EVM tokens and a countdown; simulated payments settle through the
// sandbox use case and the status endpoint reports them; another account's deposit is a 404;
// and expired, underpaid, overpaid and late deposits each say what happened to the money.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { InjectBrowser, openWebWorld, textOf } from './support/browser.ts';
import { expireInvoices } from '../src/usecases/expire-invoices.ts';
import { sandboxPay } from '../src/usecases/sandbox-pay.ts';
import { createDeposit } from '../src/usecases/create-deposit.ts';

const UUID = /\/account\/deposits\/([0-9a-f-]{36})$/;

for (const dialect of dialects()) {
  describe(`website deposits (${dialect})`, () => {
    let world: World;
    before(async () => { world = await openWebWorld(dialect); });
    after(() => world.close());

    async function signedIn(email: string): Promise<{ b: InjectBrowser; accountId: string }> {
      const b = new InjectBrowser(world.app);
      assert.equal((await b.signUp(email)).statusCode, 303);
      const user = await world.deps.store.web.userByEmail(email);
      return { b, accountId: user!.accountId };
    }

    async function deposit(b: InjectBrowser, fields: Record<string, string>): Promise<string> {
      await b.get('/account/add-funds');
      const res = await b.post('/account/add-funds', fields);
      assert.equal(res.statusCode, 303, res.body);
      const id = UUID.exec(String(res.headers.location))?.[1];
      assert.ok(id);
      return id;
    }

    const status = async (b: InjectBrowser, id: string) => JSON.parse((await b.get(`/account/deposits/${id}/status`)).body) as { status: string; final: boolean; html: string; title: string };
    const account = async (id: string) => (await world.deps.store.accounts.get(id))!;

    test('bad add-funds input gets a message next to the field and stores no invoice', async () => {
      const { b, accountId } = await signedIn('form@example.com');
      await b.get('/account/add-funds');
      const cases: Array<[Record<string, string>, string, RegExp]> = [
        [{ currency: 'USD', amount: '', payment_method: 'bitcoin' }, 'amount', /Enter an amount/],
        [{ currency: 'USD', amount: '10.001', payment_method: 'bitcoin' }, 'amount', /more than 2 decimal places/],
        [{ currency: 'USD', amount: '-5', payment_method: 'bitcoin' }, 'amount', /plain decimal/],
        [{ currency: 'USD', amount: '1e3', payment_method: 'bitcoin' }, 'amount', /plain decimal/],
        [{ currency: 'USD', amount: '100000000', payment_method: 'bitcoin' }, 'amount', /at most/],
        [{ currency: 'USD', amount: '10', payment_method: 'dogecoin' }, 'payment_method', /not available/],
        [{ currency: 'USD', amount: '10' }, 'payment_method', /Choose how you will pay/],
        [{ currency: 'XYZ', amount: '10', payment_method: 'bitcoin' }, 'currency', /USD, EUR or BTC/],
      ];
      for (const [fields, name, message] of cases) {
        const res = await b.post('/account/add-funds', fields);
        assert.equal(res.statusCode, 400, JSON.stringify(fields));
        assert.match(textOf(res.body, `${name}-error`), message, JSON.stringify(fields));
      }
      const echoed = await b.post('/account/add-funds', { currency: 'USD', amount: '"><script>alert(1)</script>', payment_method: 'bitcoin' });
      assert.ok(!echoed.body.includes('<script>alert(1)'));
      assert.equal((await world.deps.store.invoices.page({ accountId, start: 0, limit: 10 })).length, 0);
    });

    test('a deposit opens a checkout with QR, copyable amount and address and a countdown; paying it credits the balance', async () => {
      const { b, accountId } = await signedIn('pay@example.com');
      const id = await deposit(b, { currency: 'USD', amount: '25', payment_method: 'bitcoin' });
      const page = await b.get(`/account/deposits/${id}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<div class="qr" role="img" aria-label="QR code of the payment link"><svg /);
      assert.equal(textOf(page.body, 'pay-amount'), '0.0005');
      assert.match(textOf(page.body, 'pay-address'), /^bcrt1q/);
      assert.match(page.body, /data-copy="pay-address"/);
      assert.match(page.body, /data-expires="[0-9T:.-]+Z"/);
      assert.match(page.body, /href="bitcoin:bcrt1q[^"]*amount=0\.0005/);
      assert.match(page.body, /Sandbox/);
      assert.equal((await status(b, id)).status, 'unpaid');

      // Detected first (0 confirmations), then the same payment confirmed: credited.
      let sim = await b.post(`/account/deposits/${id}/simulate`, { step: 'detect', amount: '', confirmations: '' }, { headers: { accept: 'application/json' } });
      assert.equal(sim.statusCode, 200, sim.body);
      const { txid } = JSON.parse(sim.body) as { txid: string };
      const detected = await status(b, id);
      assert.equal(detected.status, 'payment_detected');
      assert.match(detected.html, /We see 0\.0005 BTC on the network/);
      sim = await b.post(`/account/deposits/${id}/simulate`, { step: 'confirm', txid, confirmations: '' }, { headers: { accept: 'application/json' } });
      assert.equal(sim.statusCode, 200, sim.body);
      const done = await status(b, id);
      assert.equal(done.status, 'complete');
      assert.equal(done.final, true);
      assert.match(done.html, /Paid in full: 25\.00 USD was added/);
      assert.match(done.html, /balance is now <strong data-new-balance>25\.00 USD/);
      const dash = await b.get('/account');
      assert.match(dash.body, /data-balance="USD">25\.00 USD/);
      assert.match(dash.body, /Deposit credited/);
      assert.equal((await world.deps.store.invoices.page({ accountId, start: 0, limit: 10 }))[0]?.status, 'complete');
    });

    test('without JavaScript the simulate form pays in one step and redirects back to the checkout', async () => {
      const { b } = await signedIn('nojs@example.com');
      const id = await deposit(b, { currency: 'EUR', amount: '8', payment_method: 'lightning' });
      const page = await b.get(`/account/deposits/${id}`);
      assert.match(textOf(page.body, 'pay-address'), /^lnbcrt/);
      const res = await b.post(`/account/deposits/${id}/simulate`, { step: 'all', amount: '', confirmations: '' });
      assert.equal(res.statusCode, 303);
      // The account is in USD: 8 EUR at 50000 USD/BTC ÷ 40000 EUR/BTC (issue 15, 8c) lands in its USD balance.
      const receipt = (await b.get(String(res.headers.location))).body;
      assert.match(receipt, /10\.00 USD \(8\.00 EUR converted\) was added/);
      assert.match(receipt, /Your USD balance is now <strong data-new-balance>10\.00 USD/);
      assert.match(page.body, /data-conversion>USD, your balance's currency: 1 EUR = 1\.25 USD/);
    });

    test('EVM token checkouts name the network, chain id and token contract', async () => {
      const { b } = await signedIn('evm@example.com');
      const id = await deposit(b, { currency: 'USD', amount: '12.50', payment_method: 'usdc_base' });
      const page = await b.get(`/account/deposits/${id}`);
      assert.match(page.body, /base \(chain id 8453\)/);
      assert.equal(textOf(page.body, 'pay-contract'), '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913');
      assert.match(textOf(page.body, 'pay-address'), /^0x[0-9a-fA-F]{40}$/);
    });

    test('another account\'s deposit, its status and its simulate button are 404s', async () => {
      const { b: owner } = await signedIn('owner@example.com');
      const id = await deposit(owner, { currency: 'USD', amount: '5', payment_method: 'bitcoin' });
      const { b: other } = await signedIn('other@example.com');
      assert.equal((await other.get(`/account/deposits/${id}`)).statusCode, 404);
      assert.equal((await other.get(`/account/deposits/${id}/status`)).statusCode, 404);
      assert.equal((await other.post(`/account/deposits/${id}/simulate`, { step: 'all' })).statusCode, 404);
      assert.equal((await other.get('/account/deposits/not-a-uuid')).statusCode, 404);
      assert.equal((await other.get('/account/nothing-here')).statusCode, 404);
      assert.equal((await owner.get(`/account/deposits/${id}`)).statusCode, 200);
    });

    test('expired, underpaid, overpaid and late deposits each say plainly what happened to the money', async () => {
      const { b, accountId } = await signedIn('cases@example.com');
      const acc = await account(accountId);
      const expiry = world.deps.settings.invoiceExpiryMs;

      const empty = await deposit(b, { currency: 'USD', amount: '10', payment_method: 'bitcoin' });
      const under = await deposit(b, { currency: 'USD', amount: '10', payment_method: 'bitcoin' });
      const over = await deposit(b, { currency: 'USD', amount: '10', payment_method: 'bitcoin' });
      await sandboxPay(world.deps, acc, under, { amount: '0.0001' });
      await sandboxPay(world.deps, acc, over, { amount: '0.0003' });
      assert.match((await status(b, under)).html, /less than the price.*remaining 0\.0001 BTC/s);
      assert.match((await status(b, over)).html, /extra 0\.0001 BTC was credited too, at the locked rate: 15\.00 USD/);

      world.clock.advance(expiry + 1000);
      await expireInvoices(world.deps);
      assert.match((await status(b, empty)).html, /expired before any payment arrived\. No money moved/);
      assert.match((await status(b, under)).html, /sent 0\.0001 BTC of the 0\.0002 BTC asked.*5\.00 USD was added/s);

      await sandboxPay(world.deps, acc, empty, { amount: '0.0002' });
      const late = await status(b, empty);
      assert.match(late.html, /arrived after this deposit had expired or completed\. It was still credited, at the rate when it arrived: 10\.00 USD/);
      const dash = await b.get('/account');
      assert.match(dash.body, /data-balance="USD">30\.00 USD/);
    });

    test('an "any amount" deposit credits what arrives at the rate of the moment', async () => {
      const { b } = await signedIn('any@example.com');
      const id = await deposit(b, { currency: 'USD', amount: '', any_amount: '1', payment_method: 'bitcoin' });
      const page = await b.get(`/account/deposits/${id}`);
      assert.match(page.body, /Any amount of BTC/);
      const res = await b.post(`/account/deposits/${id}/simulate`, { step: 'all', amount: '0.001', confirmations: '' });
      assert.equal(res.statusCode, 303);
      assert.match((await status(b, id)).html, /50\.00 USD was added to your balance, at the rate when your payment arrived/);
      const refused = await b.post(`/account/deposits/${(await deposit(b, { currency: 'USD', any_amount: '1', payment_method: 'bitcoin' }))}/simulate`, { step: 'all', amount: '' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /amount is required/);
    });

    test('the dashboard pages its history and lists deposits on their way', async () => {
      const { b, accountId } = await signedIn('pages@example.com');
      const acc = await account(accountId);
      // The history is filled through the use cases directly; the form is covered above.
      for (let i = 0; i < 21; i++) {
        const invoice = await createDeposit(world.deps, acc, { currency: 'USD', amount: `${i + 1}`, paymentMethod: 'lightning' });
        await sandboxPay(world.deps, acc, invoice.id, {});
      }
      const pending = await deposit(b, { currency: 'USD', amount: '3', payment_method: 'bitcoin' });
      await sandboxPay(world.deps, acc, pending, { confirmations: 0 });
      const first = await b.get('/account');
      assert.match(first.body, /href="\/account\?page=2"/);
      assert.match(first.body, /\+ 3\.00 USD on its way/);
      assert.match(first.body, new RegExp(`href="/account/deposits/${pending}"`));
      const second = await b.get('/account?page=2');
      assert.equal((second.body.match(/Deposit credited/g) ?? []).length, 1);
      assert.match(second.body, /\+1\.00 USD/);
      assert.equal((await b.get('/account/deposits?page=2')).statusCode, 200);
    });
  });
}
