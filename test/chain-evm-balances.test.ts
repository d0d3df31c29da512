// ETH forwarded by a contract, found WITHOUT call traces (a node or provider that offers no
// debug_/trace_ methods, as many public endpoints): on EDR and anvil behind a front that refuses
// those methods, on every dialect. The watcher detects at start that traces are missing and finds
// the forwarded ETH from balances of open deposit addresses, keyed by block
// (`<chain>:balance:<address>:<height>:<blockHash>`): credited exactly once, and a direct
// transfer plus a forwarded one in the same block are two payments, not one and not three.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import { startEvmFixture } from './support/evm-fixture.ts';
import type { EvmFixture } from './support/evm-fixture.ts';
import { forwardEth, payEth, receiptOf } from './support/evm-chain.ts';
import { evmRegistry } from './support/chain-evm.ts';
import { ChainWorld } from './support/chain-world.ts';
import type { WireInvoice } from './support/chain-world.ts';
import { dialects, staticRates } from './support/harness.ts';
import type { TestAccount } from './support/harness.ts';

const CONF = 4;
const RATES = staticRates({ 'ETH/USD': '2000', 'USDC/USD': '1', 'USDT/USD': '1' });

for (const kind of ['edr', 'anvil'] as const) {
describe(`evm forwarded ETH without call traces on ${kind}`, () => {
  let fx: EvmFixture;
  before(async () => {
    fx = await startEvmFixture({ confirmations: CONF, node: kind, noTraces: true });
  });
  after(async () => {
    await fx.close();
  });

  for (const dialect of dialects()) {
    describe(`${kind}, ${dialect}`, () => {
      let world: ChainWorld;
      before(async () => {
        world = await ChainWorld.open(dialect, {
          rates: RATES,
          methods: async (clock) => (await evmRegistry(fx, clock, `balances-${dialect}`)).registry,
        });
        await world.startWatchers();
      });
      after(() => world.close());

      async function deposit(amount: number): Promise<{ acct: TestAccount; inv: WireInvoice }> {
        const acct = await world.account();
        return { acct, inv: await world.deposit(acct, { amount, currency: 'USD', payment_method: 'ethereum' }) };
      }

      function balanceKey(address: string, receipt: { blockNumber: Hex; blockHash: Hex }): string {
        return `1:balance:${address.toLowerCase()}:${Number(receipt.blockNumber)}:${receipt.blockHash.toLowerCase()}`;
      }

      test('ETH forwarded by a contract is credited once, keyed by its block; undone inner calls credit nothing', async () => {
        // Proves the balance path: no trace method, the inner call's ETH is found from the deposit address's balance and credited exactly once.
        const { acct, inv } = await deposit(20);
        const tx = await forwardEth(fx.l1, fx.forwarder, 'forward', inv.payment.address, 10n ** 16n);
        const receipt = await receiptOf(fx.l1, tx);
        const other = await deposit(20);
        await forwardEth(fx.l1, fx.forwarder, 'forwardReverted', other.inv.payment.address, 10n ** 16n);
        const failed = await forwardEth(fx.l1, fx.forwarder, 'forwardThenFail', other.inv.payment.address, 10n ** 16n);
        assert.equal((await receiptOf(fx.l1, failed)).status, '0x0');
        await fx.l1.mine(CONF - 1);
        const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
        assert.equal(done.credited_amount, 20);
        assert.deepEqual(done.payment.transactions.map((t) => [t.id, t.amount, t.status]), [[receipt.blockHash.toLowerCase(), '0.01', 'credited']]);
        await fx.l1.mine(2);
        await world.waitUntil('chain followed past the payments', async () => ((await world.invoice(acct, inv.id)).payment.transactions[0]?.confirmations ?? 0) >= CONF + 2);
        assert.equal((await world.invoice(acct, inv.id)).payment.transactions.length, 1);
        assert.equal(await world.balance(acct), 20);
        const untouched = await world.invoice(other.acct, other.inv.id);
        assert.equal(untouched.status, 'unpaid');
        assert.deepEqual(untouched.payment.transactions, []);
        await world.invariants([balanceKey(inv.payment.address, receipt)]);
      });

      test('a direct transfer and a forwarded one in the same block are two payments', async () => {
        // Proves the balance-derived amount excludes what the top-level transaction to the same address in the same block already credits.
        const { acct, inv } = await deposit(40);
        await fx.l1.request('evm_setAutomine', [false]);
        let direct: Hex;
        let forwarded: Hex;
        try {
          direct = await payEth(fx.l1, inv.payment.address, 10n ** 16n, fx.l1.accounts[1]);
          forwarded = await forwardEth(fx.l1, fx.forwarder, 'forward', inv.payment.address, 10n ** 16n);
          await fx.l1.request('evm_mine');
        } finally {
          await fx.l1.request('evm_setAutomine', [true]);
        }
        const [r1, r2] = [await receiptOf(fx.l1, direct), await receiptOf(fx.l1, forwarded)];
        assert.equal(r1.blockHash, r2.blockHash, 'both transactions in one block');
        await fx.l1.mine(CONF - 1);
        const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
        await fx.l1.mine(2);
        await world.waitUntil('both payments past the requirement', async () => (await world.invoice(acct, inv.id)).payment.transactions.every((t) => t.confirmations >= CONF + 2));
        const read = await world.invoice(acct, inv.id);
        assert.deepEqual(read.payment.transactions.map((t) => [t.id, t.amount]).sort(),
          [[direct.toLowerCase(), '0.01'], [r1.blockHash.toLowerCase(), '0.01']].sort());
        assert.equal(read.credited_amount, 40);
        assert.equal(done.credited_amount, 40);
        assert.equal(await world.balance(acct), 40);
        await world.invariants([`1:${direct.toLowerCase()}:native`, balanceKey(inv.payment.address, r1)]);
      });

      if (kind === 'anvil') {
        test('anvil_reorg under a credited forwarded payment: reversed, or credited again under the new block\'s key, never twice', async () => {
          // Proves the balance key names its block: a reorg reverses it (its block is gone) and a re-mined forward is a new key, so the invoice is credited at most once.
          const { acct, inv } = await deposit(20);
          const tx = await forwardEth(fx.l1, fx.forwarder, 'forward', inv.payment.address, 10n ** 16n);
          const oldKey = balanceKey(inv.payment.address, await receiptOf(fx.l1, tx));
          await fx.l1.mine(CONF - 1);
          await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
          await fx.l1.request('anvil_reorg', [CONF + 1, []]);
          await fx.l1.mine(1);
          const again = await fx.l1.request<{ blockNumber: Hex; blockHash: Hex } | null>('eth_getTransactionReceipt', [tx]);
          const oldId = oldKey.split(':')[4];
          // Noticed missing at the new head; declared gone once it stays absent for more blocks.
          await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions.find((t) => t.id === oldId)?.confirmations === 0);
          await fx.l1.mine(CONF + 3);
          const gone = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions.some((t) => t.id === oldId && t.status === 'reversed'));
          const keys = [oldKey];
          if (again === null) {
            assert.equal(gone.credited_amount, 0);
            assert.equal(await world.balance(acct), 0);
          } else {
            const newKey = balanceKey(inv.payment.address, again);
            assert.notEqual(newKey, oldKey);
            keys.push(newKey);
            const read = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions.some((t) => t.id === again.blockHash.toLowerCase() && t.status === 'credited'));
            assert.equal(read.credited_amount, 20);
            assert.equal(await world.balance(acct), 20);
          }
          await world.invariants(keys);
        });
      }
    });
  }
});
}
