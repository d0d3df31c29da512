// Lightning against nodes at mainnet shape (issue 14): an LND poll over a >10,000-invoice backlog
// credits every settlement (a lower settle_index found later included) in complete, bounded
// sweeps; gaps in settle_index are stepped over once confirmed; TLS pinning of LND's tls.cert and
// clnrest's ca.pem accepts the right certificate and refuses others clearly; LND's invoice.macaroon
// and a rune for exactly Coffer's methods are enough; garbage and forged invoices from the node
// are logged with their source and never credited; a 429 is waited for as Retry-After says.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../src/core/clock.ts';
import { ConfigError } from '../src/core/errors.ts';
import type { Logger } from '../src/core/logger.ts';
import { KnownMethodSpecs as DefaultMethodSpecs } from '../src/methods/registry.ts';
import type { PaymentMethodAdapter, TargetRequest } from '../src/core/payment-method.ts';
import type { LightningConfig } from '../src/methods/lightning/lightning-config.ts';
import { createLightningMethod } from '../src/methods/lightning/lightning-method.ts';
import { LightningWatcher } from '../src/methods/lightning/lightning-watcher.ts';
import { LndBackend } from '../src/methods/lightning/lnd-backend.ts';
import { LightningLimits } from '../src/methods/lightning/limits.ts';
import { lightningConfigFor } from './support/chain-lightning.ts';
import { FakeCln } from './support/fake-cln.ts';
import { FakeLnd } from './support/fake-lnd.ts';
import { MemoryWatcherContext } from './support/memory-watcher-context.ts';
import { clnTls, lndTls } from './support/node-certs.ts';

const spec = DefaultMethodSpecs.find((m) => m.id === 'lightning');
assert.ok(spec);
const lightningSpec = spec;
const noIndexes = { next: async (): Promise<number> => { throw new Error('lightning allocates no indexes'); } };
const deps = { clock: systemClock, log: logger([]) };

interface LogLine { readonly level: string; readonly fields: Record<string, unknown>; readonly message: string }

/** A watcher context that keeps what the watcher logs. */
class LoggingContext extends MemoryWatcherContext {
  readonly lines: LogLine[] = [];
  override readonly log: Logger = logger(this.lines);
}

function logger(lines: LogLine[]): Logger {
  const at = (level: string) => (fields: object | string, message?: string): void => {
    lines.push(typeof fields === 'string' ? { level, fields: {}, message: fields } : { level, fields: fields as Record<string, unknown>, message: message ?? '' });
  };
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}


function request(invoiceId: string, priceUnits: bigint | null): TargetRequest {
  return { invoiceId, method: lightningSpec, priceUnits, expiresAt: new Date(Date.now() + 900_000), description: `Coffer deposit ${invoiceId}` };
}

async function deposit(adapter: PaymentMethodAdapter, ctx: MemoryWatcherContext, invoiceId: string, priceUnits: bigint | null = 10_000n): Promise<string> {
  const target = await adapter.createTarget(request(invoiceId, priceUnits), noIndexes);
  ctx.addTarget({ methodId: 'lightning', targetKey: target.targetKey, invoiceId, watchUntil: new Date(Date.now() + 86_400_000) });
  return target.targetKey;
}

function reports(ctx: MemoryWatcherContext, hash: string): number {
  return ctx.emitted.filter((o) => o.paymentKey === hash).length;
}

