// Converts a price as a source wrote it (a JSON number's text, or a decimal string such as
// Kraken's "30300.10000") into an exact Decimal, and refuses anything that is not a plausible
// price: zero, negative, NaN/Infinity, junk, or magnitudes no market quotes.

import type { Decimal } from '../core/money.ts';
import { pow10 } from '../core/money.ts';
import { RATE_SCALE_MAX } from '../core/rate.ts';
import { normalise } from './decimal-ops.ts';
import { RATE_NUMBER_CHARS_MAX, RATE_VALUE_MAX_INTEGER_DIGITS, RATE_VALUE_MIN_EXPONENT } from './limits.ts';

export class InvalidPriceError extends Error {
  override readonly name = 'InvalidPriceError';
}

// JSON's number grammar; strings carrying prices use the same grammar (no '+', no spaces).
const PRICE_RE = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses price text exactly. Digits beyond RATE_SCALE_MAX (18) decimals are cut (rounded
 * down): they only appear when a source prints a binary float in full, and 1e-18 is far below
 * any price difference that matters next to the 1e-12 minimum accepted below.
 */
export function parsePriceText(text: string): Decimal {
  if (text.length === 0 || text.length > RATE_NUMBER_CHARS_MAX) throw new InvalidPriceError('price text is empty or too long');
  const match = PRICE_RE.exec(text);
  if (match === null) throw new InvalidPriceError(`price is not a number: ${JSON.stringify(text.slice(0, 24))}`);
  const [, sign = '', whole = '0', fraction = '', exponentText = '0'] = match;
  if (exponentText.replace(/^[+-]?0*/, '').length > 3) throw new InvalidPriceError('price exponent out of range');
  // value = digits × 10^exponent, exactly.
  const digits = BigInt(whole + fraction);
  const exponent = Number.parseInt(exponentText, 10) - fraction.length;
  if (digits === 0n) throw new InvalidPriceError('price is zero');
  if (sign === '-') throw new InvalidPriceError('price is negative');
  const value = fromDigits(digits, exponent);
  assertPlausible(value);
  return value;
}

function fromDigits(digits: bigint, exponent: number): Decimal {
  if (exponent >= 0) {
    if (exponent > RATE_VALUE_MAX_INTEGER_DIGITS) throw new InvalidPriceError('price is absurdly large');
    return { units: digits * pow10(exponent), scale: 0 };
  }
  let units = digits;
  let scale = -exponent;
  if (scale > RATE_SCALE_MAX + RATE_NUMBER_CHARS_MAX) throw new InvalidPriceError('price is absurdly small');
  if (scale > RATE_SCALE_MAX) {
    units /= pow10(scale - RATE_SCALE_MAX);
    scale = RATE_SCALE_MAX;
  }
  return normalise({ units, scale });
}

function assertPlausible(value: Decimal): void {
  // Compare at scale 18: value >= 10^-12 and value < 10^12.
  const at18 = value.units * pow10(RATE_SCALE_MAX - value.scale);
  if (at18 < pow10(RATE_SCALE_MAX + RATE_VALUE_MIN_EXPONENT)) throw new InvalidPriceError('price is absurdly small');
  if (at18 >= pow10(RATE_SCALE_MAX + RATE_VALUE_MAX_INTEGER_DIGITS)) throw new InvalidPriceError('price is absurdly large');
}
