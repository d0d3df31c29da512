// Writes response JSON with exact numbers. Amounts are produced from bigint base units as
// decimal text and emitted verbatim as JSON numbers (`JsonDecimal`), so 21000000.12345678 BTC
// is written exactly as that, never through a binary float.

const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export class JsonDecimal {
  readonly text: string;
  constructor(text: string) {
    if (!DECIMAL.test(text)) throw new RangeError(`not a JSON decimal: ${text}`);
    this.text = text;
  }
}

// Object keys are almost always plain identifiers; those need no escaping.
const PLAIN_KEY = /^[A-Za-z0-9_$-]*$/;

function key(name: string): string {
  return PLAIN_KEY.test(name) ? `"${name}"` : JSON.stringify(name);
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'number': return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean': return value ? 'true' : 'false';
    case 'undefined': case 'function': case 'symbol': return undefined;
    case 'bigint': return value.toString();
  }
  if (value === null) return 'null';
  if (value instanceof JsonDecimal) return value.text;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + (write(value[i]) ?? 'null');
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const name in record) {
    if (!Object.prototype.hasOwnProperty.call(record, name)) continue;
    const text = write(record[name]);
    if (text === undefined) continue;
    out += (out.length === 1 ? '' : ',') + key(name) + ':' + text;
  }
  return out + '}';
}

export function writeJson(value: unknown): string {
  return write(value) ?? 'null';
}
