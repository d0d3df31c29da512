// Hot-path queries as fixed SQL text. A tagged template's strings array is unique per call site,
// so the text (with this dialect's placeholders) is built once per site and reused: no query
// builder runs per call, and each text is prepared once per connection. Only plain values may be
// interpolated; anything structural (a table, `for update`) belongs in the literal text.
//
// On SQLite the statements run directly on a better-sqlite3 handle, synchronously, without
// Kysely's per-query promise chain — on the connection that owns the current transaction, or,
// outside one, reads go to the writer while it is between transactions and to the read-only
// connection while it is in one (a WAL snapshot per statement, never the writer's uncommitted
// batch). Writes outside a transaction still go through Kysely, which serialises them with the
// writer's transactions.

import { CompiledQuery } from 'kysely';
import type { Kysely } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
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

const STATEMENT_CACHE_MAX = 500;
const statementCaches = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/** The prepared statement for `sql` on `handle`, prepared once (bounded cache per connection). */
export function preparedOn(handle: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let cache = statementCaches.get(handle);
  if (!cache) {
    cache = new Map();
    statementCaches.set(handle, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    if (cache.size >= STATEMENT_CACHE_MAX) cache.delete(cache.keys().next().value!);
    statement = handle.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/**
 * Where SQLite statements may run directly: `transaction` is the writer handle while this
 * SqlText belongs to a transaction that owns it. Otherwise reads run on the `writer` when it has
 * no transaction open (its page cache is warm; a synchronous read there sees only committed
 * rows), else on `reads`, the read-only connection, never inside the writer's open batch.
 */
export type DirectSqlite = { readonly transaction: BetterSqlite3.Database } | { readonly reads: BetterSqlite3.Database; readonly writer: BetterSqlite3.Database };

const READ_CACHE_MAX = 10_000;

/** Commits completed by each writer connection of this process, as database.ts reports them. */
const writerCommits = new WeakMap<BetterSqlite3.Database, number>();

/** Called by the writer connection's driver when a statement completed a commit (database.ts). */
export function noteWriterCommit(writer: BetterSqlite3.Database): void {
  writerCommits.set(writer, (writerCommits.get(writer) ?? 0) + 1);
}

/**
 * Tells whether another connection (this process's writer, another process, the CLI) may have
 * committed since the last check, by SQLite's documented `PRAGMA data_version` on the reading
 * connection (https://www.sqlite.org/pragma.html#pragma_data_version: it changes when another
 * connection commits). The pragma is run at most once per turn of the event loop (it takes file
 * locks: ~2 µs, the balance endpoint's dearest step when run per read); within a turn the answer
 * stands, so another process's commit shows from the next turn on. This process's own commits
 * are told at once by the writer (noteWriterCommit), not by this.
 */
export class CommitWatch {
  readonly #version: BetterSqlite3.Statement;
  #seenVersion: number | null = null;
  #checkedThisTurn = false;
  readonly #nextTurn = (): void => {
    this.#checkedThisTurn = false;
  };

  constructor(handle: BetterSqlite3.Database) {
    this.#version = handle.prepare('pragma data_version').pluck();
  }

  /** True when a commit may have happened since the previous check (always on the first). */
  changed(): boolean {
    if (this.#checkedThisTurn) return false;
    this.#checkedThisTurn = true;
    setImmediate(this.#nextTurn).unref();
    const version = this.#version.get() as number;
    if (version === this.#seenVersion) return false;
    this.#seenVersion = version;
    return true;
  }
}

/**
 * Results of repeated reads on one read-only connection, valid while nothing has committed since:
 * this process's writer reports its commits as they complete; other processes' commits are seen
 * through CommitWatch (from the next event-loop turn at the latest). The checks run before a miss
 * is computed, so a commit during the computation invalidates its result.
 */
class ReadCache {
  readonly #entries = new Map<string, unknown>();
  readonly #commits: CommitWatch;
  #seenWriterCommits = -1;

  constructor(handle: BetterSqlite3.Database, private readonly writer: BetterSqlite3.Database) {
    this.#commits = new CommitWatch(handle);
  }

  get(key: string): unknown {
    const writerCommitCount = writerCommits.get(this.writer) ?? 0;
    const otherCommitted = this.#commits.changed();
    if (writerCommitCount !== this.#seenWriterCommits || otherCommitted) {
      this.#seenWriterCommits = writerCommitCount;
      this.#entries.clear();
      return undefined;
    }
    return this.#entries.get(key);
  }

  set(key: string, value: unknown): void {
    if (this.#entries.size >= READ_CACHE_MAX) this.#entries.clear();
    this.#entries.set(key, value);
  }
}

const readCaches = new WeakMap<BetterSqlite3.Database, ReadCache>();

/** Drops the read cache of `handle`; call before closing the connection. */
export function forgetReadCache(handle: BetterSqlite3.Database): void {
  readCaches.delete(handle);
}

export class SqlText {
  #readCache: ReadCache | undefined;

  constructor(private readonly k: Kysely<Database>, readonly dialect: 'sqlite' | 'postgres', private readonly direct: DirectSqlite | null = null) {}

  /** The handle to run `sql` on directly, or null to go through Kysely. */
  #directFor(sql: string): BetterSqlite3.Statement | null {
    const direct = this.direct;
    if (direct === null) return null;
    if ('transaction' in direct) return preparedOn(direct.transaction, sql);
    const statement = preparedOn(direct.reads, sql);
    if (!statement.reader || !statement.readonly) return null;
    return direct.writer.inTransaction ? statement : preparedOn(direct.writer, sql);
  }

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
    const statement = this.#directFor(sql);
    if (statement) {
      if (statement.reader) return statement.all(values) as T[];
      statement.run(values);
      return [];
    }
    const result = await this.k.executeQuery<T>(CompiledQuery.raw(sql, values));
    return result.rows as T[];
  }

  /**
   * What `compute` (reads only) returns, remembered under `key` while the database is unchanged —
   * for reads outside a transaction on SQLite; elsewhere `compute` runs every time. The result is
   * shared between callers: it must not be modified.
   */
  async memo<R>(key: string, compute: () => Promise<R>): Promise<R> {
    const direct = this.direct;
    if (direct === null || !('reads' in direct)) return compute();
    let cache = this.#readCache;
    if (cache === undefined) {
      cache = readCaches.get(direct.reads) ?? new ReadCache(direct.reads, direct.writer);
      readCaches.set(direct.reads, cache);
      this.#readCache = cache;
    }
    const hit = cache.get(key);
    if (hit !== undefined) return hit as R;
    const value = await compute();
    cache.set(key, value);
    return value;
  }

  async first<T>(strings: TemplateStringsArray, ...values: SqlValue[]): Promise<T | undefined> {
    return (await this.rows<T>(strings, ...values))[0];
  }

  /** Rows changed by an insert/update/delete (without `returning`). */
  async changed(strings: TemplateStringsArray, ...values: SqlValue[]): Promise<number> {
    const sql = textOf(this.dialect, strings);
    const statement = this.#directFor(sql);
    if (statement && !statement.reader) return statement.run(values).changes;
    const result = await this.k.executeQuery(CompiledQuery.raw(sql, values));
    return Number(result.numAffectedRows ?? 0n);
  }
}
