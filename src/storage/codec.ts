// Conversions between stored text and domain values. Amounts leave storage as bigint only
// after checking they are canonical integers.

const INTEGER_RE = /^-?(0|[1-9]\d*)$/;

export function toAmount(text: string | number | bigint): bigint {
  const value = typeof text === 'string' ? text : String(text);
  if (!INTEGER_RE.test(value)) throw new Error(`storage: not a canonical integer amount: ${value}`);
  return BigInt(value);
}

export function toAmountOrNull(text: string | null): bigint | null {
  return text === null ? null : toAmount(text);
}

export function fromAmount(value: bigint): string {
  return value.toString();
}

export function iso(date: Date): string {
  return date.toISOString();
}

export function toDate(text: string): Date {
  return new Date(text);
}

export function toDateOrNull(text: string | null): Date | null {
  return text === null ? null : new Date(text);
}
