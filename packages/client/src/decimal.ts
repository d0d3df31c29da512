// Exact money for callers. Amounts go in as decimal strings ("10.50") or as bigint base units
// with their scale ({ units: 1050n, scale: 2 }); they come out as decimal strings. No amount
// ever passes through a JS number, so nothing is rounded behind the caller's back.

import { CofferInputError } from './errors.ts';
import { ClientLimits } from './limits.ts';

/** An input amount: a plain decimal string, or base units with their scale (1050n at scale 2 = 10.50). */
export type Amount = string | { readonly units: bigint; readonly scale: number };

/** Decimals of each balance currency (USD/EUR cents, BTC satoshi). */
export const CurrencyScale = { USD: 2, EUR: 2, BTC: 8 } as const;

const PLAIN_RE = /^(\d+)(?:\.(\d+))?$/;
const SIGNED_RE = /^(-?)(\d+)(?:\.(\d+))?$/;
const JSON_NUMBER_RE = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const SCALE_MAX = 36;
const EXPONENT_MAX = 100;

/** The decimal text of an input amount, validated: non-negative, plain, bounded. */
export function amountText(amount: Amount, field = 'amount'): string {
  if (typeof amount === 'string') {
    if (amount.length > ClientLimits.amountCharsMax || !PLAIN_RE.test(amount)) {
      throw new CofferInputError(`${field} must be a plain decimal string like "10" or "10.50"`, field);
    }
    return amount;
  }
  if (typeof amount === 'object' && amount !== null && typeof amount.units === 'bigint') {
    if (amount.units < 0n) throw new CofferInputError(`${field} must not be negative`, field);
    return formatUnits(amount.units, checkScale(amount.scale, field));
  }
  // A JS number would already have been rounded by the time it got here; refuse it loudly.
  throw new CofferInputError(`${field} must be a decimal string ("10.50") or { units: bigint, scale }, never a JS number`, field);
}

/** Base units of a decimal text at `scale`, exactly; more decimals than `scale` is an error, not a rounding. */
export function toUnits(text: string, scale: number): bigint {
  checkScale(scale, 'scale');
  const match = SIGNED_RE.exec(text);
  if (match === null || text.length > ClientLimits.amountCharsMax + 1) throw new CofferInputError(`not a plain decimal: ${JSON.stringify(text)}`);
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > scale) throw new CofferInputError(`${text} has more than ${scale} decimal places`);
  const units = BigInt(match[2]!) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0');
  return match[1] === '-' ? -units : units;
}

/** The shortest exact decimal text of base units ("10.5", "1000", "-0.01"). */
export function formatUnits(units: bigint, scale: number): string {
  checkScale(scale, 'scale');
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const base = 10n ** BigInt(scale);
  const fraction = scale === 0 ? '' : (abs % base).toString().padStart(scale, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / base}${fraction ? `.${fraction}` : ''}`;
}

/**
 * A JSON number's text as a plain decimal string. Coffer writes plain decimals, which pass
 * through unchanged; exponent forms (1.5e-7) are expanded exactly rather than read as floats.
 */
export function plainDecimal(jsonNumberText: string): string {
  const match = JSON_NUMBER_RE.exec(jsonNumberText);
  if (match === null) throw new RangeError(`not a JSON number: ${jsonNumberText}`);
  if (match[4] === undefined) return jsonNumberText;
  const exponent = Number(match[4]);
  if (Math.abs(exponent) > EXPONENT_MAX) throw new RangeError(`exponent out of range: ${jsonNumberText}`);
  const whole = match[2]!;
  const digits = whole + (match[3] ?? '');
  const point = whole.length + exponent;
  const padded = point <= 0 ? '0'.repeat(1 - point) + digits : digits.padEnd(point, '0');
  const at = Math.max(point, 1);
  const intPart = padded.slice(0, at).replace(/^0+(?=\d)/, '');
  const fracPart = padded.slice(at).replace(/0+$/, '');
  const text = fracPart ? `${intPart}.${fracPart}` : intPart;
  return match[1] === '-' && /[1-9]/.test(text) ? `-${text}` : text;
}

function checkScale(scale: number, field: string): number {
  if (!Number.isInteger(scale) || scale < 0 || scale > SCALE_MAX) throw new CofferInputError(`${field}: scale must be an integer from 0 to ${SCALE_MAX}`, field);
  return scale;
}
