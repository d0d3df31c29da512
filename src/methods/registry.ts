// The payment rails Coffer knows: one line per rail. Each rail is a folder under methods/ whose
// plugin.ts exports its RailPlugin (plugin.ts says what that is). The composition root, the
// sandbox, the website's method names and the docs' method table (docs/methods.md, checked by
// test/methods-registry.test.ts) all read this list.

import type { MethodSpec } from '../core/methods.ts';
import { bitcoinRail } from './bitcoin/plugin.ts';
import { evmRail } from './evm/plugin.ts';
import { lightningRail } from './lightning/plugin.ts';
import type { RailPlugin } from './plugin.ts';
import { solanaRail } from './solana/plugin.ts';
import { tronRail } from './tron/plugin.ts';

export const Rails: readonly RailPlugin[] = [
  bitcoinRail,
  lightningRail,
  evmRail,
  solanaRail,
  tronRail,
];

/** Every method id the rails declare, with its default spec, in registry order. */
export const KnownMethodSpecs: readonly MethodSpec[] = Rails.flatMap((r) => r.methods);
