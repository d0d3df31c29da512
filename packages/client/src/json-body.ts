// Writes request bodies. Amounts are emitted as JSON numbers with their exact decimal text
// (`"amount":20999999.99999999`), which is what a Bitrefill-style API expects, without ever
// holding them in a float. Everything else is an ordinary JSON value.

/** A decimal written verbatim as a JSON number. */
export class DecimalNumber {
  readonly text: string;
  constructor(text: string) {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text)) throw new RangeError(`not a JSON decimal: ${text}`);
    this.text = text;
  }
}

export type BodyValue = string | boolean | null | number | DecimalNumber | undefined;
export type Body = Readonly<Record<string, BodyValue>>;

/** Serialises a flat body; undefined fields are left out, numbers must be safe integers. */
export function writeBody(body: Body): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${writeValue(key, value)}`);
  }
  return `{${parts.join(',')}}`;
}

function writeValue(key: string, value: Exclude<BodyValue, undefined>): string {
  if (value instanceof DecimalNumber) return value.text;
  // Counts (confirmations) are plain integers; a fractional JS number here is a bug upstream.
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`${key} must be a safe integer`);
  return JSON.stringify(value);
}

/** A decimal text as a JSON number, after stripping redundant leading zeros ("007.5" → 7.5). */
export function decimalNumber(text: string): DecimalNumber {
  return new DecimalNumber(text.replace(/^0+(?=\d)/, ''));
}
