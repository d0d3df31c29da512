// Turns the quotes that arrived for one pair into one rate: the median after dropping quotes
// that sit too far from the median. All arithmetic is exact (bigint at a common scale).

import type { Decimal } from '../core/money.ts';
import { RATE_SCALE_MAX } from '../core/rate.ts';
import { atScale, normalise } from './decimal-ops.ts';
import { RATE_OUTLIER_QUOTES_MIN } from './limits.ts';

export interface SourceQuote {
  readonly source: string;
  readonly value: Decimal;
}

export interface AggregatePolicy {
  /** Quotes that must remain after the outlier cut. */
  readonly minSources: number;
  /** Largest distance from the median a quote may have, in hundredths of a percent (200n = 2%). */
  readonly outlierBasisPoints: bigint;
}

export type AggregateResult =
  | { readonly ok: true; readonly value: Decimal; readonly sources: readonly string[]; readonly dropped: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly dropped: readonly string[] };

/**
 * - Fewer quotes than `minSources`: no rate.
 * - Three or more quotes: each quote further than the tolerance from the median of all quotes
 *   is dropped; the rate is the median of the rest, if at least `minSources` remain.
 * - One or two quotes: nothing can be cut (with two, which one is wrong?). Two quotes that
 *   disagree beyond the tolerance give no rate rather than their midpoint, which would be a
 *   guess; two that agree give their midpoint.
 */
export function aggregateQuotes(quotes: readonly SourceQuote[], policy: AggregatePolicy): AggregateResult {
  if (quotes.length === 0 || quotes.length < policy.minSources) {
    return { ok: false, reason: `${quotes.length} source(s) answered, ${policy.minSources} required`, dropped: [] };
  }
  const median = medianOf(quotes.map((q) => q.value));
  const far = quotes.filter((q) => !withinTolerance(q.value, median, policy.outlierBasisPoints));
  if (quotes.length < RATE_OUTLIER_QUOTES_MIN) {
    if (far.length > 0) return { ok: false, reason: 'the only two quotes disagree beyond the outlier tolerance', dropped: [] };
    return { ok: true, value: median, sources: quotes.map((q) => q.source), dropped: [] };
  }
  const kept = quotes.filter((q) => !far.includes(q));
  const dropped = far.map((q) => q.source);
  if (kept.length === 0 || kept.length < policy.minSources) {
    return { ok: false, reason: `${kept.length} quote(s) agree after dropping outliers, ${policy.minSources} required`, dropped };
  }
  return { ok: true, value: medianOf(kept.map((q) => q.value)), sources: kept.map((q) => q.source), dropped };
}

/** |value - median| <= median × bp / 10000, compared exactly. */
export function withinTolerance(value: Decimal, median: Decimal, basisPoints: bigint): boolean {
  const scale = Math.max(value.scale, median.scale);
  const v = atScale(value, scale);
  const m = atScale(median, scale);
  const distance = v > m ? v - m : m - v;
  return distance * 10_000n <= m * basisPoints;
}

/** The exact median; for an even count the midpoint, which needs at most one more decimal. */
export function medianOf(values: readonly Decimal[]): Decimal {
  if (values.length === 0) throw new RangeError('medianOf: no values');
  const scale = Math.max(...values.map((v) => v.scale));
  const sorted = values.map((v) => atScale(v, scale)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as bigint;
  if (sorted.length % 2 === 1) return normalise({ units: upper, scale });
  const sum = (sorted[mid - 1] as bigint) + upper;
  if (sum % 2n === 0n) return normalise({ units: sum / 2n, scale });
  // sum/2 = sum×5/10: exact one decimal further, unless that passes the stored maximum, where
  // the last 5 at 1e-19 is cut (a rate keeps at most RATE_SCALE_MAX decimals).
  if (scale < RATE_SCALE_MAX) return normalise({ units: sum * 5n, scale: scale + 1 });
  return normalise({ units: sum / 2n, scale });
}
