// Proves the settlement rules of DESIGN.md §5 through the real store on every dialect:
// exact, under-, over-, late and repeated payments (ADVERSARIAL 17), confirmations, reversals
// (11), and that the ledger invariants hold after each.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { applyObservation } from '../src/usecases/apply-observations.ts';
import { expireInvoices } from '../src/usecases/expire-invoices.ts';
import { verifyLedger } from '../src/usecases/verify-ledger.ts';
import { accountBalances } from '../src/usecases/read-account.ts';
import { businessAccount, dialects, openWorld, staticRates } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { accountOf, deposit, pay } from './support/observations.ts';

const MINUTE = 60_000;

for (const dialect of dialects()) {
  describe(`settlement rules (${dialect})`, () => {
    let world: World;
    before(async () => { world = await openWorld(dialect, { rates: staticRates({ 'BTC/USD': '50000' }) }); });
    after(() => world.close());

    async function balanceOf(accountId: string): Promise<bigint> {
      const balances = await accountBalances(world.deps.store, await accountOf(world.deps, accountId));
      return balances.find((b) => b.currency === 'USD')?.balanceMinor ?? 0n;
    }
    async function invariants(): Promise<void> {
      const report = await verifyLedger(world.deps.store);
      assert.ok(report.ok, JSON.stringify(report));
    }

    test('nothing is credited at zero confirmations; the confirmed payment completes the invoice', async () => {
      const acct = await businessAccount(world.deps);
      const invoice = await deposit(world.deps, acct.id, '100');
      assert.equal(invoice.priceUnits, 200_000n); // 100 USD at 50,000 USD/BTC = 0.002 BTC
      const seen = pay(invoice, 200_000n, 0);
      await applyObservation(world.deps, seen);
      assert.equal((await world.deps.store.invoices.get(invoice.id))!.status, 'payment_detected');
      assert.equal(await balanceOf(acct.id), 0n);
      await applyObservation(world.deps, { ...seen, state: 'confirmed', confirmations: 1, blockHash: 'cd'.repeat(32), blockHeight: 7 });
      const done = (await world.deps.store.invoices.get(invoice.id))!;
      assert.equal(done.status, 'complete');
      assert.equal(done.creditedMinor, 10_000n);
      assert.equal(await balanceOf(acct.id), 10_000n);
      await invariants();
    });

    test('an underpayment waits for more, then is credited at the locked rate at expiry', async () => {
      const acct = await businessAccount(world.deps);
      const invoice = await deposit(world.deps, acct.id, '100');
      await applyObservation(world.deps, pay(invoice, 50_000n, 1));
      const waiting = (await world.deps.store.invoices.get(invoice.id))!;
      assert.equal(waiting.status, 'payment_confirmed');
      assert.equal(await balanceOf(acct.id), 0n);
      world.clock.advance(31 * MINUTE);
      await expireInvoices(world.deps);
      const settled = (await world.deps.store.invoices.get(invoice.id))!;
      assert.equal(settled.status, 'complete');
      assert.equal(settled.creditedMinor, 2_500n);
      assert.equal(await balanceOf(acct.id), 2_500n);
      world.clock.advance(-31 * MINUTE);
      await invariants();
    });

    test('underpayment topped up by a second payment completes with exactly the amount', async () => {
      const acct = await businessAccount(world.deps);
      const invoice = await deposit(world.deps, acct.id, '100');
      await applyObservation(world.deps, pay(invoice, 120_000n, 1));
      await applyObservation(world.deps, pay(invoice, 80_000n, 1));
      const done = (await world.deps.store.invoices.get(invoice.id))!;
      assert.equal(done.status, 'complete');
      assert.equal(done.creditedMinor, 10_000n);
      const payments = await world.deps.store.payments.forInvoice(invoice.id);
      assert.deepEqual(payments.map((p) => p.creditedMinor), [6_000n, 4_000n]);
      await invariants();
    });

    test('an overpayment credits the extra at the locked rate, even after the rate moves', async () => {
      const acct = await businessAccount(world.deps);
      const invoice = await deposit(world.deps, acct.id, '100');
      await applyObservation(world.deps, pay(invoice, 300_000n, 1));
      const done = (await world.deps.store.invoices.get(invoice.id))!;
      assert.equal(done.creditedMinor, 15_000n);
      await invariants();
    });

    test('a payment after expiry is credited as late at the rate when seen, never dropped', async () => {
      const rates = staticRates({ 'BTC/USD': '60000' });
      const acct = await businessAccount(world.deps);
      const invoice = await deposit(world.deps, acct.id, '100');
      world.clock.advance(31 * MINUTE);
      await expireInvoices(world.deps);
      assert.equal((await world.deps.store.invoices.get(invoice.id))!.status, 'expired');
      await applyObservation({ ...world.deps, rates }, pay(invoice, 200_000n, 1));
      const late = (await world.deps.store.invoices.get(invoice.id))!;
      assert.equal(late.status, 'expired');
      assert.equal(late.creditedMinor, 12_000n);
      const [payment] = await world.deps.store.payments.forInvoice(invoice.id);
      assert.equal(payment!.late, true);
      world.clock.advance(-31 * MINUTE);
      await invariants();
    });

    test('a repeated payment after completion is credited too, once per payment', async () => {
      const acct = await businessAccount(world.deps);
      const invoice = await deposit(world.deps, acct.id, '100');
      const first = pay(invoice, 200_000n, 1);
      await applyObservation(world.deps, first);
      await applyObservation(world.deps, first);
      await applyObservation(world.deps, pay(invoice, 100_000n, 1));
      assert.equal(await balanceOf(acct.id), 15_000n);
      await invariants();
    });

    test('a flexible invoice credits each confirmed payment at the rate when it was first seen', async () => {
      const acct = await businessAccount(world.deps);
      const invoice = await deposit(world.deps, acct.id, undefined);
      const seen = pay(invoice, 100_000n, 0);
      await applyObservation(world.deps, seen);
      await applyObservation({ ...world.deps, rates: staticRates({ 'BTC/USD': '10' }) }, { ...seen, state: 'confirmed', confirmations: 1 });
      assert.equal((await world.deps.store.invoices.get(invoice.id))!.creditedMinor, 5_000n);
      await invariants();
    });

    test('more confirmations are required above a configured amount', async () => {
      const tiered = await openWorld(dialect, { tiers: [{ amountUnits: 100_000n, confirmations: 3 }] });
      try {
        const acct = await businessAccount(tiered.deps);
        const invoice = await deposit(tiered.deps, acct.id, '1000');
        const big = pay(invoice, invoice.priceUnits!, 2);
        await applyObservation(tiered.deps, big);
        assert.equal((await tiered.deps.store.invoices.get(invoice.id))!.status, 'payment_detected');
        await applyObservation(tiered.deps, { ...big, confirmations: 3 });
        assert.equal((await tiered.deps.store.invoices.get(invoice.id))!.status, 'complete');
      } finally {
        await tiered.close();
      }
    });

    test('a credited payment that vanishes is reversed; the account is frozen if that makes it negative', async () => {
      const acct = await businessAccount(world.deps);
      const invoice = await deposit(world.deps, acct.id, '100');
      const payment = pay(invoice, 200_000n, 1);
      await applyObservation(world.deps, payment);
      assert.equal(await balanceOf(acct.id), 10_000n);
      const { chargeAccount } = await import('../src/usecases/charge-account.ts');
      await chargeAccount(world.deps, { accountId: acct.id, amount: '60', currency: 'USD', idempotencyKey: 'spend-1' });
      // Back to the mempool first (reorg): still credited, no reversal yet.
      await applyObservation(world.deps, { ...payment, state: 'seen', confirmations: 0 });
      assert.equal(await balanceOf(acct.id), 4_000n);
      await applyObservation(world.deps, { ...payment, state: 'gone', confirmations: 0 });
      assert.equal(await balanceOf(acct.id), -6_000n);
      assert.equal((await accountOf(world.deps, acct.id)).status, 'frozen');
      const after = (await world.deps.store.invoices.get(invoice.id))!;
      assert.equal(after.creditedMinor, 0n);
      // Re-mined later: no second credit.
      await applyObservation(world.deps, payment);
      assert.equal(await balanceOf(acct.id), -6_000n);
      await invariants();
    });

    test('an unconfirmed payment replaced by one paying elsewhere is never credited', async () => {
      const acct = await businessAccount(world.deps);
      const invoice = await deposit(world.deps, acct.id, '100');
      const payment = pay(invoice, 200_000n, 0);
      await applyObservation(world.deps, payment);
      await applyObservation(world.deps, { ...payment, state: 'gone' });
      assert.equal((await world.deps.store.invoices.get(invoice.id))!.status, 'unpaid');
      world.clock.advance(31 * MINUTE);
      await expireInvoices(world.deps);
      assert.equal((await world.deps.store.invoices.get(invoice.id))!.status, 'denied');
      world.clock.advance(-31 * MINUTE);
      assert.equal(await balanceOf(acct.id), 0n);
      await invariants();
    });
  });
}

