// The lightning method as the composition root builds it, against a fake LND or Core Lightning
// REST node issuing real signed BOLT11s; beside it a sandbox `bitcoin` method, so a suite can
// show that a failing lightning node leaves the other methods working.

import type { ManualClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { KnownMethodSpecs as DefaultMethodSpecs } from '../../src/methods/registry.ts';
import type { MethodSpec } from '../../src/core/methods.ts';
import type { LightningConfig } from '../../src/methods/lightning/lightning-config.ts';
import { createLightningMethod } from '../../src/methods/lightning/lightning-method.ts';
import { SandboxMethod, sandboxSpecs } from '../../src/methods/sandbox/sandbox-method.ts';
import { bitcoinRail } from '../../src/methods/bitcoin/plugin.ts';
import { MethodRegistry } from '../../src/usecases/method-registry.ts';
import { FakeLnd } from './fake-lnd.ts';
import type { FakeCln } from './fake-cln.ts';

export type FakeNode = FakeLnd | FakeCln;

function spec(id: string): MethodSpec {
  return DefaultMethodSpecs.find((s) => s.id === id) as MethodSpec;
}

/**
 * Coffer as an operator would configure it with the narrowest credentials: LND's invoice.macaroon
 * (which cannot call GetInfo, so the node key is configured) or a rune for exactly Coffer's
 * methods, over HTTPS pinning LND's tls.cert / clnrest's ca.pem.
 */
export function lightningConfigFor(fake: FakeNode, pollIntervalMs = 50): LightningConfig {
  const backend = fake instanceof FakeLnd
    ? { kind: 'lnd' as const, restUrl: fake.url, macaroonHex: fake.macaroonHex, tlsCertPem: fake.tlsCert }
    : { kind: 'cln' as const, restUrl: fake.url, rune: fake.rune, tlsCertPem: fake.tlsCert };
  return { backend, network: 'bcrt', nodeKey: fake.book.nodeKey, pollIntervalMs, requestTimeoutMs: 10_000 };
}

/** Real lightning adapter on `fake` plus sandbox bitcoin; the fake node's clock follows `clock`. */
export async function lightningRegistry(fake: FakeNode, clock: ManualClock): Promise<MethodRegistry> {
  // The node stamps and expires its BOLT11s by the same clock Coffer's deposits use.
  fake.book.now = () => Math.floor(clock.now().getTime() / 1000);
  const registry = new MethodRegistry();
  const adapter = await createLightningMethod(lightningConfigFor(fake), { clock, log: silentLogger });
  registry.add({ spec: spec('lightning'), adapter, tiers: [] });
  const [bitcoin] = sandboxSpecs([bitcoinRail]);
  registry.add({ spec: bitcoin as MethodSpec, adapter: new SandboxMethod([bitcoinRail], clock), tiers: [] });
  return registry;
}
