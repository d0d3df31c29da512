// Unified QR (issues 3 and 5) on every dialect: a bitcoin deposit's BIP21 carries a lightning=
// BOLT11 for the same price, stored as a companion target of the bitcoin invoice; paying the
// companion (in the sandbox, and through the real lightning watcher against a fake LND) credits
// the bitcoin invoice in sats; on-chain and lightning halves add up; watchers' target paging sees
// companions exactly once. Ledger invariants after each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBolt11 } from '../src/methods/lightning/bolt11.ts';
import { verifyLedger } from '../src/usecases/verify-ledger.ts';
import { businessAccount, dialects, openWorld, staticRates } from './support/harness.ts';
import type { TestAccount, World } from './support/harness.ts';
import { FakeLnd } from './support/fake-lnd.ts';
import { lightningRegistry } from './support/chain-lightning.ts';
import { ChainWorld } from './support/chain-world.ts';
import type { WireInvoice } from './support/chain-world.ts';

/** BTC/USD 50,000: $10 is 20,000 sat, 20,000,000 msat. */
const RATES = staticRates({ 'BTC/USD': '50000' });

function lightningParam(uri: string): string {
  const value = new URL(uri).searchParams.get('lightning');
  assert.ok(value, `no lightning= in ${uri}`);
  return value;
}

