// Proves ADVERSARIAL 5 and 24 for ETH and a USDC-like token, on EDR (every dialect) and on anvil
// (the first dialect): with the fault proxy between the real EVM watcher and the node, an outage,
// then every fault a sick provider shows, then a node that falls behind an already-processed head:
// payments made meanwhile are credited once when it is back, none twice (also across a restart),
// the invoices never say more than is true, and `ledger verify` finds zero drift.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import { silentLogger } from '../src/core/logger.ts';
import type { Clock } from '../src/core/clock.ts';
import { evmConfigFromSettings, evmMethodSpecs } from '../src/methods/evm/config.ts';
import { createEvmMethod } from '../src/methods/evm/evm-method.ts';
import { MethodRegistry } from '../src/usecases/method-registry.ts';
import { startEvmNode } from './support/evm-node.ts';
import type { EvmNode } from './support/evm-node.ts';
import { startAnvilNode } from './support/anvil-node.ts';
import { deployToken, payEth, payToken } from './support/evm-chain.ts';
import { ABANDON_MNEMONIC, testXpub } from './support/evm-fixture.ts';
import { FaultProxy } from './support/fault-proxy.ts';
import { evmBehind } from './support/lagging-views.ts';
import { ChainWorld } from './support/chain-world.ts';
import { dialects, staticRates } from './support/harness.ts';
import { InvoiceTruth, faultsSeen, flakyScript, retryAfterGapMs, runScript } from './support/outage.ts';

/** Waits on a loaded machine: a recovery after faults can take long; passing tests never wait it out. */
const SLOW_MS = 60_000;

const CONF = 4;
const RATES = staticRates({ 'ETH/USD': '2000', 'USDC/USD': '1' });
/** Past any sane provider answer, under what the proxy buffers. */
const OVERSIZE_BYTES = 4 * 1024 * 1024;

interface Rig { readonly node: EvmNode; readonly upstream: string; readonly usdc: Hex; readonly proxy: FaultProxy }

async function registry(rig: Rig, clock: Clock, walletTag: string): Promise<MethodRegistry> {
  const config = evmConfigFromSettings({
    xpub: testXpub(`${ABANDON_MNEMONIC} ${walletTag}`),
    chains: [{ chainId: 1, rpcUrl: rig.proxy.url, confirmations: CONF, pollIntervalMs: 20, goneAfterBlocks: 2 }],
    methods: [{ id: 'ethereum' }, { id: 'usdc_erc20', token: { contract: rig.usdc, decimals: 6 } }],
  }, 'regtest');
  const adapter = await createEvmMethod(config, { clock, log: silentLogger });
  const built = new MethodRegistry();
  for (const spec of evmMethodSpecs(config)) built.add({ spec, adapter, tiers: [] });
  return built;
}

const cases = [
  ...dialects().map((dialect, n) => ({ kind: 'edr' as const, dialect, scripted: n === 0 })),
  { kind: 'anvil' as const, dialect: dialects()[0] ?? 'sqlite', scripted: false },
];