describe('LND poll over a backlog of more than 10,000 invoices', () => {
  let fake: FakeLnd;
  let adapter: PaymentMethodAdapter;

  before(async () => {
    fake = await FakeLnd.start();
    adapter = await createLightningMethod({ ...lightningConfigFor(fake), pollIntervalMs: 600_000 }, deps);
  });
  after(async () => {
    await adapter.close?.();
    await fake.close();
  });

  // Reproduces issue 14: an old open invoice held every poll at its add_index and 20 pages later
  // the poll started over there at once (a busy loop that never reached the rest), and a higher
  // settle_index seen first made the lower one behind the backlog be skipped for ever.
  test('settlements behind the backlog are credited, the lower settle_index too, in complete sweeps', async () => {
    const ctx = new LoggingContext();
    const held = await deposit(adapter, ctx, 'held-open');
    const early = await deposit(adapter, ctx, 'early');
    fake.book.addBacklog(10_500);
    const late = await deposit(adapter, ctx, 'late');
    fake.streamDown = true;
    fake.book.pay(late); // settle_index 1, add_index 10,503
    fake.book.pay(early); // settle_index 2, add_index 2
    const listedBefore = fake.requests.length;
    const watcher = adapter.createWatcher?.(ctx);
    assert.ok(watcher);
    await watcher.start();
    try {
      await ctx.waitFor((c) => c.latest.has(early) && c.latest.has(late), 30_000);
      await ctx.waitFor(() => (watcher as LightningWatcher).cursor.settleIndex === 2, 30_000);
      // The old open invoice settles later: the next sweep misses it among the pending ones and looks it up.
      fake.book.pay(held);
      await ctx.waitFor((c) => c.latest.has(held), 30_000);
    } finally {
      fake.streamDown = false;
      await watcher.stop();
    }
    assert.equal(reports(ctx, early), 1);
    assert.equal(reports(ctx, late), 1);
    assert.equal(ctx.latest.get(late)?.amountUnits, 10_000n);
    // Pages of at most 500; new invoices are read forward only, never again from the oldest open
    // one (on main every poll restarted there); Coffer's open ones are looked up by hash, the
    // node's other open invoices are not re-read (no pending_only pages).
    const lists = fake.requests.slice(listedBefore).filter((r) => r.startsWith('/v1/invoices?')).map((r) => new URL(r, 'https://x').searchParams);
    assert.ok(lists.every((q) => Number(q.get('num_max_invoices')) <= 500));
    const forward = lists.filter((q) => q.get('pending_only') !== 'true').map((q) => Number(q.get('index_offset')));
    assert.ok(forward.length >= 22, `the first sweep reads 22 pages, saw ${forward.length}`);
    for (let i = 1; i < forward.length; i += 1) assert.ok((forward[i] ?? 0) >= (forward[i - 1] ?? 0), `read again from ${forward[i]} after ${forward[i - 1]}`);
    assert.ok(!lists.some((q) => q.get('pending_only') === 'true'));
    assert.equal(reports(ctx, held), 1);
    assert.ok(fake.requests.slice(listedBefore).includes(`/v1/invoice/${held}`));
  });

  // Issue 14, poll only: every sweep re-read the node's 10,000 open invoices (pending_only pages),
  // so settle → credited took ~1 s. A sweep now reads the invoices added since the last one and
  // looks up Coffer's own open invoices by hash.
  test('with the stream down, a sweep reads the new invoices and looks up Coffer\'s open ones, not the node\'s 10,000 others', async () => {
    const node = await FakeLnd.start();
    const method = await createLightningMethod({ ...lightningConfigFor(node), pollIntervalMs: 50 }, deps);
    const ctx = new LoggingContext();
    try {
      const first = await deposit(method, ctx, 'sweep-first');
      node.book.addBacklog(10_000);
      const second = await deposit(method, ctx, 'sweep-second');
      node.streamDown = true;
      const watcher = method.createWatcher?.(ctx) as LightningWatcher;
      await watcher.start();
      node.book.pay(first);
      await ctx.waitFor((c) => c.latest.has(first), 30_000);
      // The first sweep (after a start it reads the whole backlog once) is over when it stores scan_from.
      for (let i = 0; i < 600 && (await ctx.state.get('scan_from')) === null; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.notEqual(await ctx.state.get('scan_from'), null);
      const mark = node.requests.length;
      node.book.pay(second);
      await ctx.waitFor((c) => c.latest.has(second), 30_000);
      // Two more sweeps after the credit, so what is counted covers whole sweeps.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const since = node.requests.slice(mark);
      const lists = since.filter((r) => r.startsWith('/v1/invoices?')).map((r) => new URL(r, 'https://x').searchParams);
      assert.ok(lists.length > 0 && lists.every((q) => q.get('pending_only') !== 'true' && Number(q.get('index_offset')) >= 10_002),
        `only invoices added since the last sweep are listed: ${since.filter((r) => r.startsWith('/v1/invoices?')).slice(0, 3).join(' ')}`);
      assert.ok(since.includes(`/v1/invoice/${second}`), 'the open Coffer invoice is looked up');
      assert.ok(since.every((r) => !r.startsWith('/v1/invoice/') || r === `/v1/invoice/${second}`), 'only Coffer\'s open invoices are looked up');
      assert.equal(reports(ctx, first), 1);
      assert.equal(reports(ctx, second), 1);
    } finally {
      await method.close?.();
      await node.close();
    }
  });

  test('with more open Coffer invoices than the look-up cap, a sweep reads the open pages instead and still credits', async () => {
    const node = await FakeLnd.start();
    const method = await createLightningMethod({ ...lightningConfigFor(node), pollIntervalMs: 50 }, deps);
    const ctx = new LoggingContext();
    try {
      node.book.addBacklog(LightningLimits.lookupsPerSweepMax + 1);
      // Coffer's own open invoices beyond the cap (their BOLT11s are never checked: none settles).
      for (const invoice of node.book.invoices) ctx.addTarget({ methodId: 'lightning', targetKey: invoice.paymentHash, invoiceId: `many-${invoice.addIndex}`, watchUntil: new Date(Date.now() + 86_400_000) });
      const paid = await deposit(method, ctx, 'over-cap');
      node.streamDown = true;
      const watcher = method.createWatcher?.(ctx) as LightningWatcher;
      await watcher.start();
      const mark = node.requests.length;
      node.book.pay(paid);
      await ctx.waitFor((c) => c.latest.has(paid), 30_000);
      const since = node.requests.slice(mark);
      assert.ok(since.some((r) => r.startsWith('/v1/invoices?') && r.includes('pending_only=true')), 'open pages read');
      assert.ok(since.filter((r) => r.startsWith('/v1/invoice/')).length <= 1, 'no look-up per open invoice');
      assert.equal(reports(ctx, paid), 1);
    } finally {
      await method.close?.();
      await node.close();
    }
  });

  // A node failing half-way through a sweep: what the sweep had already read is not lost, and
  // nothing is confirmed over it.
  test('a poll failing mid-sweep loses no settlement', async () => {
    const node = await FakeLnd.start();
    const method = await createLightningMethod({ ...lightningConfigFor(node), pollIntervalMs: 100 }, deps);
    const ctx = new LoggingContext();
    try {
      const first = await deposit(method, ctx, 'mid-sweep');
      node.book.pay(first);
      node.book.addBacklog(2_000, { settleEvery: 500 });
      node.streamDown = true;
      node.listFailures = { calls: new Set([2]), seen: 0 };
      const watcher = method.createWatcher?.(ctx) as LightningWatcher;
      await watcher.start();
      await ctx.waitFor((c) => c.latest.has(first), 30_000);
      await ctx.waitFor(() => watcher.cursor.settleIndex === node.book.settleCount, 30_000);
      assert.equal(reports(ctx, first), 1);
      assert.ok(ctx.health.some((h) => !h.ok), 'the failed page was reported');
    } finally {
      await method.close?.();
      await node.close();
    }
  });

  // A settle_index no listed invoice carries (LND's AMP sub-settlements) holds the watermark only
  // until a complete sweep confirms it; the settlement after it is credited at once, once.
  test('a gap in settle_index is stepped over after a confirming sweep', async () => {
    const ctx = new LoggingContext();
    const watcher = adapter.createWatcher?.(ctx) as LightningWatcher;
    await watcher.start();
    try {
      await ctx.waitFor(() => watcher.cursor.settleIndex === fake.book.settleCount, 30_000);
      const hash = await deposit(adapter, ctx, 'after-gap');
      const gap = fake.book.settleCount + 1;
      fake.book.settleCount += 1; // a settlement the node never lists as a settled invoice
      fake.book.pay(hash);
      await ctx.waitFor((c) => c.latest.has(hash));
      assert.equal(watcher.cursor.settleIndex, gap - 1, 'the watermark waits below the gap');
      // Two complete sweeps: the first sees settle_index gap + 1, the next confirms all below it.
      await ctx.waitFor(() => {
        watcher.pollNow();
        return watcher.cursor.settleIndex === gap + 1;
      }, 30_000);
      assert.equal(reports(ctx, hash), 1);
    } finally {
      await watcher.stop();
    }
  });
});

for (const kind of ['lnd', 'cln'] as const) {
  describe(`${kind} over TLS, with the narrowest credentials, fed bad input`, () => {
    let fake: FakeLnd | FakeCln;
    let adapter: PaymentMethodAdapter;
    const certSetting = kind === 'lnd' ? 'COFFER_LND_TLS_CERT' : 'COFFER_CLN_TLS_CERT';

    before(async () => {
      fake = kind === 'lnd' ? await FakeLnd.start() : await FakeCln.start();
      adapter = await createLightningMethod({ ...lightningConfigFor(fake), pollIntervalMs: 100 }, deps);
    });
    after(async () => {
      await adapter.close?.();
      await fake.close();
    });

    function withCert(pem: string | undefined): LightningConfig {
      const good = lightningConfigFor(fake);
      const { tlsCertPem: _drop, ...backend } = good.backend;
      return { ...good, backend: pem === undefined ? backend : { ...backend, tlsCertPem: pem } };
    }

    // The pinned certificate is accepted (every other test runs over it); another node's, none
    // (system CAs) and, for clnrest, the server.pem leaf instead of ca.pem are refused at start-up
    // with an error naming the certificate setting.
    test('a certificate other than the pinned one is refused clearly at start-up', async () => {
      const other = kind === 'lnd' ? lndTls() : clnTls();
      const refusals: Array<string | undefined> = [other.trust, undefined];
      if (kind === 'cln') refusals.push(other.cert);
      for (const pem of refusals) {
        await assert.rejects(createLightningMethod(withCert(pem), deps), (e: unknown) => {
          assert.ok(e instanceof ConfigError, String(e));
          assert.equal(e.setting, certSetting);
          assert.match(e.message, /TLS certificate refused/);
          return true;
        });
      }
    });

    // Mid-run, a node presenting a certificate that does not match: unhealthy with the TLS reason, nothing credited, no crash.
    test('a refused certificate mid-run is reported, never credited', async () => {
      if (!(fake instanceof FakeLnd)) return; // the watcher path is shared; one backend shows it
      const ctx = new LoggingContext();
      const backend = new LndBackend({ restUrl: fake.url, macaroonHex: fake.macaroonHex, tlsCertPem: lndTls().trust, timeoutMs: 2_000 });
      const watcher = new LightningWatcher(ctx, backend, { methodId: 'lightning', pollIntervalMs: 100, nodeKey: fake.book.nodeKey, network: 'bcrt', onHealth: () => {} });
      const hash = await deposit(adapter, ctx, 'tls-mid-run');
      fake.book.pay(hash);
      await watcher.start();
      try {
        await ctx.waitFor(() => ctx.health.some((h) => !h.ok));
        assert.match(ctx.health.find((h) => !h.ok)?.detail ?? '', /TLS certificate refused/);
        assert.equal(ctx.emitted.length, 0);
      } finally {
        await watcher.stop();
        backend.close();
      }
    });

    // The narrowest credentials start Coffer; a refused one is a credentials error naming its setting.
    test('narrow credentials suffice; bad ones are credentials errors', async () => {
      const good = lightningConfigFor(fake);
      if (fake instanceof FakeLnd && good.backend.kind === 'lnd') {
        // invoice.macaroon cannot call GetInfo: with no node key configured and no invoice yet, start-up asks for the key ...
        const fresh = await FakeLnd.start();
        try {
          const noKey = { ...lightningConfigFor(fresh) };
          delete (noKey as { nodeKey?: string }).nodeKey;
          await assert.rejects(createLightningMethod(noKey, deps), (e: unknown) => e instanceof ConfigError && e.setting === 'COFFER_LIGHTNING_NODE_KEY');
          // ... and once the node has an invoice, its BOLT11 tells the key and the network.
          fresh.book.create(1_000n, 'someone else', 600, '');
          const learned = await createLightningMethod(noKey, deps);
          const target = await learned.createTarget(request('learned', 5_000n), noIndexes);
          assert.equal(target.targetKey.length, 64);
          await learned.close?.();
          await assert.rejects(createLightningMethod({ ...noKey, network: 'tb' }, deps), (e: unknown) => e instanceof ConfigError && e.setting === 'COFFER_LND_REST_URL');
        } finally {
          await fresh.close();
        }
        const bad = { ...good, backend: { ...good.backend, macaroonHex: fake.macaroons.readonly.replace(/^../, '00') } };
        await assert.rejects(createLightningMethod(bad, deps), (e: unknown) => e instanceof ConfigError && e.setting === 'COFFER_LND_MACAROON');
      } else if (fake instanceof FakeCln && good.backend.kind === 'cln') {
        // A rune without waitanyinvoice starts (getinfo is allowed) but the watcher reports the refusal.
        const short = fake.makeRune(['getinfo', 'invoice', 'listinvoices']);
        const weak = await createLightningMethod({ ...good, backend: { ...good.backend, rune: short } }, deps);
        const ctx = new LoggingContext();
        const watcher = weak.createWatcher?.(ctx);
        assert.ok(watcher);
        await watcher.start();
        try {
          await ctx.waitFor(() => ctx.health.some((h) => !h.ok));
          assert.match(ctx.health.find((h) => !h.ok)?.detail ?? '', /refused the rune/);
        } finally {
          await weak.close?.();
        }
        await assert.rejects(createLightningMethod({ ...good, backend: { ...good.backend, rune: 'bm90LWEtcnVuZQ' } }, deps),
          (e: unknown) => e instanceof ConfigError && e.setting === 'COFFER_CLN_RUNE');
      }
    });

    // Garbage instead of JSON: the poll fails, is logged with its source, the method turns unhealthy; afterwards all works.
    test('garbage from the node is logged with its source and never crashes the watcher', async () => {
      const ctx = new LoggingContext();
      const watcher = adapter.createWatcher?.(ctx);
      assert.ok(watcher);
      await watcher.start();
      try {
        await ctx.waitFor(() => ctx.health.some((h) => h.ok));
        fake.garbage = { text: '<html>502 Bad Gateway</html>', count: 3 };
        await ctx.waitFor(() => ctx.health.at(-1)?.ok === false);
        assert.ok(ctx.lines.some((l) => l.level === 'warn' && l.fields['source'] === `${kind} poll` && /non-JSON/.test(String(l.fields['err']))));
        fake.garbage = null;
        if (fake instanceof FakeLnd) {
          // A garbled line on the subscription is skipped and logged; the stream stays up.
          await ctx.waitFor(() => (fake as FakeLnd).openStreams > 0);
          fake.pushStreamLine('{"result": {"r_hash": "AAAA", "state": "SETTLED", "settle_index": "999"}}');
          fake.pushStreamLine('not json at all');
          await ctx.waitFor(() => ctx.lines.filter((l) => l.level === 'error' && l.fields['source'] === 'lnd stream').length >= 2);
          assert.equal(fake.openStreams, 1);
        }
        const hash = await deposit(adapter, ctx, `after-garbage-${kind}`);
        fake.book.pay(hash);
        await ctx.waitFor((c) => c.latest.has(hash));
        assert.equal(reports(ctx, hash), 1);
      } finally {
        fake.garbage = null;
        await watcher.stop();
      }
    });

    // A settled invoice whose BOLT11 (as the node reports it) has another signer, amount or hash is refused and logged, never credited.
    test('a settled invoice whose BOLT11 does not match is never credited', async () => {
      const ctx = new LoggingContext();
      const watcher = adapter.createWatcher?.(ctx);
      assert.ok(watcher);
      await watcher.start();
      try {
        const forged: string[] = [];
        for (const how of ['signer', 'amount', 'hash'] as const) {
          const hash = await deposit(adapter, ctx, `forged-${how}-${kind}`);
          const invoice = fake.book.byHash.get(hash);
          assert.ok(invoice);
          fake.book.settledBolt11.set(hash, fake.book.forged(invoice, how));
          fake.book.pay(hash);
          forged.push(hash);
        }
        const honest = await deposit(adapter, ctx, `honest-${kind}`);
        fake.book.pay(honest);
        await ctx.waitFor((c) => c.latest.has(honest));
        await ctx.waitFor(() => ctx.lines.filter((l) => l.message.startsWith('lightning settlement refused')).length >= 3);
        for (const hash of forged) assert.equal(reports(ctx, hash), 0);
        const refused = ctx.lines.filter((l) => l.message.startsWith('lightning settlement refused'));
        assert.ok(refused.every((l) => /^(lnd|cln) (stream|poll)$/.test(String(l.fields['source'])) && /BOLT11/.test(String(l.fields['reason']))));
        assert.equal(reports(ctx, honest), 1);
      } finally {
        await watcher.stop();
      }
    });

    // A 429 with Retry-After pauses the poll for as long as the node asked, then it carries on and credits.
    test('a rate-limited poll waits as Retry-After says and then credits', async () => {
      if (!(fake instanceof FakeLnd)) return; // clnrest has no rate limit of its own; the policy is shared
      const ctx = new LoggingContext();
      const watcher = adapter.createWatcher?.(ctx);
      assert.ok(watcher);
      fake.streamDown = true;
      const hash = await deposit(adapter, ctx, 'rate-limited');
      fake.book.pay(hash);
      fake.rateLimit = { retryAfterSeconds: 1, count: 1 };
      await watcher.start();
      try {
        await ctx.waitFor((c) => c.latest.has(hash));
        const warned = ctx.lines.find((l) => l.message === 'lightning poll failed');
        assert.ok(warned, 'the 429 is logged');
        assert.equal(warned.fields['retryInMs'], 1_000);
        assert.equal(reports(ctx, hash), 1);
      } finally {
        fake.streamDown = false;
        fake.rateLimit = null;
        await watcher.stop();
      }
    });
  });
}
