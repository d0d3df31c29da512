// The smallest payment each method can really carry, in the method's base units. A deposit
// priced below it is refused (amount_too_small) instead of asking for a payment that the network
// would not relay or that cannot be expressed. A rail declares its own in its specs
// (MethodSpec.minimumUnits); the figures and sources:
// - bitcoin: 546 sat, Bitcoin Core's dust threshold for a P2PKH output at the default
//   dustRelayFee of 3 sat/vB (src/policy/policy.cpp GetDustThreshold; a P2WPKH output's is 294
//   sat): an output below its dust threshold is non-standard and not relayed. 546 covers every
//   standard output type a payer's wallet may use for change accounting.
// - lightning: 1 sat; BOLT11 amounts are in msat, but wallets and nodes round to whole sats and
//   many refuse sub-sat invoices.
// Without a declared minimum, a floor applies:
// - native coins: 0.000001 of the coin (10^12 wei) — a floor against amounts a wallet shows as 0.
// - tokens (ERC-20, TRC-20, SPL): 0.01 of the token — a cent for the stablecoins Coffer accepts.

import type { MethodSpec } from './methods.ts';
import { formatDecimal } from './money.ts';

export const BITCOIN_DUST_SATS = 546n;

type MinimumSpec = Pick<MethodSpec, 'minimumUnits' | 'unitScale' | 'contractAddress' | 'asset'>;

export function minimumUnits(spec: MinimumSpec): bigint {
  const whole = (digits: number) => 10n ** BigInt(Math.max(0, spec.unitScale - digits));
  if (spec.minimumUnits !== undefined) return spec.minimumUnits;
  return spec.contractAddress !== undefined ? whole(2) : whole(6);
}

/** "546 sats (0.00000546 BTC)", "0.01 USDC": the minimum as the customer reads it. */
export function minimumText(spec: MinimumSpec): string {
  const units = minimumUnits(spec);
  const asset = `${formatDecimal(units, spec.unitScale)} ${spec.asset}`;
  if (spec.asset === 'BTC') {
    const sats = units / 10n ** BigInt(Math.max(0, spec.unitScale - 8));
    return `${sats} sat${sats === 1n ? '' : 's'} (${asset})`;
  }
  return asset;
}