for (const dialect of dialects()) {
  describe(`unified bitcoin + lightning deposits in the sandbox (${dialect})`, () => {
    let world: World;
    let biz: TestAccount;
    before(async () => {
      world = await openWorld(dialect, { rates: RATES });
      biz = await businessAccount(world.deps);
    });
    after(() => world.close());

    const call = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      world.app.inject({ method, url, headers: biz.headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

    async function deposit(body: Record<string, unknown>): Promise<WireInvoice> {
      const created = await call('POST', '/v2/accounts/deposit', { currency: 'USD', payment_method: 'bitcoin', ...body });
      assert.equal(created.statusCode, 200, created.body);
      return created.json().data as WireInvoice;
    }

    async function assertLedgerOk(): Promise<void> {
      const report = await verifyLedger(world.deps.store);
      assert.ok(report.ok, JSON.stringify(report));
    }

    test('a bitcoin deposit carries a BIP21 with lightning=<BOLT11 for price × 1000 msat>', async () => {
      // Proves the unified URI: the BOLT11 decodes, its amount is the sat price in msat, and it is payment.lightning_invoice.
      const invoice = await deposit({ amount: 10 });
      assert.equal(invoice.payment.price, 0.0002);
      assert.match(invoice.payment.uri, /^bitcoin:bcrt1q[0-9a-z]+\?amount=0\.0002&label=.*&lightning=lnbcrt/);
      const bolt11 = lightningParam(invoice.payment.uri);
      assert.equal(invoice.payment.lightning_invoice, bolt11);
      assert.equal(decodeBolt11(bolt11).amountMsat, 20_000_000n);
      const flexible = await deposit({});
      assert.equal(decodeBolt11(lightningParam(flexible.payment.uri)).amountMsat, null);
      assert.match(flexible.payment.address, /^bcrt1q/);
    });

    test('paying the lightning companion completes the bitcoin invoice with exactly the amount', async () => {
      // Proves a companion payment counts in the invoice's unit (msat → sat) and credits exactly the deposit.
      const invoice = await deposit({ amount: 10 });
      const paid = await call('POST', `/v2/sandbox/invoices/${invoice.id}/pay`, { method: 'lightning' });
      assert.equal(paid.statusCode, 200, paid.body);
      const read = (await call('GET', `/v2/invoices/${invoice.id}`)).json().data as WireInvoice;
      assert.equal(read.status, 'complete', JSON.stringify(read));
      assert.equal(read.credited_amount, 10);
      assert.equal(read.payment.status, 'paid');
      assert.equal(read.payment.received, '0.0002');
      assert.equal(read.payment.transactions.length, 1);
      assert.deepEqual(read.payment.transactions.map((t) => [t.method, t.amount, t.status]), [['lightning', '0.0002', 'credited']]);
      await assertLedgerOk();
    });

    test('half on-chain and half over lightning completes the invoice', async () => {
      // Proves on-chain sats and companion msat add up against one price and together credit exactly the amount.
      const invoice = await deposit({ amount: 10 });
      const chain = await call('POST', `/v2/sandbox/invoices/${invoice.id}/pay`, { amount: '0.0001' });
      assert.equal(chain.statusCode, 200, chain.body);
      assert.equal(chain.json().data.status, 'payment_confirmed');
      assert.equal(chain.json().data.payment.status, 'partially_paid');
      const ln = await call('POST', `/v2/sandbox/invoices/${invoice.id}/pay`, { method: 'lightning', amount: '0.0001' });
      assert.equal(ln.statusCode, 200, ln.body);
      const read = (await call('GET', `/v2/invoices/${invoice.id}`)).json().data as WireInvoice;
      assert.equal(read.status, 'complete', JSON.stringify(read));
      assert.equal(read.credited_amount, 10);
      assert.equal(read.payment.status, 'paid');
      assert.equal(read.payment.received, '0.0002');
      assert.deepEqual(read.payment.transactions.map((t) => t.method ?? 'bitcoin').sort(), ['bitcoin', 'lightning']);
      await assertLedgerOk();
    });

    test('sub-satoshi lightning amounts round down, and an unknown method is refused', async () => {
      // Proves floor(msat / 1000): 1 msat short of the price leaves the invoice 1 sat short, never rounded up.
      const invoice = await deposit({ amount: 10 });
      const short = await call('POST', `/v2/sandbox/invoices/${invoice.id}/pay`, { method: 'lightning', amount: '0.00019999999' });
      assert.equal(short.statusCode, 200, short.body);
      const read = short.json().data as WireInvoice;
      assert.equal(read.payment.received, '0.00019999');
      assert.equal(read.payment.status, 'partially_paid');
      assert.notEqual(read.status, 'complete');
      const refused = await call('POST', `/v2/sandbox/invoices/${invoice.id}/pay`, { method: 'usdc_base' });
      assert.equal(refused.statusCode, 400, refused.body);
      await assertLedgerOk();
    });

    test('watched targets page invoices and companions under one cursor, each exactly once', async () => {
      // Proves the cursor never skips or repeats a target, whatever the page size, with invoice and companion sharing a seq.
      for (let i = 0; i < 5; i += 1) await deposit({ amount: 10 });
      const now = world.clock.now();
      const store = world.deps.store;
      const everything = await store.invoices.watchedTargets(['bitcoin', 'lightning'], 0, now, 10_000);
      const expected = everything.targets.map((t) => `${t.methodId}:${t.targetKey}`).sort();
      assert.ok(everything.targets.filter((t) => t.methodId === 'lightning').length >= 5);
      for (const methods of [['bitcoin', 'lightning'], ['lightning']]) {
        const want = expected.filter((k) => methods.some((m) => k.startsWith(`${m}:`)));
        for (const limit of [1, 2, 3, 7]) {
          const got: string[] = [];
          let cursor = 0;
          for (let round = 0; round < 1000; round += 1) {
            const page = await store.invoices.watchedTargets(methods, cursor, now, limit);
            got.push(...page.targets.map((t) => `${t.methodId}:${t.targetKey}`));
            if (page.targets.length === 0) break;
            assert.ok(page.cursor > cursor, 'the cursor advances');
            cursor = page.cursor;
          }
          assert.deepEqual(got.sort(), want, `methods ${methods.join(',')} limit ${limit}`);
        }
      }
      const lightningOnly = await store.invoices.watchedTargets(['lightning'], 0, now, 10_000);
      for (const t of lightningOnly.targets) assert.equal((await store.invoices.findByTarget('lightning', t.targetKey))?.id, t.invoiceId);
    });
  });

  describe(`unified deposit paid through the real lightning watcher and a fake LND (${dialect})`, () => {
    let fake: FakeLnd;
    let world: ChainWorld;
    before(async () => {
      fake = await FakeLnd.start();
      world = await ChainWorld.open(dialect, { rates: RATES, methods: (clock) => lightningRegistry(fake, clock) });
      await world.startWatchers();
    });
    after(async () => {
      await world.close();
      await fake.close();
    });

    test('settling the companion BOLT11 on the node credits the bitcoin invoice', async () => {
      // Proves the watcher knows companion payment hashes (targets()) and its observation settles the bitcoin invoice exactly.
      const acct = await world.account('USD');
      const inv = await world.deposit(acct, { amount: 10, currency: 'USD', payment_method: 'bitcoin' });
      const bolt11 = lightningParam(inv.payment.uri);
      assert.equal(inv.payment.lightning_invoice, bolt11);
      const decoded = decodeBolt11(bolt11);
      assert.equal(decoded.amountMsat, 20_000_000n);
      assert.equal(decoded.payeeNodeKey, fake.book.nodeKey);
      fake.book.pay(decoded.paymentHash);
      const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      assert.equal(done.credited_amount, 10);
      assert.equal(done.payment.status, 'paid');
      assert.deepEqual(done.payment.transactions.map((t) => [t.id, t.method, t.status]), [[decoded.paymentHash, 'lightning', 'credited']]);
      assert.equal(await world.balance(acct), 10);
      await world.invariants([decoded.paymentHash]);
    });

    test('a lightning node handing out a bad BOLT11 leaves the bitcoin deposit without fallback, not failed', async () => {
      // Proves the companion is best effort: a refused BOLT11 gives a plain BIP21 and no companion target.
      const acct = await world.account('USD');
      fake.book.tamper = 'signer';
      const inv = await world.deposit(acct, { amount: 10, currency: 'USD', payment_method: 'bitcoin' });
      assert.equal(new URL(inv.payment.uri).searchParams.get('lightning'), null);
      assert.match(inv.payment.uri, /^bitcoin:bcrt1q/);
      assert.equal(inv.payment.lightning_invoice, undefined);
      assert.deepEqual(await world.deps.store.invoices.companions(inv.id), []);
      await world.invariants();
    });
  });
}
