// A strict JSON parser that keeps every number as its source text. `JSON.parse` turns an amount
// into a binary float, and 90071992547409.93 read through a float is 90071992547409.94: the
// client must never report a balance the server did not send. The server writes amounts as
// exact JSON numbers, so the client reads them exactly here. (The server has its own copy of
// this parser; the client repeats it because it has no dependencies, on Coffer or otherwise.)

import { ClientLimits } from './limits.ts';

/** A JSON number exactly as the source wrote it, e.g. "20999999.99999999". */
export class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type JsonValue = null | boolean | string | JsonNumber | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const WORDS = [['true', true], ['false', false], ['null', null]] as const;

export function parseExactJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.pos !== text.length) throw new JsonSyntaxError(`unexpected text after the JSON value at offset ${parser.pos}`);
  return value;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

class Parser {
  pos = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  fail(message: string): never {
    throw new JsonSyntaxError(`${message} at offset ${this.pos}`);
  }

  skipSpace(): void {
    const t = this.#text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  value(depth: number): JsonValue {
    if (depth > ClientLimits.jsonDepthMax) this.fail('JSON nested too deeply');
    const c = this.#text[this.pos];
    if (c === '{') return this.object(depth + 1);
    if (c === '[') return this.array(depth + 1);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, result] of WORDS) {
      if (this.#text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return result;
      }
    }
    return this.fail(c === undefined ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(c)}`);
  }

  object(depth: number): JsonObject {
    this.pos++; // {
    // A null-prototype object: a key named "__proto__" is data, not a prototype change.
    const out = Object.create(null) as Record<string, JsonValue>;
    this.skipSpace();
    if (this.#text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.#text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      // Two values for one key leave the meaning ambiguous (which balance is the balance?).
      if (Object.hasOwn(out, key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      out[key] = this.value(depth);
      this.skipSpace();
      if (this.#text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}');
      return out;
    }
  }

  array(depth: number): JsonValue[] {
    this.pos++; // [
    const out: JsonValue[] = [];
    this.skipSpace();
    if (this.#text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value(depth));
      this.skipSpace();
      if (this.#text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']');
      return out;
    }
  }

  string(): string {
    const t = this.#text;
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x5c) {
        out += t.slice(runStart, this.pos) + this.escape();
        runStart = this.pos;
        continue;
      }
      this.pos++;
    }
    return this.fail('unterminated string');
  }

  escape(): string {
    const t = this.#text;
    const c = t[this.pos + 1];
    if (c === 'u') {
      const hex = t.slice(this.pos + 2, this.pos + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
      this.pos += 6;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    const mapped = c === undefined ? undefined : ESCAPES[c];
    if (mapped === undefined) this.fail('bad escape');
    this.pos += 2;
    return mapped;
  }

  number(): JsonNumber {
    NUMBER_RE.lastIndex = this.pos;
    const match = NUMBER_RE.exec(this.#text);
    if (match === null) this.fail('malformed number');
    const text = match[0];
    if (text.length > ClientLimits.jsonNumberCharsMax) this.fail('number too long');
    this.pos += text.length;
    return new JsonNumber(text);
  }

  expect(char: string): void {
    if (this.#text[this.pos] !== char) this.fail(`expected ${JSON.stringify(char)}`);
    this.pos++;
  }
}
