// Hot-path queries as fixed SQL text. A tagged template's strings array is unique per call site,
// so the text (with this dialect's placeholders) is built once per site and reused: no query
// builder runs per call, and SQLite's statement cache always hits. Only plain values may be
// interpolated; anything structural (a table, `for update`) belongs in the literal text.

import { CompiledQuery } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export type SqlValue = string | number | bigint | null;

const texts = { sqlite: new WeakMap<TemplateStringsArray, string>(), postgres: new WeakMap<TemplateStringsArray, string>() };

function textOf(dialect: 'sqlite' | 'postgres', strings: TemplateStringsArray): string {
  let text = texts[dialect].get(strings);
  if (text === undefined) {
    text = strings.reduce((out, part, i) => out + (i === 0 ? '' : dialect === 'postgres' ? `$${i}` : '?') + part, '');
    texts[dialect].set(strings, text);
  }
  return text;
}

export class SqlText {
  constructor(private readonly k: Kysely<Database>, readonly dialect: 'sqlite' | 'postgres') {}

  async rows<T>(strings: TemplateStringsArray, ...values: SqlValue[]): Promise<T[]> {
    const result = await this.k.executeQuery<T>(CompiledQuery.raw(textOf(this.dialect, strings), values));
    return result.rows as T[];
  }

  async first<T>(strings: TemplateStringsArray, ...values: SqlValue[]): Promise<T | undefined> {
    return (await this.rows<T>(strings, ...values))[0];
  }

  /** Rows changed by an insert/update/delete (without `returning`). */
  async changed(strings: TemplateStringsArray, ...values: SqlValue[]): Promise<number> {
    const result = await this.k.executeQuery(CompiledQuery.raw(textOf(this.dialect, strings), values));
    return Number(result.numAffectedRows ?? 0n);
  }
}
