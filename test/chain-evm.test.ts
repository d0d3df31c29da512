// EVM deposits END TO END on every dialect and on two real nodes (in-process EDR, and anvil as a
// child process): POST /v2/accounts/deposit for ETH and a USDC-like token, real transactions
// (chain 1 and chain 8453), the real EVM watcher under the WatcherSupervisor, settlement into the
// real store, and the truth read back through GET /v2/invoices/{id} and /v2/accounts/balance.
// Adversarial payments (ADVERSARIAL 11–16) credit nothing; ETH sent by a contract is credited
// once (call traces); anvil's own reorgs and its finalized tag are followed. Every scenario ends
// with invariants I1–I5.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import { toChecksumAddress } from '../src/methods/evm/address.ts';
import { ANVIL_SLOTS_IN_EPOCH, startEvmFixture } from './support/evm-fixture.ts';
import type { EvmFixture, EvmNodeKind } from './support/evm-fixture.ts';
import type { EvmNode } from './support/evm-node.ts';
import { forwardEth, payEth, payToken, receiptOf, sendRaw, signedTx, spoofTransfer, transferCall } from './support/evm-chain.ts';
import { evmRegistry } from './support/chain-evm.ts';
import { ChainWorld } from './support/chain-world.ts';
import type { WireInvoice } from './support/chain-world.ts';
import { dialects, staticRates } from './support/harness.ts';
import type { TestAccount } from './support/harness.ts';

/** The fixture's chains require 4 confirmations (Ethereum's default). */
const CONF = 4;
const RATES = staticRates({ 'ETH/USD': '2000', 'USDC/USD': '1', 'USDT/USD': '1' });

