// Hot-path queries as fixed SQL text. A tagged template's strings array is unique per call site,
// so the text (with this dialect's placeholders) is built once per site and reused: no query
// builder runs per call, and each text is prepared once per connection (on PostgreSQL as a named
// prepared statement, database.ts). Only plain values may be interpolated; anything structural
// (a table, `for update`) belongs in the literal text.
//
// The texts run through the same Kysely instance as the query builder's queries (the store's or
// the transaction's), as Kysely's `CompiledQuery.raw`: one query path and one connection
// discipline whichever way a statement is written (on SQLite, sqlite-connections.ts).

import { CompiledQuery } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** A bound value; string arrays are for PostgreSQL array parameters (`= any(…)`, `unnest(…)`) only. */
export type SqlValue = string | number | bigint | null | readonly string[];

const texts = { sqlite: new WeakMap<TemplateStringsArray, string>(), postgres: new WeakMap<TemplateStringsArray, string>() };

/**
 * PostgreSQL statement names of the fixed texts (a text is a call site's constant, so there are
 * as many as there are call sites): the driver prepares each once per connection under its name
 * instead of having the server parse and plan it on every execution.
 */
const statementNames = new Map<string, string>();

function named(text: string): string {
  if (!statementNames.has(text)) statementNames.set(text, `coffer_${statementNames.size + 1}`);
  return text;
}

/** The name to prepare `text` under on PostgreSQL when it is one of SqlText's fixed texts; else undefined (run unnamed). */
export function preparedStatementName(text: string): string | undefined {
  return statementNames.get(text);
}

function textOf(dialect: 'sqlite' | 'postgres', strings: TemplateStringsArray): string {
  let text = texts[dialect].get(strings);
  if (text === undefined) {
    text = strings.reduce((out, part, i) => out + (i === 0 ? '' : dialect === 'postgres' ? `$${i}` : '?') + part, '');
    texts[dialect].set(strings, dialect === 'postgres' ? named(text) : text);
  }
  return text;
}

const numbered = new Map<string, string>();

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the texts are constants, so this is done once each). */
function numberedPlaceholders(text: string): string {
  let out = numbered.get(text);
  if (out === undefined) {
    let n = 0;
    out = named(text.replace(/\?/g, () => `$${++n}`));
    numbered.set(text, out);
  }
  return out;
}

export class SqlText {
  constructor(private readonly k: Kysely<Database>, readonly dialect: 'sqlite' | 'postgres') {}

  async rows<T>(strings: TemplateStringsArray, ...values: SqlValue[]): Promise<T[]> {
    return this.#run<T>(textOf(this.dialect, strings), values);
  }

  /**
   * `rows` for a statement text with `?` placeholders that is a module constant (composed once
   * from fixed parts, e.g. a column list shared by two statements), never text built from input.
   */
  async query<T>(text: string, values: SqlValue[]): Promise<T[]> {
    return this.#run<T>(this.dialect === 'postgres' ? numberedPlaceholders(text) : text, values);
  }

  async #run<T>(sql: string, values: SqlValue[]): Promise<T[]> {
    return (await this.k.executeQuery<T>(CompiledQuery.raw(sql, values))).rows;
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
