// Exact comparisons of Decimals with different scales, and one canonical form for equal values.

import type { Decimal } from '../core/money.ts';
import { pow10 } from '../core/money.ts';

/** The value's units at a larger (or equal) scale. */
export function atScale(value: Decimal, scale: number): bigint {
  return value.units * pow10(scale - value.scale);
}

/** Strips trailing zero decimals so equal values have one representation (10.50 → 10.5). */
export function normalise(value: Decimal): Decimal {
  let { units, scale } = value;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale--;
  }
  return { units, scale };
}