for (const dialect of dialects()) {
  describe(`payments of the wrong asset (${dialect})`, () => {
    test('USDT sent to a USDC invoice address is recorded on it and held, never credited', async () => {
      const world = await openWorld(dialect);
      try {
        const acct = await businessAccount(world.deps);
        const invoice = await deposit(world.deps, acct.id, '10', 'USD', 'usdc_erc20');
        await applyObservation(world.deps, { ...pay(invoice, 10_000_000n, 10, `1:0x${'ab'.repeat(32)}:0`), methodId: 'usdt_erc20' });
        const held = (await world.deps.store.invoices.get(invoice.id))!;
        assert.equal(held.status, 'payment_error');
        assert.equal(held.creditedMinor, 0n);
        assert.equal(held.receivedUnits, 0n);
        const [payment] = await world.deps.store.payments.forInvoice(invoice.id);
        assert.equal(payment!.heldReason, 'wrong_asset');
        const res = await world.app.inject({ method: 'GET', url: `/v2/invoices/${invoice.id}`, headers: acct.headers });
        assert.deepEqual(res.json().data.payment.transactions.map((t: { status: string; method: string; amount: string }) => [t.status, t.method, t.amount]), [['held', 'usdt_erc20', '10']]);
        assert.ok((await verifyLedger(world.deps.store)).ok);
      } finally {
        await world.close();
      }
    });
  });
}
