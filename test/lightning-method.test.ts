// The lightning adapter and watcher against fake LND REST and fake Core Lightning REST servers
// that issue real signed BOLT11s: start-up checks, verified targets, settlement reporting through
// stream and cursor poll, outages, restarts, duplicates and late payments. Every scenario runs on
// both backends and ends by checking the settlement invariant: each paid invoice reported exactly
// once, with what was actually received.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { systemClock } from '../src/core/clock.ts';
import { CofferError, ConfigError } from '../src/core/errors.ts';
import { silentLogger } from '../src/core/logger.ts';
import { KnownMethodSpecs as DefaultMethodSpecs } from '../src/methods/registry.ts';
import type { PaymentMethodAdapter, TargetRequest, Watcher } from '../src/core/payment-method.ts';
import { decodeBolt11 } from '../src/methods/lightning/bolt11.ts';
import type { LightningConfig } from '../src/methods/lightning/lightning-config.ts';
import { createLightningMethod } from '../src/methods/lightning/lightning-method.ts';
import { MemoryWatcherContext } from './support/memory-watcher-context.ts';
import { FakeInvoiceBook, FakeLnd } from './support/fake-lnd.ts';
import { FakeCln } from './support/fake-cln.ts';
import { lightningConfigFor } from './support/chain-lightning.ts';

const require = createRequire(import.meta.url);
const bolt11Lib = require('bolt11') as { decode(text: string, network?: unknown): { payeeNodeKey?: string; millisatoshis?: string | null } };
const spec = DefaultMethodSpecs.find((m) => m.id === 'lightning');
assert.ok(spec);
const lightningSpec = spec;
const noIndexes = { next: async (): Promise<number> => { throw new Error('lightning allocates no indexes'); } };

type Fake = FakeLnd | FakeCln;

function configFor(fake: Fake, overrides: Partial<LightningConfig> = {}): LightningConfig {
  return { ...lightningConfigFor(fake), pollIntervalMs: 100, ...overrides };
}

function request(invoiceId: string, priceUnits: bigint | null, expiresInMs = 900_000): TargetRequest {
  return { invoiceId, method: lightningSpec, priceUnits, expiresAt: new Date(Date.now() + expiresInMs), description: `Coffer deposit ${invoiceId}` };
}

/** Creates a target and registers it with the context, as the create-deposit use case would. */
async function deposit(adapter: PaymentMethodAdapter, ctx: MemoryWatcherContext, invoiceId: string, priceUnits: bigint | null, expiresInMs?: number): Promise<string> {
  const target = await adapter.createTarget(request(invoiceId, priceUnits, expiresInMs), noIndexes);
  ctx.addTarget({ methodId: 'lightning', targetKey: target.targetKey, invoiceId, watchUntil: new Date(Date.now() + 86_400_000) });
  return target.targetKey;
}

function reportsFor(ctx: MemoryWatcherContext, hash: string): number {
  return ctx.emitted.filter((o) => o.paymentKey === hash).length;
}

/** The settlement invariant: every settled Coffer invoice reported once, with the received amount. */
function assertInvariant(ctx: MemoryWatcherContext, fake: Fake, targets: readonly string[]): void {
  for (const hash of targets) {
    const invoice = fake.book.byHash.get(hash);
    assert.ok(invoice);
    if (invoice.state !== 'settled') {
      assert.equal(reportsFor(ctx, hash), 0, 'unsettled invoice reported');
      continue;
    }
    assert.equal(reportsFor(ctx, hash), 1, `settled invoice ${hash} reported ${reportsFor(ctx, hash)} times`);
    const seen = ctx.latest.get(hash);
    assert.deepEqual(seen, {
      methodId: 'lightning', targetKey: hash, paymentKey: hash, amountUnits: invoice.receivedMsat,
      state: 'confirmed', confirmations: 1, txid: hash,
    });
  }
}

