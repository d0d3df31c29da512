// The RateProvider the rest of Coffer uses. For one pair it:
//   1. serves a rate younger than the cache TTL without touching the network;
//   2. otherwise asks every source that quotes the pair, in parallel (each with its timeout),
//      with at most one refresh per pair in flight (concurrent callers share it);
//   3. drops outliers, takes the median, and needs `minSources` agreeing quotes;
//   4. for an altcoin against BTC that no quorum of sources quotes directly, derives
//      base/USD ÷ BTC/USD from the two aggregated USD rates (see docs/rates.md);
//   5. when all that fails, serves the last good rate while it is younger than `maxAgeMs`,
//      and otherwise throws CofferError('rate_unavailable'). It never guesses, never returns 0.
// After a failed refresh the pair is not fetched again for `failureBackoffMs`, so an outage
// under load does not turn every invoice request into outbound requests.

import type { BalanceCurrency, CryptoAsset } from '../core/assets.ts';
import { isBalanceCurrency, isCryptoAsset } from '../core/assets.ts';
import type { Clock } from '../core/clock.ts';
import { CofferError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { divide, pow10, Rounding } from '../core/money.ts';
import type { Rate, RateProvider } from '../core/rate.ts';
import { identityRate, RATE_SCALE_MAX, rateText } from '../core/rate.ts';
import { aggregateQuotes } from './aggregate-quotes.ts';
import type { SourceQuote } from './aggregate-quotes.ts';
import { atScale, normalise } from './decimal-ops.ts';
import { RATE_FAILURE_BACKOFF_MS } from './limits.ts';
import { pairKey } from './rate-source.ts';
import type { PairKey, RateSource } from './rate-source.ts';

export interface RateAggregatorOptions {
  readonly sources: readonly RateSource[];
  readonly minSources: number;
  /** Outlier tolerance in hundredths of a percent of the median (200n = 2%). */
  readonly outlierBasisPoints: bigint;
  /** A rate younger than this is served from memory. */
  readonly cacheTtlMs: number;
  /** The last good rate is served, when sources fail, until it is this old. */
  readonly maxAgeMs: number;
  readonly failureBackoffMs?: number;
}

export interface RateAggregatorDeps {
  readonly clock: Clock;
  readonly log: Logger;
}

export class RateAggregator implements RateProvider {
  readonly #options: RateAggregatorOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #lastGood = new Map<PairKey, Rate>();
  readonly #failedAtMs = new Map<PairKey, number>();
  readonly #inflight = new Map<PairKey, Promise<Rate>>();
  readonly #closing = new AbortController();

  constructor(options: RateAggregatorOptions, deps: RateAggregatorDeps) {
    if (options.sources.length === 0) throw new RangeError('RateAggregator: no sources');
    if (!Number.isInteger(options.minSources) || options.minSources < 1) throw new RangeError('RateAggregator: minSources must be >= 1');
    if (options.cacheTtlMs > options.maxAgeMs) throw new RangeError('RateAggregator: cache TTL longer than max age');
    this.#options = options;
    this.#clock = deps.clock;
    this.#log = deps.log.child({ component: 'rates' });
  }

  async rate(base: CryptoAsset, quote: BalanceCurrency): Promise<Rate> {
    if (!isCryptoAsset(base) || !isBalanceCurrency(quote)) {
      throw new CofferError('invalid_currency', 'Unknown currency pair', { base: String(base), quote: String(quote) });
    }
    if (base === 'BTC' && quote === 'BTC') return identityRate(this.#clock.now());
    const key = pairKey(base, quote);
    const nowMs = this.#nowMs();
    const cached = this.#lastGood.get(key);
    if (cached !== undefined && ageMs(cached, nowMs) < this.#options.cacheTtlMs) return cached;
    const pending = this.#inflight.get(key);
    if (pending !== undefined) return pending;
    const failedAtMs = this.#failedAtMs.get(key);
    const backoffMs = this.#options.failureBackoffMs ?? RATE_FAILURE_BACKOFF_MS;
    if (failedAtMs !== undefined && nowMs >= failedAtMs && nowMs - failedAtMs < backoffMs) return this.#fallback(base, quote, false);
    const refresh = this.#refresh(base, quote).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, refresh);
    return refresh;
  }

  /** The last good rate of every pair asked for so far, for health pages and metrics. */
  snapshot(): readonly Rate[] {
    return [...this.#lastGood.values()];
  }

  /** Cancels requests in flight; later calls still answer from cache or fail cleanly. */
  close(): void {
    this.#closing.abort();
  }

  async #refresh(base: CryptoAsset, quote: BalanceCurrency): Promise<Rate> {
    const key = pairKey(base, quote);
    const fresh = (await this.#fetchDirect(base, quote)) ?? (quote === 'BTC' ? await this.#deriveViaUsd(base) : null);
    if (fresh !== null) {
      this.#lastGood.set(key, fresh);
      this.#failedAtMs.delete(key);
      return fresh;
    }
    this.#failedAtMs.set(key, this.#nowMs());
    return this.#fallback(base, quote, true);
  }

  async #fetchDirect(base: CryptoAsset, quote: BalanceCurrency): Promise<Rate | null> {
    const pair = pairKey(base, quote);
    const candidates = this.#options.sources.filter((source) => source.supports(base, quote));
    if (candidates.length === 0) return null;
    const signal = this.#closing.signal;
    const settled = await Promise.allSettled(candidates.map((source) => Promise.resolve().then(() => source.fetchPrice(base, quote, signal))));
    const quotes: SourceQuote[] = [];
    settled.forEach((outcome, i) => {
      const source = (candidates[i] as RateSource).name;
      if (outcome.status === 'fulfilled') quotes.push({ source, value: outcome.value });
      else this.#log.warn({ pair, source, reason: reasonOf(outcome.reason) }, 'rate source gave no price');
    });
    const result = aggregateQuotes(quotes, this.#options);
    if (!result.ok) {
      this.#log.warn({ pair, reason: result.reason, dropped: result.dropped }, 'no rate from sources');
      return null;
    }
    if (result.dropped.length > 0) this.#log.warn({ pair, dropped: result.dropped }, 'outlier quotes dropped');
    const rate: Rate = { base, quote, value: result.value, sources: result.sources, at: this.#clock.now() };
    this.#log.debug({ pair, rate: rateText(rate.value), sources: rate.sources }, 'rate refreshed');
    return rate;
  }

  /**
   * base/BTC = (base/USD) ÷ (BTC/USD), each an aggregated rate with its own quorum. The
   * quotient is cut (rounded down) to RATE_SCALE_MAX decimals; its `at` is the older input's,
   * and its sources name both legs ("kraken:USDC/USD", "kraken:BTC/USD", ...).
   */
  async #deriveViaUsd(base: CryptoAsset): Promise<Rate | null> {
    if (base === 'BTC') return null;
    try {
      const [leg, btc] = await Promise.all([this.rate(base, 'USD'), this.rate('BTC', 'USD')]);
      const scale = Math.max(leg.value.scale, btc.value.scale);
      const units = divide(atScale(leg.value, scale) * pow10(RATE_SCALE_MAX), atScale(btc.value, scale), Rounding.down);
      if (units <= 0n) return null;
      const sources = [...leg.sources.map((s) => `${s}:${base}/USD`), ...btc.sources.map((s) => `${s}:BTC/USD`)];
      const at = leg.at.getTime() < btc.at.getTime() ? leg.at : btc.at;
      this.#log.info({ pair: `${base}/BTC` }, 'rate derived via USD');
      return { base, quote: 'BTC', value: normalise({ units, scale: RATE_SCALE_MAX }), sources, at };
    } catch (error) {
      this.#log.warn({ pair: `${base}/BTC`, reason: reasonOf(error) }, 'cross rate via USD unavailable');
      return null;
    }
  }

  /** `logIt` is false inside the backoff window, so an outage under load logs once per refresh. */
  #fallback(base: CryptoAsset, quote: BalanceCurrency, logIt: boolean): Rate {
    const cached = this.#lastGood.get(pairKey(base, quote));
    const nowMs = this.#nowMs();
    if (cached !== undefined && ageMs(cached, nowMs) <= this.#options.maxAgeMs) {
      if (logIt) this.#log.warn({ pair: pairKey(base, quote), ageSeconds: Math.floor(ageMs(cached, nowMs) / 1000) }, 'serving last good rate');
      return cached;
    }
    throw new CofferError('rate_unavailable', `No current ${base}/${quote} exchange rate is available; try again shortly`, { base, quote });
  }

  #nowMs(): number {
    return this.#clock.now().getTime();
  }
}

function ageMs(rate: Rate, nowMs: number): number {
  return nowMs - rate.at.getTime();
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : String(error).slice(0, 200);
}
