// Writes response JSON with exact numbers. Amounts are produced from bigint base units as
// decimal text and emitted verbatim as JSON numbers (`JsonDecimal`), so 21000000.12345678 BTC
// is written exactly as that, never through a binary float.

export class JsonDecimal {
  readonly text: string;
  constructor(text: string) {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text)) throw new RangeError(`not a JSON decimal: ${text}`);
    this.text = text;
  }
}

function write(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'number': return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean': return value ? 'true' : 'false';
    case 'undefined': case 'function': case 'symbol': return undefined;
    case 'bigint': return value.toString();
  }
  if (value instanceof JsonDecimal) return value.text;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return '[' + value.map((item) => write(item) ?? 'null').join(',') + ']';
  let out = '{';
  let first = true;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const text = write(item);
    if (text === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + text;
    first = false;
  }
  return out + '}';
}

export function writeJson(value: unknown): string {
  return write(value) ?? 'null';
}
