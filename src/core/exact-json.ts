// A small strict JSON parser that keeps every number as its source text. JSON.parse turns
// 0.1 into a binary float, and an amount read through a float is no longer the amount that was
// sent (Node 20 has no JSON.parse source access), so request bodies and price sources are
// parsed here and number text is converted to exact decimals by the caller.
//
// Strictness matters more than speed: duplicate keys are refused (which of two prices would
// be "the" price?), nesting and size are bounded, and anything after the value is an error.

import { Limits } from './limits.ts';

/** A JSON number, kept exactly as the source wrote it, e.g. "67187.33" or "1.5e-05". */
export class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonArray | JsonObject;
export type JsonArray = readonly JsonValue[];
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.offset = offset;
  }
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function parseExactJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.pos !== text.length) throw new JsonSyntaxError('unexpected text after the JSON value', parser.pos);
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

  skipSpace(): void {
    const t = this.#text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  value(depth: number): JsonValue {
    if (depth > Limits.jsonDepthMax) throw new JsonSyntaxError('JSON nested too deeply', this.pos);
    const c = this.#text[this.pos];
    if (c === '{') return this.object(depth + 1);
    if (c === '[') return this.array(depth + 1);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, result] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.#text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return result;
      }
    }
    throw new JsonSyntaxError(c === undefined ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(c)}`, this.pos);
  }

  object(depth: number): JsonObject {
    this.pos++; // {
    const out: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>;
    this.skipSpace();
    if (this.#text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.#text[this.pos] !== '"') throw new JsonSyntaxError('expected a string key', this.pos);
      const keyAt = this.pos;
      const key = this.string();
      if (Object.hasOwn(out, key)) throw new JsonSyntaxError(`duplicate key ${JSON.stringify(key)}`, keyAt);
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

  array(depth: number): JsonArray {
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
      if (c < 0x20) throw new JsonSyntaxError('control character in string', this.pos);
      if (c === 0x5c) {
        out += t.slice(runStart, this.pos);
        out += this.escape();
        runStart = this.pos;
        continue;
      }
      this.pos++;
    }
    throw new JsonSyntaxError('unterminated string', this.pos);
  }

  escape(): string {
    const t = this.#text;
    const c = t[this.pos + 1];
    if (c === 'u') {
      const hex = t.slice(this.pos + 2, this.pos + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError('bad \\u escape', this.pos);
      this.pos += 6;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    const mapped = c === undefined ? undefined : ESCAPES[c];
    if (mapped === undefined) throw new JsonSyntaxError('bad escape', this.pos);
    this.pos += 2;
    return mapped;
  }

  number(): JsonNumber {
    NUMBER_RE.lastIndex = this.pos;
    const match = NUMBER_RE.exec(this.#text);
    if (match === null) throw new JsonSyntaxError('malformed number', this.pos);
    const text = match[0];
    if (text.length > Limits.jsonNumberCharsMax) throw new JsonSyntaxError('number too long', this.pos);
    this.pos += text.length;
    return new JsonNumber(text);
  }

  expect(char: string): void {
    if (this.#text[this.pos] !== char) throw new JsonSyntaxError(`expected ${JSON.stringify(char)}`, this.pos);
    this.pos++;
  }
}
