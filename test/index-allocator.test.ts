// Derivation indexes are never handed out twice: concurrent deposits (and two processes' worth of
// allocators on one database) get distinct, gap-free indexes per wallet, on every dialect.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { indexAllocator } from '../src/usecases/index-allocator.ts';
import { Store } from '../src/storage/store.ts';
import { businessAccount, dialects, openWorld } from './support/harness.ts';
import type { World } from './support/harness.ts';

for (const dialect of dialects()) {
  describe(`derivation index allocation (${dialect})`, () => {
    let world: World;
    before(async () => { world = await openWorld(dialect); });
    after(() => world.close());

    test('300 concurrent requests on one wallet get 0..299, each once; another wallet starts at 0', async () => {
      const allocator = indexAllocator(world.deps.store);
      const indexes = await Promise.all(Array.from({ length: 300 }, () => allocator.next('wallet-a')));
      assert.deepEqual([...indexes].sort((a, b) => a - b), Array.from({ length: 300 }, (_, i) => i));
      assert.equal(await allocator.next('wallet-b'), 0);
      assert.equal(await allocator.next('wallet-a'), 300);
    });

    test('two allocators on one database (as two processes) never share an index', async () => {
      const other = new Store(world.testDb.db);
      const [mine, theirs] = await Promise.all([
        Promise.all(Array.from({ length: 100 }, () => indexAllocator(world.deps.store).next('wallet-c'))),
        Promise.all(Array.from({ length: 100 }, () => indexAllocator(other).next('wallet-c'))),
      ]);
      const all = [...mine, ...theirs].sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: 200 }, (_, i) => i));
    });

    test('concurrent sandbox bitcoin deposits get distinct addresses', async () => {
      const acct = await businessAccount(world.deps);
      const replies = await Promise.all(Array.from({ length: 50 }, () => world.app.inject({
        method: 'POST', url: '/v2/accounts/deposit', headers: acct.headers, payload: { amount: 5, currency: 'USD', payment_method: 'bitcoin' },
      })));
      const addresses = replies.map((r) => (r.json() as { data: { payment: { address: string } } }).data.payment.address);
      assert.equal(new Set(addresses).size, 50);
    });
  });
}
