// Proves the checkout as a state machine the customer can read (issue 18, items 2, 3, 4, 6, 9) on
// every dialect: the page asks for money only while something is owed (QR, wallet link and
// countdown gone once a payment is seen, also after a reload); the seen state counts
// confirmations; the credited state is a receipt (credited, received, rate, transaction linked to
// the configured explorer, time); a partial payment re-prices the QR, wallet link and amount to the
// remainder per scheme (BIP21, EIP-681, Solana Pay) and says why a BOLT11 cannot be; an expired
// deposit shows no QR and a late payment one consistent sentence; the deposits list uses the same
// state names; a signed-out poll gets a 401 the page can read.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { businessAccount, dialects } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { InjectBrowser, openWebWorld, textOf } from './support/browser.ts';
import { expireInvoices } from '../src/usecases/expire-invoices.ts';
import { sandboxPay } from '../src/usecases/sandbox-pay.ts';
import QRCode from 'qrcode';

const UUID = /\/account\/deposits\/([0-9a-f-]{36})$/;
const EXPLORER = 'https://explorer.example/tx/{txid}';

for (const dialect of dialects()) {
  describe(`checkout states (${dialect})`, () => {
    let world: World;
    before(async () => { world = await openWebWorld(dialect, { explorers: { usdc_base: EXPLORER, bitcoin: EXPLORER } }); });
    after(() => world.close());

    async function signedIn(email: string) {
      const b = new InjectBrowser(world.app);
      await b.signUp(email);
      const user = (await world.deps.store.web.userByEmail(email))!;
      return { b, account: (await world.deps.store.accounts.get(user.accountId))! };
    }
    async function deposit(b: InjectBrowser, fields: Record<string, string>): Promise<string> {
      await b.get('/account/add-funds');
      const res = await b.post('/account/add-funds', fields);
      assert.equal(res.statusCode, 303, res.body);
      return UUID.exec(String(res.headers.location))![1]!;
    }
    const status = async (b: InjectBrowser, id: string) =>
      JSON.parse((await b.get(`/account/deposits/${id}/status`, { accept: 'application/json' })).body) as { status: string; state: string; key: string; final: boolean; html: string };
    const walletHref = (body: string) => /<a class="button" href="([^"]+)" data-wallet-link>/.exec(body)?.[1] ?? null;

    test('seen: no QR, wallet link or countdown, confirmations counted; credited: a receipt with the transaction linked to the explorer', async () => {
      const { b, account } = await signedIn('states@example.com');
      const id = await deposit(b, { currency: 'USD', amount: '40', payment_method: 'usdc_base' });
      let page = (await b.get(`/account/deposits/${id}`)).body;
      assert.match(page, /<svg /);
      assert.ok(walletHref(page)?.startsWith('ethereum:'));

      const { txid } = await sandboxPay(world.deps, account, id, { confirmations: 0 });
      page = (await b.get(`/account/deposits/${id}`)).body;
      assert.doesNotMatch(page, /<svg /, 'no QR once the payment is seen (after a reload too)');
      assert.equal(walletHref(page), null);
      assert.doesNotMatch(page, /data-expires|Quote expires/);
      assert.match(page, /Payment seen — waiting for 10 confirmations/);
      assert.equal(textOf(page, 'status').includes('0 of 10'), true);
      const before = await status(b, id);
      assert.equal(before.state, 'detected');

      await sandboxPay(world.deps, account, id, { txid, confirmations: 3 });
      const counted = await status(b, id);
      assert.notEqual(counted.key, before.key, 'a new confirmation changes what the page shows');
      assert.match(counted.html, /data-confirmations>3 of 10</);

      await sandboxPay(world.deps, account, id, { txid, confirmations: 10 });
      const done = await status(b, id);
      assert.equal(done.state, 'credited');
      assert.doesNotMatch(done.html, /<svg |data-wallet-link/);
      assert.match(done.html, /<h2 id="receipt-heading" tabindex="-1">Receipt<\/h2>/);
      assert.match(done.html, /data-receipt-credited>40\.00 USD</);
      assert.match(done.html, /data-receipt-received>40 USDC/);
      assert.match(done.html, /1 USDC = 1 USD/);
      assert.ok(done.html.includes(`href="https://explorer.example/tx/${encodeURIComponent(txid)}"`), done.html);
      assert.match((await b.get('/account/deposits')).body, /data-state="credited">Credited</);
    });

    test('a partial payment re-prices the QR, wallet link and amount to the remainder (BIP21, EIP-681, Solana Pay); a BOLT11 says why it cannot', async () => {
      const { b, account } = await signedIn('partial@example.com');
      const btc = await deposit(b, { currency: 'USD', amount: '10', payment_method: 'bitcoin' });
      await sandboxPay(world.deps, account, btc, { amount: '0.00005', confirmations: 0 });
      let page = (await b.get(`/account/deposits/${btc}`)).body;
      assert.match(page, /<svg /);
      assert.match(walletHref(page) ?? '', /^bitcoin:bcrt1q[^?]+\?amount=0\.00015(&|$)/);
      assert.doesNotMatch(walletHref(page) ?? '', /lightning=/);
      assert.equal(textOf(page, 'pay-amount'), '0.00015');
      assert.match(page, /Still to pay/);
      // The QR encodes that same re-priced URI (rendered with the page's own qrcode options).
      const qrOfRest = await QRCode.toString(walletHref(page)!.replaceAll('&amp;', '&'), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
      assert.ok(page.includes(qrOfRest), 'the QR asks for the remainder');
      assert.match(page, /id="sim-amount" name="amount" type="text" inputmode="decimal" value="0\.00015"/, 'the sandbox form offers the remainder');
      assert.match((await b.get('/account/deposits')).body, /data-state="partial">Partly paid</);

      const usdc = await deposit(b, { currency: 'USD', amount: '40', payment_method: 'usdc_base' });
      await sandboxPay(world.deps, account, usdc, { amount: '15', confirmations: 0 });
      page = (await b.get(`/account/deposits/${usdc}`)).body;
      assert.match(walletHref(page) ?? '', /\/transfer\?address=0x[0-9a-fA-F]{40}&amp;uint256=25000000$/);
      assert.equal(textOf(page, 'pay-amount'), '25');

      const sol = await deposit(b, { currency: 'USD', amount: '40', payment_method: 'usdc_solana' });
      await sandboxPay(world.deps, account, sol, { amount: '15', confirmations: 0 });
      page = (await b.get(`/account/deposits/${sol}`)).body;
      assert.match(walletHref(page) ?? '', /^solana:[^?]+\?amount=25&amp;spl-token=[^&]+&amp;reference=/);

      // Tron: a bare T-address QR (no URI scheme wallets share) stays payable; the page says what is still owed.
      const trx = await deposit(b, { currency: 'USD', amount: '40', payment_method: 'usdt_trc20' });
      await sandboxPay(world.deps, account, trx, { amount: '15', confirmations: 0 });
      page = (await b.get(`/account/deposits/${trx}`)).body;
      assert.equal((await status(b, trx)).state, 'partial');
      assert.match(page, /<svg /);
      assert.doesNotMatch(page, /data-no-reprice/);
      assert.equal(textOf(page, 'pay-amount'), '25');

      const ln = await deposit(b, { currency: 'USD', amount: '10', payment_method: 'lightning' });
      await sandboxPay(world.deps, account, ln, { amount: '0.00005' });
      page = (await b.get(`/account/deposits/${ln}`)).body;
      assert.equal((await status(b, ln)).state, 'partial');
      {
        assert.doesNotMatch(page, /<svg /);
        assert.match(page, /data-no-reprice/);
        assert.match(page, /cannot ask for the remainder/);
      }
    });

    test('expired: no QR; a late payment shows one consistent sentence, on the page and in the deposits list', async () => {
      const { b, account } = await signedIn('late@example.com');
      const id = await deposit(b, { currency: 'USD', amount: '10', payment_method: 'bitcoin' });
      world.clock.advance(world.deps.settings.invoiceExpiryMs + 1000);
      await expireInvoices(world.deps);
      let page = (await b.get(`/account/deposits/${id}`)).body;
      assert.doesNotMatch(page, /<svg |data-wallet-link/);
      assert.match((await b.get('/account/deposits')).body, /data-state="expired">Expired</);
      const expired = await status(b, id);
      assert.equal(expired.final, false, 'still watched: the page keeps polling for a late payment');

      await sandboxPay(world.deps, account, id, { amount: '0.0002' });
      const late = await status(b, id);
      assert.equal(late.state, 'late_credited');
      assert.notEqual(late.key, expired.key);
      assert.match(late.html, /Credited — paid after the quote expired/);
      assert.doesNotMatch(late.html, /nothing arrived|No money moved/);
      assert.match(late.html, /Receipt/);
      page = (await b.get(`/account/deposits/${id}`)).body;
      assert.doesNotMatch(page, /nothing arrived/);
      const list = (await b.get('/account/deposits')).body;
      assert.match(list, /data-state="late_credited">Credited \(paid late\)</);
      assert.doesNotMatch(list, />Expired</);
    });

    test('each method refuses amounts below what it can carry (bitcoin dust), on the website and in /v2, and the form lists the minimums', async () => {
      const { b, account } = await signedIn('dust@example.com');
      const form = (await b.get('/account/add-funds')).body;
      assert.match(form, /Bitcoin \(on-chain\) <span class="muted">— from 546 sats \(0\.00000546 BTC\)/);
      assert.match(form, /USDC \(Base\) <span class="muted">— from 0\.01 USDC/);
      // 0.01 USD at 50,000 USD/BTC is 20 sats: below bitcoin's dust limit.
      const refused = await b.post('/account/add-funds', { currency: 'USD', amount: '0.01', payment_method: 'bitcoin' });
      assert.equal(refused.statusCode, 400);
      assert.match(textOf(refused.body, 'amount-error'), /0\.0000002 BTC, below the smallest payment this method carries, 546 sats \(0\.00000546 BTC\) \(the network(&#39;|')s dust limit\)/);
      assert.match(refused.body, /value="0\.01"/, 'what was typed is kept');
      assert.equal((await world.deps.store.invoices.page({ accountId: account.id, start: 0, limit: 10 })).length, 0);
      assert.equal((await b.post('/account/add-funds', { currency: 'USD', amount: '0.01', payment_method: 'lightning' })).statusCode, 303, '20 sats over lightning is fine');
      assert.equal((await b.post('/account/add-funds', { currency: 'USD', amount: '0.30', payment_method: 'bitcoin' })).statusCode, 303, '600 sats is above dust');

      const biz = await businessAccount(world.deps);
      const api = await world.app.inject({ method: 'POST', url: '/v2/accounts/deposit', headers: biz.headers, payload: JSON.stringify({ amount: 0.01, currency: 'USD', payment_method: 'bitcoin' }) });
      assert.equal(api.statusCode, 400);
      assert.equal(api.json().error_code, 'amount_too_small');
    });

    test('a decimal comma is read as the decimal point ("1,5" EUR)', async () => {
      const { b } = await signedIn('comma@example.com');
      const id = await deposit(b, { currency: 'EUR', amount: '1,5', payment_method: 'lightning' });
      const invoice = (await world.deps.store.invoices.get(id))!;
      assert.equal(invoice.amountMinor, 150n);
      const bad = await b.post('/account/add-funds', { currency: 'EUR', amount: '1,5,0', payment_method: 'lightning' });
      assert.equal(bad.statusCode, 400);
    });

    test('a poll from a signed-out session gets a 401 the page can read, not the sign-in page', async () => {
      const { b } = await signedIn('gone@example.com');
      const id = await deposit(b, { currency: 'USD', amount: '10', payment_method: 'bitcoin' });
      await b.post('/signout', {});
      const res = await b.get(`/account/deposits/${id}/status`, { accept: 'application/json' });
      assert.equal(res.statusCode, 401);
      assert.equal((JSON.parse(res.body) as { signed_out: boolean }).signed_out, true);
      assert.equal((await b.get(`/account/deposits/${id}`)).statusCode, 303, 'a page load still goes to the sign-in page');
    });
  });
}