for (const kind of ['lnd', 'cln'] as const) {
  describe(`lightning via ${kind}`, () => {
    let fake: Fake;
    let adapter: PaymentMethodAdapter;
    const start = async (book?: FakeInvoiceBook): Promise<Fake> => (kind === 'lnd' ? FakeLnd.start(book) : FakeCln.start(book));

    before(async () => {
      fake = await start();
      adapter = await createLightningMethod(configFor(fake), { clock: systemClock, log: silentLogger });
    });
    after(async () => {
      await adapter.close?.();
      await fake.close();
    });

    // Start-up refuses wrong credentials, an unreachable node, the wrong network and an unexpected node key, naming the setting.
    test('start-up check names the failing setting', async () => {
      const credential = kind === 'lnd' ? 'COFFER_LND_MACAROON' : 'COFFER_CLN_RUNE';
      const url = kind === 'lnd' ? 'COFFER_LND_REST_URL' : 'COFFER_CLN_REST_URL';
      const good = configFor(fake);
      const badCredential: LightningConfig = good.backend.kind === 'lnd'
        ? { ...good, backend: { ...good.backend, macaroonHex: 'ab'.repeat(32) } }
        : { ...good, backend: { ...good.backend, rune: 'wrong-rune' } };
      const deps = { clock: systemClock, log: silentLogger };
      await assert.rejects(createLightningMethod(badCredential, deps), (e: unknown) => e instanceof ConfigError && e.setting === credential);
      const closed = await start();
      const closedUrl = closed.url;
      await closed.close();
      await assert.rejects(createLightningMethod({ ...good, backend: { ...good.backend, restUrl: closedUrl } }, deps),
        (e: unknown) => e instanceof ConfigError && e.setting === url);
      // Network and key are read with getinfo: LND's admin macaroon has info:read (the invoice one does not).
      const informed: LightningConfig = good.backend.kind === 'lnd' && fake instanceof FakeLnd
        ? { ...good, backend: { ...good.backend, macaroonHex: fake.macaroons.admin } } : good;
      await assert.rejects(createLightningMethod({ ...informed, network: 'bc' }, deps), (e: unknown) => e instanceof ConfigError && e.setting === url);
      await assert.rejects(createLightningMethod({ ...informed, nodeKey: '02' + '11'.repeat(32) }, deps),
        (e: unknown) => e instanceof ConfigError && e.setting === 'COFFER_LIGHTNING_NODE_KEY');
    });

    // A fixed-amount target is a BOLT11 for exactly the price in msat, signed by the node, expiring with the deposit.
    test('createTarget hands out a verified BOLT11', async () => {
      const expiresInMs = 600_000;
      const target = await adapter.createTarget(request('inv-fixed', 123_456_789n, expiresInMs), noIndexes);
      const decoded = decodeBolt11(target.address);
      assert.equal(target.lightningInvoice, target.address);
      assert.equal(target.uri, `lightning:${target.address}`);
      assert.equal(target.targetKey, decoded.paymentHash);
      assert.equal(decoded.amountMsat, 123_456_789n);
      assert.equal(decoded.payeeNodeKey, fake.book.nodeKey);
      assert.equal(decoded.description, 'Coffer deposit inv-fixed');
      assert.ok(Math.abs(decoded.expiresAt - Math.floor((Date.now() + expiresInMs) / 1000)) <= 2);
      const theirs = bolt11Lib.decode(target.address, { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] });
      assert.equal(theirs.payeeNodeKey, fake.book.nodeKey);
      assert.equal(theirs.millisatoshis, '123456789');
      const flexible = await adapter.createTarget(request('inv-flex', null), noIndexes);
      assert.equal(decodeBolt11(flexible.address).amountMsat, null);
    });

    // ADVERSARIAL 18: a BOLT11 from the node with another signer, amount, payment hash or network is refused.
    test('a tampered BOLT11 from the node is refused', async () => {
      for (const tamper of ['signer', 'amount', 'hash', 'network'] as const) {
        fake.book.tamper = tamper;
        await assert.rejects(adapter.createTarget(request(`inv-bad-${tamper}`, 50_000n), noIndexes),
          (e: unknown) => e instanceof CofferError && e.code === 'payment_method_unavailable', tamper);
      }
    });

    // Exact and amountless payments are reported once each, with what was received; other apps' invoices are not.
    test('exact, over- and amountless payments are reported through the stream', async () => {
      const ctx = new MemoryWatcherContext();
      // Polling only at start-up: what arrives afterwards can only come through the stream.
      const streamOnly = await createLightningMethod(configFor(fake, { pollIntervalMs: 600_000 }), { clock: systemClock, log: silentLogger });
      const watcher = streamOnly.createWatcher?.(ctx);
      assert.ok(watcher);
      await watcher.start();
      await ctx.waitFor(() => ctx.health.length > 0);
      try {
        const exact = await deposit(adapter, ctx, 'inv-exact', 250_000n);
        const flexible = await deposit(adapter, ctx, 'inv-any', null);
        const over = await deposit(adapter, ctx, 'inv-over', 1_000n);
        const foreign = fake.book.create(5_000n, 'not Coffer', 600, `other-${kind}`).invoice.paymentHash;
        fake.book.pay(foreign);
        fake.book.pay(exact);
        fake.book.pay(flexible, 777_123n);
        fake.book.pay(over, 1_500n);
        await ctx.waitFor((c) => [exact, flexible, over].every((h) => c.latest.has(h)));
        assert.equal(ctx.latest.get(flexible)?.amountUnits, 777_123n);
        assert.equal(ctx.latest.get(over)?.amountUnits, 1_500n);
        assert.equal(reportsFor(ctx, foreign), 0);
        assertInvariant(ctx, fake, [exact, flexible, over]);
        assert.ok(ctx.health.some((h) => h.ok));
      } finally {
        await streamOnly.close?.();
      }
    });

    // A payment settled while the stream is down is caught by the cursor poll, once.
    test('settle during a stream outage is caught by polling', async () => {
      const ctx = new MemoryWatcherContext();
      const watcher = adapter.createWatcher?.(ctx);
      assert.ok(watcher);
      await watcher.start();
      try {
        const hash = await deposit(adapter, ctx, 'inv-outage', 42_000n);
        fake.streamDown = true;
        fake.dropStreams();
        fake.book.pay(hash);
        await ctx.waitFor((c) => c.latest.has(hash));
        fake.streamDown = false;
        const later = await deposit(adapter, ctx, 'inv-after-outage', 43_000n);
        fake.book.pay(later);
        await ctx.waitFor((c) => c.latest.has(later));
        assertInvariant(ctx, fake, [hash, later]);
      } finally {
        fake.streamDown = false;
        await watcher.stop();
      }
    });

    // After a restart the stored cursor catches up on what settled while Coffer was down, without repeats.
    test('restart catches up from the stored cursor', async () => {
      const ctx = new MemoryWatcherContext();
      const first = adapter.createWatcher?.(ctx);
      assert.ok(first);
      await first.start();
      const before = await deposit(adapter, ctx, 'inv-before', 10_000n);
      fake.book.pay(before);
      await ctx.waitFor((c) => c.latest.has(before));
      await first.stop();
      const whileDown = await deposit(adapter, ctx, 'inv-while-down', 20_000n);
      fake.book.pay(whileDown);
      const cursor = await ctx.state.get('settle_index');
      assert.ok(cursor !== null && Number(cursor) >= 1);
      const second: Watcher | undefined = adapter.createWatcher?.(ctx);
      assert.ok(second);
      await second.start();
      try {
        await ctx.waitFor((c) => c.latest.has(whileDown));
        assertInvariant(ctx, fake, [before, whileDown]);
        assert.equal(await ctx.state.get('settle_index'), String(fake.book.settleCount));
      } finally {
        await second.stop();
      }
    });

    // Repeated settle notifications (stream repeats, stream and poll both seeing it) produce one report.
    test('duplicate settle notifications are reported once', async () => {
      const ctx = new MemoryWatcherContext();
      const watcher = adapter.createWatcher?.(ctx);
      assert.ok(watcher);
      await watcher.start();
      try {
        if (fake instanceof FakeLnd) fake.duplicateNotifications = true;
        const hashes: string[] = [];
        for (let i = 0; i < 5; i += 1) hashes.push(await deposit(adapter, ctx, `inv-dup-${i}`, 1_000n + BigInt(i)));
        for (const hash of hashes) fake.book.pay(hash);
        await ctx.waitFor((c) => hashes.every((h) => c.latest.has(h)));
        // Let a poll pass over the same settlements as well.
        await new Promise((resolve) => setTimeout(resolve, 300));
        assertInvariant(ctx, fake, hashes);
      } finally {
        if (fake instanceof FakeLnd) fake.duplicateNotifications = false;
        await watcher.stop();
      }
    });

    // A payment the node accepts after the deposit expired in Coffer is still reported (the use case marks it late).
    test('payment after the deposit expired is still reported', async () => {
      const ctx = new MemoryWatcherContext();
      const watcher = adapter.createWatcher?.(ctx);
      assert.ok(watcher);
      await watcher.start();
      try {
        const hash = await deposit(adapter, ctx, 'inv-late', 9_000n, 1_500);
        await new Promise((resolve) => setTimeout(resolve, 1_600));
        fake.book.pay(hash);
        await ctx.waitFor((c) => c.latest.has(hash));
        assertInvariant(ctx, fake, [hash]);
      } finally {
        await watcher.stop();
      }
    });

    // A node that fails mid-run turns the heartbeat and health() unhealthy, and healthy again once it returns.
    test('mid-run node failure is reported as unhealthy', async () => {
      const ctx = new MemoryWatcherContext();
      const watcher = adapter.createWatcher?.(ctx);
      assert.ok(watcher);
      await watcher.start();
      try {
        await ctx.waitFor(() => ctx.health.some((h) => h.ok));
        fake.down = true;
        await ctx.waitFor(() => ctx.health.at(-1)?.ok === false);
        assert.equal(adapter.health().ok, false);
        assert.match(adapter.health().detail ?? '', /poll failed/);
        fake.down = false;
        await ctx.waitFor(() => ctx.health.at(-1)?.ok === true);
        assert.equal(adapter.health().ok, true);
      } finally {
        fake.down = false;
        await watcher.stop();
      }
    });
  });
}
