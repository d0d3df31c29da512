// What every use case is given: the store, time, logging, rates and the configured methods.

import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { RateProvider } from '../core/rate.ts';
import type { BalanceCurrency } from '../core/assets.ts';
import type { Store } from '../storage/store.ts';
import type { MethodRegistry } from './method-registry.ts';

export interface SettlementSettings {
  readonly invoiceExpiryMs: number;
  readonly monitoringWindowMs: number;
  /** Largest deposit accepted per currency, in minor units. */
  readonly depositMaxMinor: Readonly<Record<BalanceCurrency, bigint>>;
  /** Smallest deposit accepted per currency, in minor units. */
  readonly depositMinMinor: Readonly<Record<BalanceCurrency, bigint>>;
  readonly sandbox: boolean;
}

export interface Deps {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly rates: RateProvider;
  readonly methods: MethodRegistry;
  readonly settings: SettlementSettings;
}
