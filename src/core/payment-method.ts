// The small interface every payment-method adapter implements (methods/<name>/). Adapters
// allocate payment targets and watch chains; they emit Observations and never touch storage or
// the ledger. What they need from storage reaches them through the ports below.

import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import type { MethodSpec } from './methods.ts';
import type { Observation, ObservationState } from './observation.ts';

export interface TargetRequest {
  readonly invoiceId: string;
  readonly method: MethodSpec;
  /** Price in the method's base units, or null for a flexible (any amount) invoice. */
  readonly priceUnits: bigint | null;
  readonly expiresAt: Date;
  /** Human text naming the deposit, e.g. for a BOLT11 description or BIP21 label. */
  readonly description: string;
  /**
   * A BOLT11 paying the same invoice, for a bitcoin target's BIP21 `lightning=` (unified QR), or
   * null when there is none. Still being made when the target is requested: the adapter awaits it
   * after its own allocation, so the two run side by side.
   */
  readonly lightningFallback?: Promise<string | null>;
}

export interface PaymentTarget {
  /** What watchers report as Observation.targetKey; unique per method (address, payment hash). */
  readonly targetKey: string;
  /** Shown as payment.address: an on-chain address, or the BOLT11 for lightning. */
  readonly address: string;
  /** BIP21, lightning: or EIP-681 URI. */
  readonly uri: string;
  readonly lightningInvoice?: string;
  /** Shown as payment.chain_id (Bitrefill's field) on rails whose network has one (EVM). */
  readonly chainId?: number;
  /** Where an HD-derived target came from, so an operator can find it in a wallet. */
  readonly walletId?: string;
  readonly derivationIndex?: number;
}

/** Hands out derivation indexes that are persistent and never reused (per wallet id). */
export interface IndexAllocator {
  next(walletId: string): Promise<number>;
}

export interface MethodHealth {
  readonly ok: boolean;
  readonly detail?: string;
  /** Chain height or cursor last processed, when the method has one (what it counts: the adapter's heightKind). */
  readonly height?: number;
  /**
   * The node's own tip, when the watcher knows it: `nodeHeight - height` is how far behind it is
   * (bitcoin and EVM: the node's best block; Solana: the slot at the configured commitment).
   */
  readonly nodeHeight?: number;
  readonly updatedAt?: Date;
}

export interface WatchedTarget {
  readonly methodId: string;
  readonly targetKey: string;
  readonly invoiceId: string;
  /** After this instant payments to the target are no longer looked for. */
  readonly watchUntil: Date;
}

/** A payment Coffer already knows that a watcher must keep re-checking (mempool, shallow, credited). */
export interface KnownPayment {
  readonly methodId: string;
  readonly paymentKey: string;
  readonly targetKey: string;
  readonly txid: string;
  readonly amountUnits: bigint;
  readonly state: ObservationState;
  readonly confirmations: number;
  readonly credited: boolean;
  readonly blockHash?: string;
  readonly blockHeight?: number;
}

export interface WatcherContext {
  readonly clock: Clock;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Applies observations durably through settlement; resolves after commit. Idempotent. */
  emit(observations: readonly Observation[]): Promise<void>;
  /** Targets to watch, incrementally: pass back the returned cursor to get only newer ones. */
  targets(after: number): Promise<{ readonly targets: readonly WatchedTarget[]; readonly cursor: number }>;
  /** Payments of these methods not yet final (seen, shallow, or credited within the reorg horizon). */
  knownPayments(methodIds: readonly string[]): Promise<readonly KnownPayment[]>;
  /** Durable key/value state for this watcher (last processed height, recent block hashes). */
  readonly state: {
    get(key: string): Promise<string | null>;
    set(key: string, value: string): Promise<void>;
  };
  /** Liveness for /readyz and metrics. */
  heartbeat(health: MethodHealth): void;
}

export interface Watcher {
  /** Resolves once the watcher has started (initial rescan may continue in the background). */
  start(): Promise<void>;
  /** Stops polling/streams; resolves when no emit is in flight. */
  stop(): Promise<void>;
}

/** `coffer rescan`: an adapter whose watcher follows a chain from a stored position. */
export interface RescanCapability {
  /**
   * Watcher state that makes the next watcher start rescan from `fromHeight`, with the node's tip
   * now. The caller stores it under the watcher's name.
   */
  rescanState(fromHeight: number): Promise<{ key: string; value: string; tipHeight: number }>;
  /** The height a stored state value says was fully processed (progress is read from the store). */
  stateHeight(value: string): number;
}

/** `coffer wallet status`: an adapter deriving targets from an HD wallet reports where it stands. */
export interface WalletStatusCapability {
  walletStatus(): {
    readonly walletId: string;
    readonly fingerprint: string;
    readonly highestIssuedIndex: number | null;
    readonly highestPaidIndex: number | null;
    readonly gapLimit: number;
  };
}

/** The sandbox: a simulated payment's natural key and txid, made from a 32-byte hex hash. */
export interface SimulateCapability {
  payment(spec: MethodSpec, targetKey: string, hash: string): { readonly paymentKey: string; readonly txid: string };
}

/** Optional capabilities, declared by the rail's adapter itself (never guessed from its shape). */
export interface MethodCapabilities {
  readonly rescan?: RescanCapability;
  readonly walletStatus?: WalletStatusCapability;
  readonly simulate?: SimulateCapability;
}

/**
 * What a method's health `height` counts: a chain's blocks, a chain's slots (Solana), or a cursor
 * of a method that follows no chain tip (Lightning's settle index: it has no nodeHeight, so
 * nothing to be behind).
 */
export type HeightKind = 'block' | 'slot' | 'cursor';

export interface PaymentMethodAdapter {
  /** The rail serving it (methods/<rail>/); its watcher's name and durable state are kept under it. */
  readonly rail: string;
  /** What its health's `height` counts; 'block' when absent. */
  readonly heightKind?: HeightKind;
  /** Method ids this adapter serves, e.g. ['usdc_base', 'eth_base']. */
  readonly methodIds: readonly string[];
  createTarget(request: TargetRequest, indexes: IndexAllocator): Promise<PaymentTarget>;
  /** Absent for methods with nothing to watch (sandbox payments arrive through the API). */
  createWatcher?(context: WatcherContext): Watcher;
  health(): MethodHealth;
  readonly capabilities?: MethodCapabilities;
  close?(): Promise<void>;
}
