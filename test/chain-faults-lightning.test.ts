// Proves ADVERSARIAL 5 and 24 for lightning on every dialect: with the fault proxy between the
// real lightning watcher and the fake LND REST node (subscription stream and polling both go
// through it), an outage that also cuts the open stream, then every fault a sick node shows:
// invoices settled meanwhile are credited once when it is back, none twice (also across a
// restart and a replay), the invoices never say more than is true, and `ledger verify` finds zero
// drift. (A node "falling behind" has no meaning for LND's invoice API: there is no tip to lag.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../src/core/logger.ts';
import type { ManualClock } from '../src/core/clock.ts';
import { KnownMethodSpecs as DefaultMethodSpecs } from '../src/methods/registry.ts';
import type { MethodSpec } from '../src/core/methods.ts';
import { decodeBolt11 } from '../src/methods/lightning/bolt11.ts';
import { createLightningMethod } from '../src/methods/lightning/lightning-method.ts';
import { LightningLimits } from '../src/methods/lightning/limits.ts';
import { MethodRegistry } from '../src/usecases/method-registry.ts';
import { FakeLnd } from './support/fake-lnd.ts';
import { FaultProxy } from './support/fault-proxy.ts';
import { sharedLndTls } from './support/node-certs.ts';
import { ChainWorld } from './support/chain-world.ts';
import type { WireInvoice } from './support/chain-world.ts';
import { dialects, staticRates } from './support/harness.ts';
import { InvoiceTruth, faultsSeen, flakyScript, retryAfterGapMs, runScript } from './support/outage.ts';

/** Waits on a loaded machine: a recovery after faults can take long; passing tests never wait it out. */
const SLOW_MS = 60_000;

/** BTC/USD 50,000: $10 is 20,000 sat. */
const RATES = staticRates({ 'BTC/USD': '50000' });
const WATCHER = 'lightning:lightning';

async function registry(fake: FakeLnd, proxy: FaultProxy, clock: ManualClock): Promise<MethodRegistry> {
  fake.book.now = () => Math.floor(clock.now().getTime() / 1000);
  const adapter = await createLightningMethod({
    backend: { kind: 'lnd', restUrl: proxy.url, macaroonHex: fake.macaroonHex, tlsCertPem: fake.tlsCert }, network: 'bcrt', nodeKey: fake.book.nodeKey, pollIntervalMs: 50, requestTimeoutMs: 2_000,
  }, { clock, log: silentLogger });
  const built = new MethodRegistry();
  built.add({ spec: DefaultMethodSpecs.find((s) => s.id === 'lightning') as MethodSpec, adapter, tiers: [] });
  return built;
}

