// Proves ADVERSARIAL 5 and 24 for bitcoin on every dialect: with the fault proxy between the real
// watcher and a bcoin regtest node, an outage, then every fault a sick node shows, then a node
// that falls behind an already-processed tip: payments made meanwhile are credited once when it
// is back, none twice (also across a restart), the invoices never say more than is true, and
// `ledger verify` finds zero drift.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MEMPOOL_GONE_GRACE_MS_DEFAULT, RPC_RESPONSE_MAX_BYTES } from '../src/methods/bitcoin/limits.ts';
import { BcoinRegtest } from './support/bcoin-regtest.ts';
import { FaultProxy } from './support/fault-proxy.ts';
import { bitcoinBehind, bitcoinMempoolWithout } from './support/lagging-views.ts';
import { bitcoinRegistry } from './support/chain-bitcoin.ts';
import { ChainWorld } from './support/chain-world.ts';
import { dialects, staticRates } from './support/harness.ts';
import { InvoiceTruth, faultsSeen, flakyScript, retryAfterGapMs, runScript } from './support/outage.ts';

/** Waits on a loaded machine: a recovery after faults can take long; passing tests never wait it out. */
const SLOW_MS = 60_000;

/** BTC/USD 50,000: $10 is 20,000 sat. */
const RATES = staticRates({ 'BTC/USD': '50000' });

let node: BcoinRegtest;
let proxy: FaultProxy;

before(async () => {
  node = await BcoinRegtest.start();
  proxy = await FaultProxy.start(`http://127.0.0.1:${node.port}`);
});

after(async () => {
  await proxy.close();
  await node.close();
});

