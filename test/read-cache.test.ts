// The balance read is answered from a cache while the database is unchanged. A change committed by
// this process or by another connection (another process, the CLI) must show on the very next read.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../src/storage/database.ts';
import type { Db } from '../src/storage/database.ts';
import { Store } from '../src/storage/store.ts';
import { applyObservation } from '../src/usecases/apply-observations.ts';
import { chargeAccount } from '../src/usecases/charge-account.ts';
import { accountBalanceView } from '../src/usecases/read-account.ts';
import { businessAccount, dialects, openWorld, staticRates } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { accountOf, deposit, pay } from './support/observations.ts';

for (const dialect of dialects()) {
  describe(`balance reads see every commit (${dialect})`, () => {
    let world: World;
    let otherDb: Db;
    let other: Store;
    before(async () => {
      world = await openWorld(dialect, { rates: staticRates({ 'BTC/USD': '50000' }) });
      const where = world.testDb.location;
      otherDb = await openDatabase(where.sqlitePath ? { sqlitePath: where.sqlitePath } : { databaseUrl: where.databaseUrl, ...(where.schema ? { schema: where.schema } : {}) });
      other = new Store(otherDb);
    });
    after(async () => { await otherDb.close(); await world.close(); });

    test('a credit and a charge committed on another connection show on the next read', async () => {
      const acct = await businessAccount(world.deps);
      const account = await accountOf(world.deps, acct.id);
      const usd = async () => (await accountBalanceView(world.deps.store, account)).balances[0]!.balanceMinor;
      assert.equal(await usd(), 0n);
      assert.equal(await usd(), 0n);
      const otherDeps = { ...world.deps, store: other };
      const invoice = await deposit(otherDeps, acct.id, '25');
      await applyObservation(otherDeps, pay(invoice, invoice.priceUnits!, 1));
      assert.equal(await usd(), 2500n);
      await chargeAccount(otherDeps, { accountId: account.id, amount: '5', currency: 'USD', idempotencyKey: 'read-cache-1', description: 'test' });
      assert.equal(await usd(), 2000n);
    });

    test('a pending payment committed in this process shows on the next read', async () => {
      const acct = await businessAccount(world.deps);
      const account = await accountOf(world.deps, acct.id);
      assert.equal((await accountBalanceView(world.deps.store, account)).pending.size, 0);
      const invoice = await deposit(world.deps, acct.id, '3');
      await applyObservation(world.deps, pay(invoice, invoice.priceUnits!, 0));
      assert.equal((await accountBalanceView(world.deps.store, account)).pending.get('USD'), 300n);
    });
  });
}