for (const kind of ['edr', 'anvil'] as const satisfies readonly EvmNodeKind[]) {
describe(`evm chain suite on ${kind}`, () => {
let fx: EvmFixture;

before(async () => {
  fx = await startEvmFixture({ confirmations: CONF, node: kind });
});

after(async () => {
  await fx.close();
});

for (const dialect of dialects()) {
  describe(`evm end to end (${kind}, ${dialect})`, () => {
    let world: ChainWorld;
    let watcherName = '';

    before(async () => {
      world = await ChainWorld.open(dialect, {
        rates: RATES,
        methods: async (clock) => {
          const built = await evmRegistry(fx, clock, dialect);
          watcherName = built.watcherName;
          return built.registry;
        },
      });
      await world.startWatchers();
    });
    after(() => world.close());

    async function deposit(method: string, amount: number): Promise<{ acct: TestAccount; inv: WireInvoice }> {
      const acct = await world.account();
      return { acct, inv: await world.deposit(acct, { amount, currency: 'USD', payment_method: method }) };
    }

    /** Waits until the watcher of `node`'s chain has processed its current head. */
    async function caughtUp(node: EvmNode): Promise<void> {
      const head = await node.blockNumber();
      await world.waitUntil(`chain ${node.chainId} processed to ${head}`, async () => {
        const state = await world.watcherState(watcherName, `evm:${node.chainId}:cursor`);
        return state !== null && ((JSON.parse(state) as { last: number | null }).last ?? -1) >= head;
      });
    }

    test('ETH deposit: detected at 1 confirmation, complete at the configured 4 with the exact amount', async () => {
      // Proves a native payment is credited only once it has the chain's confirmations, exactly once.
      const { acct, inv } = await deposit('ethereum', 20);
      assert.equal(inv.payment.price, 0.01);
      assert.equal(inv.payment.chain_id, 1);
      assert.equal(inv.payment.confirmations_required, CONF);
      assert.match(inv.payment.uri, /^ethereum:0x[0-9a-fA-F]{40}@1\?value=10000000000000000$/);
      const tx = await payEth(fx.l1, inv.payment.address, 10n ** 16n);
      const detected = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.confirmations === 1);
      assert.equal(detected.status, 'payment_detected');
      assert.equal(detected.credited_amount, 0);
      await fx.l1.mine(CONF - 1);
      const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      assert.equal(done.credited_amount, 20);
      assert.deepEqual(done.payment.transactions.map((t) => [t.id, t.amount, t.status]), [[tx, '0.01', 'credited']]);
      assert.equal(await world.balance(acct), 20);
      await world.invariants([`1:${tx}:native`]);
    });

    test('USDC deposit: the configured contract\'s Transfer is credited after the confirmations', async () => {
      // Proves an ERC-20 deposit (EIP-681 transfer URI, contract_address) completes once, at 1 USDC = 1 USD from the rate table.
      const { acct, inv } = await deposit('usdc_erc20', 12.5);
      assert.equal(inv.payment.price, 12.5);
      assert.equal(inv.payment.contract_address, toChecksumAddress(fx.usdc));
      assert.equal(inv.payment.uri, `ethereum:${toChecksumAddress(fx.usdc)}@1/transfer?address=${inv.payment.address}&uint256=12500000`);
      const tx = await payToken(fx.l1, fx.usdc, inv.payment.address, 12_500_000n);
      await fx.l1.mine(CONF - 1);
      const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      assert.equal(done.credited_amount, 12.5);
      assert.equal(await world.balance(acct), 12.5);
      await world.invariants([`1:${tx}:0`]);
    });

    test('failed transactions (status 0) to deposit addresses credit nothing', async () => {
      // Proves ADVERSARIAL 13: neither a reverted ETH transfer nor a failed token transfer becomes a payment.
      const eth = await deposit('ethereum', 20);
      await fx.l1.request(kind === 'anvil' ? 'anvil_setCode' : 'hardhat_setCode', [eth.inv.payment.address, '0x60006000fd']);
      const failedEth = await payEth(fx.l1, eth.inv.payment.address, 10n ** 16n);
      assert.equal((await receiptOf(fx.l1, failedEth)).status, '0x0');
      const usdc = await deposit('usdc_erc20', 10);
      const poor = fx.l1.accounts[2] as Hex;
      const failedToken = await fx.l1.request<Hex>('eth_sendTransaction', [{ from: poor, to: fx.usdc, data: transferCall(usdc.inv.payment.address, 10n ** 30n), gas: '0x30d40' }]);
      assert.equal((await receiptOf(fx.l1, failedToken)).status, '0x0');
      await fx.l1.mine(CONF);
      await caughtUp(fx.l1);
      await world.assertUntouched(eth.acct, eth.inv);
      await world.assertUntouched(usdc.acct, usdc.inv);
      await world.invariants();
    });

    test('a look-alike token and a spoofed Transfer event credit nothing', async () => {
      // Proves ADVERSARIAL 14–15: only Transfer logs emitted by the configured contract are deposits.
      const { acct, inv } = await deposit('usdc_erc20', 10);
      await payToken(fx.l1, fx.fakeUsdc, inv.payment.address, 10_000_000n);
      await spoofTransfer(fx.l1, fx.spoofer, fx.l1.accounts[0] as Hex, inv.payment.address, 10_000_000n);
      await fx.l1.mine(CONF);
      await caughtUp(fx.l1);
      await world.assertUntouched(acct, inv);
      await world.invariants();
    });

    test('the same address paid on another chain id credits nothing', async () => {
      // Proves ADVERSARIAL 16: ETH sent to a chain-1 deposit address on chain 8453 is not that deposit.
      const { acct, inv } = await deposit('ethereum', 20);
      await payEth(fx.base, inv.payment.address, 10n ** 16n);
      await fx.base.mine(CONF);
      await caughtUp(fx.base);
      await caughtUp(fx.l1);
      await world.assertUntouched(acct, inv);
      await world.invariants();
    });

    test('USDT sent to a USDC deposit address is held as payment_error (wrong_asset), not lost', async () => {
      // Proves I5 for another asset to a known address: recorded on the invoice, never credited, visible to the operator.
      const { acct, inv } = await deposit('usdc_erc20', 10);
      const tx = await payToken(fx.l1, fx.usdt, inv.payment.address, 10_000_000n);
      await fx.l1.mine(CONF - 1);
      const held = await world.waitInvoice(acct, inv.id, (i) => i.status === 'payment_error');
      assert.deepEqual(held.payment.transactions.map((t) => [t.id, t.method, t.status]), [[tx, 'usdt_erc20', 'held']]);
      assert.equal(held.credited_amount, 0);
      assert.equal((await world.deps.store.payments.getByKey(`1:${tx}:0`))?.heldReason, 'wrong_asset');
      assert.equal(await world.balance(acct), 0);
      await world.invariants([`1:${tx}:0`]);
    });

    test('reorg before crediting: the payment vanishes, nothing is credited', async () => {
      // Proves a payment reorged out before its confirmations goes seen → gone and the invoice is open again.
      const { acct, inv } = await deposit('usdc_erc20', 5);
      const snapshot = await fx.l1.request<Hex>('evm_snapshot');
      const tx = await payToken(fx.l1, fx.usdc, inv.payment.address, 5_000_000n);
      await fx.l1.mine(1);
      await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.confirmations === 2);
      await fx.l1.request('evm_revert', [snapshot]);
      await fx.l1.mine(3);
      await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.status !== 'confirmed' && i.payment.transactions[0]?.confirmations === 0);
      await fx.l1.mine(3);
      const gone = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.status === 'gone');
      assert.equal(gone.status, 'unpaid');
      assert.equal(gone.credited_amount, 0);
      assert.equal(await world.balance(acct), 0);
      await world.invariants([`1:${tx}:0`]);
    });

    test('reorg after crediting, re-mined in another block: no second credit', async () => {
      // Proves ADVERSARIAL 11 (re-mined): the same transaction in a new block keeps its key and is credited once.
      const { acct, inv } = await deposit('usdc_erc20', 8);
      const raw = await signedTx(fx.l1, 1, { to: fx.usdc, data: transferCall(inv.payment.address, 8_000_000n) });
      const snapshot = await fx.l1.request<Hex>('evm_snapshot');
      const tx = await sendRaw(fx.l1, raw);
      await fx.l1.mine(CONF - 1);
      await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      const key = `1:${tx}:0`;
      const firstBlock = (await world.deps.store.payments.getByKey(key))?.blockHash;
      await fx.l1.request('evm_revert', [snapshot]);
      await fx.l1.mine(2);
      assert.equal(await sendRaw(fx.l1, raw), tx);
      await fx.l1.mine(CONF);
      await world.waitUntil('payment confirmed in its new block', async () => {
        const p = await world.deps.store.payments.getByKey(key);
        return p?.state === 'confirmed' && p.blockHash !== firstBlock && p.confirmations >= CONF;
      });
      const read = await world.invoice(acct, inv.id);
      assert.equal(read.status, 'complete');
      assert.equal(read.credited_amount, 8);
      assert.equal(await world.balance(acct), 8);
      await world.invariants([key]);
    });

    test('reorg after crediting, never re-mined: the credit is reversed', async () => {
      // Proves ADVERSARIAL 11 (not re-mined): a credited payment gone from the chain gets a reversal and an event.
      const { acct, inv } = await deposit('ethereum', 20);
      const snapshot = await fx.l1.request<Hex>('evm_snapshot');
      const tx = await payEth(fx.l1, inv.payment.address, 10n ** 16n);
      await fx.l1.mine(CONF - 1);
      await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      assert.equal(await world.balance(acct), 20);
      await fx.l1.request('evm_revert', [snapshot]);
      await fx.l1.mine(CONF + 1);
      // Noticed missing at the new head; declared gone once it stays absent for more blocks.
      await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.confirmations === 0);
      assert.equal((await world.invoice(acct, inv.id)).credited_amount, 20);
      await fx.l1.mine(3);
      const reversed = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.status === 'reversed');
      assert.equal(reversed.credited_amount, 0);
      assert.equal(await world.balance(acct), 0);
      const events = (await world.deps.store.webhooks.outboxAfter(0, 10_000)).filter((e) => e.invoiceId === inv.id).map((e) => e.type);
      assert.ok(events.includes('deposit.reversed'), events.join(','));
      await world.invariants([`1:${tx}:native`]);
    });

    test('ETH sent by a contract is credited once; a reverted inner call and a failed transaction credit nothing', async () => {
      // Proves ETH arriving through an inner call (no transaction to the address, no log) is found in the call trace and credited once under its own key; undone inner calls never are.
      const { acct, inv } = await deposit('ethereum', 20);
      const tx = await forwardEth(fx.l1, fx.forwarder, 'forward', inv.payment.address, 10n ** 16n);
      const other = await deposit('ethereum', 20);
      await forwardEth(fx.l1, fx.forwarder, 'forwardReverted', other.inv.payment.address, 10n ** 16n);
      const failed = await forwardEth(fx.l1, fx.forwarder, 'forwardThenFail', other.inv.payment.address, 10n ** 16n);
      assert.equal((await receiptOf(fx.l1, failed)).status, '0x0');
      await fx.l1.mine(CONF - 1);
      const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      assert.equal(done.credited_amount, 20);
      assert.deepEqual(done.payment.transactions.map((t) => [t.id, t.amount, t.status]), [[tx, '0.01', 'credited']]);
      await caughtUp(fx.l1);
      await world.assertUntouched(other.acct, other.inv);
      await world.invariants([`1:${tx}:trace:0`]);
    });

    if (kind === 'anvil') {
      test('anvil_reorg under a credited payment: re-mined or reversed, never credited twice', async () => {
        // Proves the watcher follows anvil's own reorg (blocks replaced at the same height, no snapshot): the payment keeps one key and one credit at most.
        const { acct, inv } = await deposit('ethereum', 20);
        const tx = await payEth(fx.l1, inv.payment.address, 10n ** 16n);
        await fx.l1.mine(CONF - 1);
        await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
        const key = `1:${tx}:native`;
        const firstBlock = (await world.deps.store.payments.getByKey(key))?.blockHash;
        await fx.l1.request('anvil_reorg', [CONF + 1, []]);
        await fx.l1.mine(1);
        const receipt = await fx.l1.request<{ blockHash: string } | null>('eth_getTransactionReceipt', [tx]);
        if (receipt === null) {
          // Noticed missing at the new head; declared gone once it stays absent for more blocks.
          await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.confirmations === 0);
          await fx.l1.mine(3);
          const reversed = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.status === 'reversed');
          assert.equal(reversed.credited_amount, 0);
          assert.equal(await world.balance(acct), 0);
        } else {
          assert.notEqual(receipt.blockHash, firstBlock);
          await fx.l1.mine(CONF);
          await world.waitUntil('payment confirmed in its new block', async () => {
            const p = await world.deps.store.payments.getByKey(key);
            return p?.state === 'confirmed' && p.blockHash === receipt.blockHash && p.confirmations >= CONF;
          });
          assert.equal((await world.invoice(acct, inv.id)).credited_amount, 20);
          assert.equal(await world.balance(acct), 20);
        }
        await world.invariants([key]);
      });

      test('finalized tag: a Base payment completes when its block is finalized, not at the block count', async () => {
        // Proves tag finality: 4 confirmations are not enough on a chain configured with `finalized`; the node's finalized block passing the payment is.
        const { acct, inv } = await deposit('eth_base', 20);
        const tx = await payEth(fx.base, inv.payment.address, 10n ** 16n);
        await fx.base.mine(CONF - 1);
        await caughtUp(fx.base);
        const held = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.confirmations === CONF - 1);
        assert.equal(held.status, 'payment_detected');
        assert.equal(held.credited_amount, 0);
        await fx.base.mine(2 * ANVIL_SLOTS_IN_EPOCH);
        const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
        assert.equal(done.credited_amount, 20);
        await world.invariants([`8453:${tx}:native`]);
      });
    }
  });
}
});
}
