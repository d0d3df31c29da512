// Proves exactly-once under concurrency on every dialect: the same observation applied many
// times at once credits once (ADVERSARIAL 1); a thousand concurrent credits to one account all
// land (9); concurrent charges never overdraw (8); Idempotency-Key replays, refuses a different
// body and lets one of two concurrent requests run (2, 3).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { applyObservation, applyObservations } from '../src/usecases/apply-observations.ts';
import type { Observation } from '../src/core/observation.ts';
import { chargeAccount } from '../src/usecases/charge-account.ts';
import { verifyLedger } from '../src/usecases/verify-ledger.ts';
import { accountBalances } from '../src/usecases/read-account.ts';
import { businessAccount, dialects, openWorld, staticRates } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { accountOf, deposit, pay, txid } from './support/observations.ts';

for (const dialect of dialects()) {
  describe(`concurrency (${dialect})`, () => {
    let world: World;
    before(async () => { world = await openWorld(dialect, { rates: staticRates({ 'BTC/USD': '50000' }) }); });
    after(() => world.close());

    const usd = async (accountId: string) =>
      (await accountBalances(world.deps.store, await accountOf(world.deps, accountId))).find((b) => b.currency === 'USD')!.balanceMinor;

    test('a watcher batch: per target in order (seen, confirmed, gone, confirmed again), across targets side by side', async () => {
      const acct = await businessAccount(world.deps);
      const invoices = await Promise.all(Array.from({ length: 150 }, () => deposit(world.deps, acct.id, '10')));
      const batch: Observation[] = [];
      for (const invoice of invoices) {
        const key = `${txid()}:0`;
        const confirmed = pay(invoice, invoice.priceUnits!, 1, key);
        // Interleaved with the other invoices' observations, as a block's worth arrives.
        batch.push(pay(invoice, invoice.priceUnits!, 0, key), confirmed);
      }
      // One invoice goes through a reorg inside the same batch: credited, reversed, credited again.
      const reorged = invoices[0]!;
      const first = pay(reorged, reorged.priceUnits!, 1);
      batch.push(first, { ...first, state: 'gone', confirmations: 0 }, pay(reorged, reorged.priceUnits!, 1));
      const outcomes = await applyObservations(world.deps, batch);
      assert.equal(outcomes.length, batch.length);
      assert.ok(outcomes.every((o) => o === 'applied'), JSON.stringify(outcomes.filter((o) => o !== 'applied')));
      // 150 invoices of 10 USD; the first one also got a second payment (credited as an
      // overpayment), which was reversed, and a third one: 1,510 USD.
      assert.equal(await usd(acct.id), 1_510_00n);
      for (const invoice of invoices) assert.equal((await world.deps.store.invoices.get(invoice.id))?.status, 'complete');
      assert.equal((await verifyLedger(world.deps.store)).ok, true);
      // The latest facts delivered again (a watcher's next pass): nothing changes.
      const latest = [...new Map(batch.map((o) => [o.paymentKey, o])).values()];
      assert.ok((await applyObservations(world.deps, latest)).every((o) => o === 'unchanged'));
      assert.equal(await usd(acct.id), 1_510_00n);
    });

    test('the same confirmed observation applied 20 times at once credits once', async () => {
      const acct = await businessAccount(world.deps);
      const invoice = await deposit(world.deps, acct.id, '100');
      const observation = pay(invoice, 200_000n, 1);
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => applyObservation(world.deps, observation)));
      assert.equal(outcomes.filter((o) => o === 'applied').length, 1);
      assert.equal(await usd(acct.id), 10_000n);
      assert.equal((await world.deps.store.payments.forInvoice(invoice.id)).length, 1);
      assert.ok((await verifyLedger(world.deps.store)).ok);
    });

    test('a thousand concurrent credits to one account are all applied', async () => {
      const acct = await businessAccount(world.deps);
      const invoices = [];
      for (let i = 0; i < 1000; i++) invoices.push(await deposit(world.deps, acct.id, '1'));
      await Promise.all(invoices.map((invoice) => applyObservation(world.deps, pay(invoice, invoice.priceUnits!, 1))));
      assert.equal(await usd(acct.id), 100_000n);
      const report = await verifyLedger(world.deps.store);
      assert.ok(report.ok, JSON.stringify(report));
    });

    test('concurrent charges totalling more than the balance: exactly those that fit succeed', async () => {
      const acct = await businessAccount(world.deps);
      const invoice = await deposit(world.deps, acct.id, '100');
      await applyObservation(world.deps, pay(invoice, 200_000n, 1));
      const results = await Promise.allSettled(Array.from({ length: 25 }, (_, i) =>
        chargeAccount(world.deps, { accountId: acct.id, amount: '7', currency: 'USD', idempotencyKey: `c-${i}` })));
      const succeeded = results.filter((r) => r.status === 'fulfilled').length;
      const refused = results.filter((r) => r.status === 'rejected');
      assert.equal(succeeded, 14); // 14 × 7 = 98 ≤ 100 < 105
      for (const r of refused) assert.equal((r as PromiseRejectedResult).reason.code, 'balance_too_low');
      assert.equal(await usd(acct.id), 200n);
      assert.ok((await verifyLedger(world.deps.store)).ok);
    });

    test('Idempotency-Key: a retry replays the response, a different body is refused, one effect', async () => {
      const acct = await businessAccount(world.deps);
      const post = (body: unknown, key: string) => world.app.inject({
        method: 'POST', url: '/v2/accounts/deposit', headers: { ...acct.headers, 'idempotency-key': key }, payload: JSON.stringify(body),
      });
      const body = { amount: 25, currency: 'USD', payment_method: 'bitcoin' };
      const first = await post(body, 'order-1');
      const again = await post(body, 'order-1');
      assert.equal(first.statusCode, 200);
      assert.equal(again.body, first.body);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      const other = await post({ ...body, amount: 26 }, 'order-1');
      assert.equal(other.statusCode, 422);
      assert.equal(other.json().error_code, 'idempotency_key_reused');
      const concurrent = await Promise.all(Array.from({ length: 8 }, () => post(body, 'order-2')));
      const ids = new Set(concurrent.filter((r) => r.statusCode === 200).map((r) => r.json().data.id));
      assert.equal(ids.size, 1);
      for (const r of concurrent) assert.ok(r.statusCode === 200 || r.statusCode === 409, r.body);
      const list = await world.app.inject({ method: 'GET', url: '/v2/invoices', headers: acct.headers });
      assert.equal(list.json().data.length, 2);
    });
  });
}