for (const [n, dialect] of dialects().entries()) {
  describe(`bitcoin through a faulty link (${dialect})`, () => {
    let world: ChainWorld;

    before(async () => {
      proxy.clear();
      world = await ChainWorld.open(dialect, {
        rates: RATES,
        // The production grace before `gone`: a replica lagging on the mempool must not flip an invoice back.
        methods: async (clock) => (await bitcoinRegistry(proxy.urlFor(node.url), clock, 0x70 + n, { COFFER_BITCOIN_MEMPOOL_GONE_GRACE_MS: String(MEMPOOL_GONE_GRACE_MS_DEFAULT) })).registry,
      });
      await world.startWatchers();
    });
    after(async () => {
      proxy.clear();
      await world.close();
    });

    const health = () => world.supervisor?.status()[0]?.health;

    async function caughtUp(): Promise<void> {
      const tip = await node.height();
      await world.waitUntil(`watcher at height ${tip}`, () => (health()?.height ?? -1) >= tip, SLOW_MS);
    }

    test('outage, then every fault (first dialect), then back: paid meanwhile is credited once, the invoices tell the truth throughout', async () => {
      const [acctA, acctB] = [await world.account(), await world.account()];
      const a = await world.deposit(acctA, { amount: 10, currency: 'USD', payment_method: 'bitcoin' });
      const b = await world.deposit(acctB, { amount: 10, currency: 'USD', payment_method: 'bitcoin' });
      const truths = [new InvoiceTruth(world, acctA, a.id, 10), new InvoiceTruth(world, acctB, b.id, 10)];
      const payA = await node.pay([{ address: a.payment.address, amountSat: 20_000n }]);
      await world.waitInvoice(acctA, a.id, (i) => i.status === 'payment_detected', SLOW_MS);

      const outage = proxy.down();
      const payB = await node.pay([{ address: b.payment.address, amountSat: 20_000n }]);
      await node.mine(1);
      await faultsSeen(proxy, 'reset', 3);
      assert.equal((await world.invoice(acctA, a.id)).status, 'payment_detected');
      assert.equal((await world.invoice(acctB, b.id)).status, 'unpaid');
      proxy.remove(outage);

      // Link faults do not depend on the store: the scripted run is done once, on the first dialect.
      if (n === 0) await runScript(proxy, flakyScript(RPC_RESPONSE_MAX_BYTES * 2 + 1024), health);
      await world.waitInvoice(acctA, a.id, (i) => i.status === 'complete', SLOW_MS);
      await world.waitInvoice(acctB, b.id, (i) => i.status === 'complete', SLOW_MS);
      const [seenA, seenB] = await Promise.all(truths.map((t) => t.stop()));
      assert.deepEqual(truths.flatMap((t) => t.lies), []);
      assert.deepEqual(seenA, ['unpaid', 'payment_detected', 'complete']);
      assert.equal(seenB?.at(-1), 'complete');

      // A restart after the outage rescans from the stored height and credits nothing again.
      await world.stopWatchers();
      await world.startWatchers();
      await node.mine(1);
      await caughtUp();
      assert.deepEqual([await world.balance(acctA), await world.balance(acctB)], [10, 10]);
      await world.invariants([`${payA.txid}:0`, `${payB.txid}:0`]);
    });

    test('a node that falls behind the processed tip and catches up: no reversal, no double credit', async () => {
      await world.waitUntil('a healthy watcher', () => health()?.ok === true, SLOW_MS);
      const [acctC, acctD] = [await world.account(), await world.account()];
      const c = await world.deposit(acctC, { amount: 10, currency: 'USD', payment_method: 'bitcoin' });
      const payC = await node.pay([{ address: c.payment.address, amountSat: 20_000n }]);
      await node.mine(1);
      await world.waitInvoice(acctC, c.id, (i) => i.status === 'complete', SLOW_MS);
      await node.mine(1);
      await caughtUp();

      // The link now reaches a replica three blocks behind: C's block "does not exist" there.
      const d = await world.deposit(acctD, { amount: 10, currency: 'USD', payment_method: 'bitcoin' });
      const truths = [new InvoiceTruth(world, acctC, c.id, 10), new InvoiceTruth(world, acctD, d.id, 10)];
      const behind = proxy.add({ fault: bitcoinBehind(node, (await node.height()) - 3) });
      const payD = await node.pay([{ address: d.payment.address, amountSat: 20_000n }]);
      await node.mine(1);
      await faultsSeen(proxy, 'rpc', 10);
      const meanwhile = await world.invoice(acctC, c.id);
      assert.equal(meanwhile.status, 'complete');
      assert.equal(meanwhile.credited_amount, 10);
      assert.notEqual((await world.invoice(acctD, d.id)).status, 'complete');

      proxy.remove(behind);
      await world.waitInvoice(acctD, d.id, (i) => i.status === 'complete', SLOW_MS);
      await node.mine(7);
      await caughtUp();
      await Promise.all(truths.map((t) => t.stop()));
      assert.deepEqual(truths.flatMap((t) => t.lies), []);
      assert.deepEqual([await world.balance(acctC), await world.balance(acctD)], [10, 10]);
      const paymentC = await world.deps.store.payments.getByKey(`${payC.txid}:0`);
      assert.equal(paymentC?.reversed, false);
      await world.invariants([`${payC.txid}:0`, `${payD.txid}:0`]);
    });

    test('a pool whose replicas disagree on a mempool payment: detected stays detected, then complete', async () => {
      // Proves issue 14's lagging replica behind a load balancer: an answer from the replica that has
      // not received the payment yet does not flip the invoice from payment_detected back to unpaid.
      await world.waitUntil('a healthy watcher', () => health()?.ok === true, SLOW_MS);
      const acct = await world.account();
      const inv = await world.deposit(acct, { amount: 10, currency: 'USD', payment_method: 'bitcoin' });
      const truth = new InvoiceTruth(world, acct, inv.id, 10);
      const tx = node.buildTx(await node.takeCoin(), [{ address: inv.payment.address, amountSat: 20_000n }]);
      const hidden = new Set([tx.txid]);
      // Round robin over two replicas for the mempool list: every other one lacks the payment.
      let listed = 0;
      const lagging = proxy.add({
        fault: bitcoinMempoolWithout(hidden),
        match: (request) => request.calls.some((c) => c.method === 'getrawmempool') && listed++ % 2 === 1,
      });
      await node.broadcast(tx);
      await world.waitInvoice(acct, inv.id, (i) => i.status === 'payment_detected', SLOW_MS);
      await faultsSeen(proxy, 'rpc', 4);
      assert.equal((await world.invoice(acct, inv.id)).status, 'payment_detected');
      hidden.delete(tx.txid); // the lagging replica receives it
      await node.mine(1);
      await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete', SLOW_MS);
      proxy.remove(lagging);
      await truth.stop();
      assert.deepEqual(truth.lies, []);
      assert.deepEqual(truth.seen, ['unpaid', 'payment_detected', 'complete']);
      await world.invariants([`${tx.txid}:0`]);
    });

    // DESIGN §6: a provider's Retry-After is honoured.
    test('429 with Retry-After: the follower asks the node nothing for the stated time', { skip: n !== 0 && 'once, on the first dialect' }, async () => {
      await world.waitUntil('a healthy watcher', () => health()?.ok === true, SLOW_MS);
      assert.ok((await retryAfterGapMs(proxy, 1)) >= 1_000);
    });
  });
}