for (const [n, dialect] of dialects().entries()) {
  describe(`lightning (LND) through a faulty link (${dialect})`, () => {
    let fake: FakeLnd;
    let proxy: FaultProxy;
    let world: ChainWorld;

    before(async () => {
      fake = await FakeLnd.start();
      proxy = await FaultProxy.start(fake.url, sharedLndTls());
      world = await ChainWorld.open(dialect, { rates: RATES, methods: (clock) => registry(fake, proxy, clock) });
      await world.startWatchers();
    });
    after(async () => {
      await world.close();
      await proxy.close();
      await fake.close();
    });

    const health = () => world.supervisor?.status().find((s) => s.name === WATCHER)?.health;
    const cursorAtNode = () => world.waitUntil('cursor at the last settlement', async () => (await world.watcherState(WATCHER, 'settle_index')) === String(fake.book.settleCount), SLOW_MS);

    test(`outage${n === 0 ? ', then every fault' : ''}, then back: settled meanwhile is credited once, invoices truthful`, async () => {
      const [acctA, acctB] = [await world.account(), await world.account()];
      const a = await world.deposit(acctA, { amount: 10, currency: 'USD', payment_method: 'lightning' });
      const b = await world.deposit(acctB, { amount: 10, currency: 'USD', payment_method: 'lightning' });
      const truths = [new InvoiceTruth(world, acctA, a.id, 10), new InvoiceTruth(world, acctB, b.id, 10)];
      try {
        const hashA = decodeBolt11(a.payment.address).paymentHash;
        const hashB = decodeBolt11(b.payment.address).paymentHash;

        // The outage cuts the open subscription too; both invoices are settled at the node meanwhile.
        const outage = proxy.down();
        fake.book.pay(hashA);
        await faultsSeen(proxy, 'reset', 3);
        fake.book.pay(hashB);
        await faultsSeen(proxy, 'reset', 2);
        assert.equal((await world.invoice(acctA, a.id)).status, 'unpaid');
        assert.equal((await world.invoice(acctB, b.id)).status, 'unpaid');
        proxy.remove(outage);

        // Link faults do not depend on the store: the scripted run is done once, on the first dialect.
        if (n === 0) await runScript(proxy, flakyScript(LightningLimits.responseBytesMax + 1024), health);
        await world.waitInvoice(acctA, a.id, (i) => i.status === 'complete', SLOW_MS);
        await world.waitInvoice(acctB, b.id, (i) => i.status === 'complete', SLOW_MS);
        await Promise.all(truths.map((t) => t.stop()));
        assert.deepEqual(truths.flatMap((t) => t.lies), []);
        for (const t of truths) assert.deepEqual(t.seen, ['unpaid', 'complete']);

        // A restart, and a stream cut and reopened from the stored index, credit nothing again.
        await world.stopWatchers();
        await world.startWatchers();
        await cursorAtNode();
        proxy.cutOpenConnections();
        await world.waitUntil('stream back', () => fake.openStreams > 0, SLOW_MS);
        await world.waitUntil('readyz 200', async () => (await world.readyz()).statusCode === 200, SLOW_MS);
        assert.deepEqual([await world.balance(acctA), await world.balance(acctB)], [10, 10]);
        await world.invariants([hashA, hashB]);
      } finally {
        await Promise.all(truths.map((t) => t.stop()));
      }
    });

    test('a deposit asked for during an outage is refused cleanly; one made before it is settled once after', async () => {
      const acct = await world.account();
      // The previous test's cut connections may still fail one poll: a client retries a 503.
      const made: WireInvoice[] = [];
      await world.waitUntil('a lightning deposit accepted', async () => {
        const one = await world.deposit(acct, { amount: 10, currency: 'USD', payment_method: 'lightning' }).catch(() => null);
        if (one !== null) made.push(one);
        return one !== null;
      }, SLOW_MS);
      const before = made[0] as WireInvoice;
      const truth = new InvoiceTruth(world, acct, before.id, 10);
      try {
        const outage = proxy.down();
        await world.waitUntil('readyz 503', async () => (await world.readyz()).statusCode === 503, SLOW_MS);
        const refused = await world.call(acct, 'POST', '/v2/accounts/deposit', { amount: 10, currency: 'USD', payment_method: 'lightning' });
        assert.equal(refused.statusCode, 503);
        assert.equal(refused.json().error_code, 'payment_method_unavailable');
        const hash = decodeBolt11(before.payment.address).paymentHash;
        fake.book.pay(hash);
        await faultsSeen(proxy, 'reset', 2);
        proxy.remove(outage);
        await world.waitInvoice(acct, before.id, (i) => i.status === 'complete', SLOW_MS);
        await truth.stop();
        assert.deepEqual(truth.lies, []);
        assert.equal(await world.balance(acct), 10);
        await world.invariants([hash]);
      } finally {
        await truth.stop();
      }
    });

    // DESIGN §6: a provider's Retry-After is honoured.
    test('429 with Retry-After: the follower asks the node nothing for the stated time', { skip: n !== 0 && 'once, on the first dialect' }, async () => {
      await world.waitUntil('a healthy watcher', () => health()?.ok === true, SLOW_MS);
      assert.ok((await retryAfterGapMs(proxy, 1)) >= 1_000);
    });
  });
}