for (const { kind, dialect, scripted } of cases) {
  describe(`evm on ${kind} through a faulty link (${dialect})`, () => {
    let rig: Rig;
    let world: ChainWorld;

    before(async () => {
      const node = kind === 'edr' ? await startEvmNode({ chainId: 1 }) : await startAnvilNode({ chainId: 1 });
      const upstream = kind === 'edr' ? node.url : (node as Awaited<ReturnType<typeof startAnvilNode>>).directUrl;
      const usdc = await deployToken(node, 'USDC', 6);
      rig = { node, upstream, usdc, proxy: await FaultProxy.start(upstream) };
      world = await ChainWorld.open(dialect, { rates: RATES, methods: (clock) => registry(rig, clock, `${kind}-${dialect}`) });
      await world.startWatchers();
    });
    after(async () => {
      await world.close();
      await rig.proxy.close();
      await rig.node.close();
    });

    const health = () => world.supervisor?.status().find((s) => s.name.startsWith('evm:'))?.health;

    async function caughtUp(): Promise<void> {
      const head = await rig.node.blockNumber();
      await world.waitUntil(`watcher at block ${head}`, () => (health()?.height ?? -1) >= head, SLOW_MS);
    }

    test(`outage${scripted ? ', then every fault' : ''}, then back: ETH and USDC paid meanwhile credited once, invoices truthful`, async () => {
      const [acctA, acctB] = [await world.account(), await world.account()];
      const a = await world.deposit(acctA, { amount: 20, currency: 'USD', payment_method: 'ethereum' });
      const b = await world.deposit(acctB, { amount: 12.5, currency: 'USD', payment_method: 'usdc_erc20' });
      const truths = [new InvoiceTruth(world, acctA, a.id, 20), new InvoiceTruth(world, acctB, b.id, 12.5)];
      try {
        const payA = await payEth(rig.node, a.payment.address, 10n ** 16n);
        await world.waitInvoice(acctA, a.id, (i) => i.status === 'payment_detected', SLOW_MS);

        const outage = rig.proxy.down();
        const payB = await payToken(rig.node, rig.usdc, b.payment.address, 12_500_000n);
        await rig.node.mine(CONF);
        await faultsSeen(rig.proxy, 'reset', 3);
        assert.equal((await world.invoice(acctA, a.id)).status, 'payment_detected');
        assert.equal((await world.invoice(acctB, b.id)).status, 'unpaid');
        rig.proxy.remove(outage);

        if (scripted) await runScript(rig.proxy, flakyScript(OVERSIZE_BYTES), health);
        await world.waitInvoice(acctA, a.id, (i) => i.status === 'complete', SLOW_MS);
        await world.waitInvoice(acctB, b.id, (i) => i.status === 'complete', SLOW_MS);
        const [seenA] = await Promise.all(truths.map((t) => t.stop()));
        assert.deepEqual(truths.flatMap((t) => t.lies), []);
        assert.deepEqual(seenA, ['unpaid', 'payment_detected', 'complete']);

        await world.stopWatchers();
        await world.startWatchers();
        await rig.node.mine(1);
        await caughtUp();
        assert.deepEqual([await world.balance(acctA), await world.balance(acctB)], [20, 12.5]);
        await world.invariants([`1:${payA}:native`, `1:${payB}:0`]);
      } finally {
        await Promise.all(truths.map((t) => t.stop()));
      }
    });

    test('a node that falls behind the processed head and catches up: no reversal, no double credit', async () => {
      await world.waitUntil('a healthy watcher', () => health()?.ok === true, SLOW_MS);
      const [acctC, acctD] = [await world.account(), await world.account()];
      const c = await world.deposit(acctC, { amount: 5, currency: 'USD', payment_method: 'usdc_erc20' });
      const payC = await payToken(rig.node, rig.usdc, c.payment.address, 5_000_000n);
      await rig.node.mine(CONF - 1);
      await world.waitInvoice(acctC, c.id, (i) => i.status === 'complete', SLOW_MS);
      await rig.node.mine(1);
      await caughtUp();

      // The provider's load balancer now reaches a replica five blocks behind: C's block is not there.
      const d = await world.deposit(acctD, { amount: 20, currency: 'USD', payment_method: 'ethereum' });
      const truths = [new InvoiceTruth(world, acctC, c.id, 5), new InvoiceTruth(world, acctD, d.id, 20)];
      try {
        const behind = rig.proxy.add({ fault: evmBehind(rig.node, (await rig.node.blockNumber()) - 5) });
        const payD = await payEth(rig.node, d.payment.address, 10n ** 16n);
        await rig.node.mine(CONF);
        await faultsSeen(rig.proxy, 'rpc', 10);
        const meanwhile = await world.invoice(acctC, c.id);
        assert.equal(meanwhile.status, 'complete');
        assert.equal(meanwhile.credited_amount, 5);
        assert.notEqual((await world.invoice(acctD, d.id)).status, 'complete');

        rig.proxy.remove(behind);
        await world.waitInvoice(acctD, d.id, (i) => i.status === 'complete', SLOW_MS);
        await rig.node.mine(3);
        await caughtUp();
        await Promise.all(truths.map((t) => t.stop()));
        assert.deepEqual(truths.flatMap((t) => t.lies), []);
        assert.deepEqual([await world.balance(acctC), await world.balance(acctD)], [5, 20]);
        assert.equal((await world.deps.store.payments.getByKey(`1:${payC}:0`))?.reversed, false);
        await world.invariants([`1:${payC}:0`, `1:${payD}:native`]);
      } finally {
        await Promise.all(truths.map((t) => t.stop()));
      }
    });

    // DESIGN §6: a provider's Retry-After is honoured.
    test('429 with Retry-After: the follower asks the node nothing for the stated time', { skip: !scripted && 'once, on the first dialect' }, async () => {
      await world.waitUntil('a healthy watcher', () => health()?.ok === true, SLOW_MS);
      assert.ok((await retryAfterGapMs(rig.proxy, 1)) >= 1_000);
    });
  });
}
