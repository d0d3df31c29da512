// What a payment method is, as data: its id (Bitrefill's name), the rail that serves it, the asset
// it moves, the scale of its base unit and its default confirmations. Which methods exist is not
// core's business: each rail (methods/<rail>/) declares its own, and one registry
// (methods/registry.ts) lists the rails. Anything specific to a network (EVM chain ids, Solana
// clusters, Tron's address form) belongs to its rail, not to this type.

import type { CryptoAsset } from './assets.ts';

/** A payment method id, e.g. 'bitcoin', 'usdc_base', 'usdc_solana' (the set is data, from the registry). */
export type MethodId = string;

/** How the website presents a token a method moves (rails with a token contract or mint). */
export interface TokenPresentation {
  /** What the token's on-chain identity is called: 'token contract', 'token mint'. */
  readonly term: string;
  /** Shown under it; `{asset}` and `{network}` are replaced by the invoice's. */
  readonly warning: string;
}

export interface MethodSpec {
  readonly id: MethodId;
  /** The rail (plugin, methods/<rail>/) serving it; also names its watcher and durable state. */
  readonly rail: string;
  /** How people read it: 'USDC (Base)'. */
  readonly label: string;
  readonly asset: CryptoAsset;
  /** Decimals of the base unit observations are counted in (sat 8, msat 11, wei 18, token 6). */
  readonly unitScale: number;
  /** Most decimals a price is quoted with (at most PRICE_PRECISION_MAX). */
  readonly pricePrecision: number;
  /** Confirmations before a payment is credited (at least 1; a settled lightning payment counts as 1). */
  readonly confirmations: number;
  /**
   * A payment is final the moment it is seen (a settled lightning invoice): there is no
   * "detected" stage, it counts as one confirmation, and amount tiers do not apply.
   */
  readonly settlesAtOnce?: boolean;
  readonly network: string;
  /**
   * Another method whose target is offered beside this one's, paying the same invoice in the same
   * asset: bitcoin names lightning (the BIP21 `lightning=` of a unified QR). Used when configured.
   */
  readonly companion?: MethodId;
  /** The token's on-chain identity (ERC-20/TRC-20 contract, SPL mint), shown as payment.contract_address. */
  readonly contractAddress?: string;
  /**
   * URI scheme of its payment links ('bitcoin', 'ethereum', 'solana'): the website opens only
   * these. Absent when the rail's QR carries a bare address (no URI standard wallets agree on).
   */
  readonly uriScheme?: string;
  readonly token?: TokenPresentation;
  /**
   * The smallest payment the network really carries, in base units (method-minimums.ts): a rail
   * declares it where its network has one (bitcoin's dust limit); otherwise a floor applies.
   */
  readonly minimumUnits?: bigint;
  /** Why that minimum, for the refusal's message: "the network's dust limit". */
  readonly minimumReason?: string;
}
