// The operator commands for the bitcoin wallet, against a bcoin regtest node and the real store on
// every dialect: `coffer wallet status` (highest issued / paid derivation index, gap-limit
// warning, from the store so a fresh process knows it) and `coffer rescan` (refused while a
// watcher runs; rewinds and rescans to the tip, finding a payment the watcher had gone past,
// crediting it once, and never again on a second rescan).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CofferError } from '../src/core/errors.ts';
import { walletCommand } from '../src/cli/wallet-command.ts';
import { rescanCommand } from '../src/cli/rescan-command.ts';
import { rescan } from '../src/usecases/rescan.ts';
import { walletStatus } from '../src/usecases/wallet-status.ts';
import { BcoinRegtest } from './support/bcoin-regtest.ts';
import { bitcoinRegistry } from './support/chain-bitcoin.ts';
import { ChainWorld } from './support/chain-world.ts';
import { capture } from './support/cli-output.ts';
import { dialects, staticRates } from './support/harness.ts';

const RATES = staticRates({ 'BTC/USD': '50000' });
const WATCHER = 'bitcoin:bitcoin';
const OTHER = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';

let node: BcoinRegtest;

before(async () => {
  node = await BcoinRegtest.start();
});

after(async () => {
  await node.close();
});

for (const [n, dialect] of dialects().entries()) {
  describe(`bitcoin operator commands (${dialect})`, () => {
    let world: ChainWorld;
    const seed = 0x60 + n;
    const env = { COFFER_BITCOIN_GAP_LIMIT: '2' };

    before(async () => {
      world = await ChainWorld.open(dialect, {
        rates: RATES, methods: async (clock) => (await bitcoinRegistry(node.url, clock, seed, env)).registry,
      });
      await world.startWatchers();
    });
    after(() => world.close());

    test('wallet status: highest issued and paid index from the store, gap-limit warning', async () => {
      // Proves the command states which index is highest used, survives a restart (store, not memory) and warns past the gap limit.
      const empty = await capture(() => walletCommand(world.useCases, ['status', '--json']));
      assert.equal(empty.code, 0);
      const first = JSON.parse(empty.out).wallets[0];
      assert.deepEqual([first.highestIssuedIndex, first.highestPaidIndex, first.unpaidSinceLastPaid], [null, null, 0]);

      const acct = await world.account();
      const invoices = [];
      for (let i = 0; i < 4; i += 1) invoices.push(await world.deposit(acct, { amount: 10, currency: 'USD', payment_method: 'bitcoin' }));
      const paid = invoices[1]!;
      await node.pay([{ address: paid.payment.address, amountSat: 20_000n }]);
      await node.mine(1);
      await world.waitInvoice(acct, paid.id, (i) => i.status === 'complete');

      // A fresh adapter, as in a new `coffer` process, knows nothing in memory: the store does.
      const fresh = await bitcoinRegistry(node.url, world.clock, seed, env);
      const report = await walletStatus({ store: world.deps.store, methods: fresh.registry });
      const wallet = report.wallets[0]!;
      assert.deepEqual([wallet.highestIssuedIndex, wallet.highestPaidIndex, wallet.unpaidSinceLastPaid, wallet.gapLimit, wallet.gapExceeded],
        [3, 1, 2, 2, false]);
      assert.deepEqual(report.derivationIndexes, [{ walletId: wallet.walletId, nextIndex: 4 }]);

      await world.deposit(acct, { amount: 10, currency: 'USD', payment_method: 'bitcoin' });
      const warned = await capture(() => walletCommand(world.useCases, ['status']));
      assert.equal(warned.code, 1);
      assert.match(warned.out, /highest issued index: +4/);
      assert.match(warned.out, /highest paid index: +1/);
      assert.match(warned.out, /WARNING: .*gap limit to at least 3/);
      await world.invariants();
    });

    test('rescan: refused while the watcher runs; finds a payment the watcher went past, credits it once', async () => {
      // Proves `coffer rescan --from` rewinds the stored height and rescans to the tip through settlement, idempotently.
      await assert.rejects(capture(() => rescanCommand(world.useCases, ['--from', '1'])), (e: unknown) => e instanceof CofferError && e.code === 'conflict');
      await world.stopWatchers();
      const acct = await world.account();
      const inv = await world.deposit(acct, { amount: 10, currency: 'USD', payment_method: 'bitcoin' });
      const tx = await node.pay([{ address: inv.payment.address, amountSat: 20_000n }]);
      const [block] = await node.mine(1);
      const paidAt = (await node.rpc<{ height: number }>('getblockheader', [block, true])).height;
      await node.mine(15, OTHER);
      const tip = await node.height();
      // As if the watcher had processed those blocks without seeing the payment (a lost target, a restored backup).
      const rescanCapability = world.deps.methods.get('bitcoin')!.adapter.capabilities!.rescan!;
      const skipped = await rescanCapability.rescanState(tip);
      await world.deps.store.watcherState.set(WATCHER, skipped.key, skipped.value, world.clock.now());

      const steps: Array<[number, number]> = [];
      const result = await rescan(world.deps, { methodId: 'bitcoin', fromHeight: paidAt, onProgress: (done, total) => steps.push([done, total]) });
      assert.deepEqual([result.watcher, result.fromHeight, result.tipHeight], [WATCHER, paidAt, tip]);
      assert.ok((result.reachedHeight ?? -1) >= tip);
      assert.deepEqual(steps.at(-1), [tip - paidAt + 1, tip - paidAt + 1]);
      const done = await world.invoice(acct, inv.id);
      assert.equal(done.status, 'complete');
      assert.equal(await world.balance(acct), 10);

      const again = await capture(() => rescanCommand(world.useCases, ['--from', String(paidAt), '--json']));
      assert.equal(again.code, 0);
      assert.equal(JSON.parse(again.out.trim().split('\n').at(-1)!).reachedHeight >= tip, true);
      assert.equal(await world.balance(acct), 10);

      await assert.rejects(rescan(world.deps, { methodId: 'bitcoin', fromHeight: tip + 1000, run: false }),
        (e: unknown) => e instanceof CofferError && e.code === 'invalid_param');
      const reset = await capture(() => rescanCommand(world.useCases, ['--from', String(paidAt), '--only-reset']));
      assert.match(reset.out, /rewound to height/);
      await world.startWatchers();
      await world.waitUntil('watcher back at the tip', () => (world.supervisor?.status()[0]?.health?.height ?? -1) >= tip);
      assert.equal(await world.balance(acct), 10);
      await world.invariants([`${tx.txid}:0`]);
    });
  });
}
