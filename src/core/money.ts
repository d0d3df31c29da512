// Exact decimal money. Every amount inside Coffer is a bigint count of the smallest unit of its
// asset; the scale (number of decimals) travels beside it. Nothing here uses a JS number for
// money: JSON numbers are read from their source text and written back as exact text.

import { CofferError } from './errors.ts';
import { Limits } from './limits.ts';

/** A decimal value with its scale, e.g. 1050n at scale 2 is 10.50. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

export const Rounding = { up: 'up', down: 'down' } as const;
export type Rounding = (typeof Rounding)[keyof typeof Rounding];

const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/;

export function pow10(exponent: number): bigint {
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 80) {
    throw new RangeError(`pow10: exponent out of range: ${exponent}`);
  }
  return 10n ** BigInt(exponent);
}

/**
 * Parses a plain non-negative decimal ("10", "10.5", "0.00012") into base units at `scale`.
 * Rejects signs, exponents, whitespace and more decimals than `scale` allows: excess precision
 * is an error, never a rounding.
 */
export function parseDecimal(text: string, scale: number, field = 'amount'): bigint {
  const match = DECIMAL_RE.exec(text);
  if (match === null || text.length > Limits.decimalTextCharsMax) {
    throw new CofferError('invalid_param', `${field} must be a plain decimal number like 10 or 10.50`, { field });
  }
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > scale) {
    throw new CofferError('invalid_param', `${field} has more than ${scale} decimal places`, { field });
  }
  return BigInt(whole) * pow10(scale) + BigInt(significant.padEnd(scale, '0') || '0');
}

/** Formats base units as the shortest exact decimal text ("10.5", "1000", "-0.01"). */
export function formatDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const base = pow10(scale);
  const whole = abs / base;
  const fraction = scale === 0 ? '' : (abs % base).toString().padStart(scale, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? '.' + fraction : ''}`;
}

/** Formats with exactly `scale` decimals ("10.50"), for people rather than machines. */
export function formatFixed(units: bigint, scale: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const base = pow10(scale);
  const fraction = scale === 0 ? '' : '.' + (abs % base).toString().padStart(scale, '0');
  return `${negative ? '-' : ''}${abs / base}${fraction}`;
}

/** Integer division with a named rounding; both operands non-negative. */
export function divide(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator <= 0n || numerator < 0n) throw new RangeError('divide: operands must be non-negative, denominator > 0');
  const quotient = numerator / denominator;
  if (rounding === Rounding.up && quotient * denominator !== numerator) return quotient + 1n;
  return quotient;
}

/** Changes the scale of an amount, rounding as named when precision is lost. */
export function rescale(units: bigint, fromScale: number, toScale: number, rounding: Rounding): bigint {
  if (toScale >= fromScale) return units * pow10(toScale - fromScale);
  return divide(units, pow10(fromScale - toScale), rounding);
}

/** Rounds base units at `scale` to a coarser `precision` (decimals kept), staying at `scale`. */
export function roundToPrecision(units: bigint, scale: number, precision: number, rounding: Rounding): bigint {
  if (precision >= scale) return units;
  const step = pow10(scale - precision);
  return divide(units, step, rounding) * step;
}
