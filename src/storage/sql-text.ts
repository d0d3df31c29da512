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
import { closeSync, openSync, readSync } from 'node:fs';

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

const WAL_INDEX_HEADER_BYTES = 48;

/**
 * Tells whether any connection (this process's writer, another process) may have committed since
 * the last call — the way SQLite itself tells (walIndexTryHdr): every commit to a WAL database
 * rewrites the wal-index header at the start of the `-shm` file (its change counter, last frame
 * and salts; https://www.sqlite.org/walformat.html), and a reader compares it with the copy it
 * holds. Reading those 48 bytes is one `pread`, with none of the file locks `PRAGMA data_version`
 * takes (1.6–1.9 µs here, more under load — the balance endpoint's dearest step). A commit writes
 * the header before it returns, so one that completed before the read is always seen; a read torn
 * by a concurrent commit can only report a change that is not complete yet (harmless: the caller
 * then reads the database itself). Where there is no `-shm` file to read, it falls back to
 * `PRAGMA data_version`.
 */
export class CommitWatch {
  readonly #fd: number | null;
  readonly #version: BetterSqlite3.Statement;
  readonly #seen = Buffer.alloc(WAL_INDEX_HEADER_BYTES);
  readonly #now = Buffer.alloc(WAL_INDEX_HEADER_BYTES);
  #seenAny = false;
  #seenVersion: number | null = null;

  constructor(handle: BetterSqlite3.Database) {
    this.#version = handle.prepare('pragma data_version').pluck();
    let fd: number | null = null;
    try {
      if (handle.pragma('journal_mode', { simple: true }) === 'wal') fd = openSync(`${handle.name}-shm`, 'r');
    } catch {
      fd = null;
    }
    this.#fd = fd;
  }

  /** Whether commits are told by the wal-index header (else by `PRAGMA data_version`). */
  get readsWalIndex(): boolean {
    return this.#fd !== null;
  }

  /** True when a commit may have happened since the previous call (always on the first). */
  changed(): boolean {
    if (this.#fd !== null && readSync(this.#fd, this.#now, 0, WAL_INDEX_HEADER_BYTES, 0) === WAL_INDEX_HEADER_BYTES) {
      if (this.#seenAny && this.#now.equals(this.#seen)) return false;
      this.#now.copy(this.#seen);
      this.#seenAny = true;
      return true;
    }
    const version = this.#version.get() as number;
    if (version === this.#seenVersion) return false;
    this.#seenVersion = version;
    return true;
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
  }
}

/**
 * Results of repeated reads on one read-only connection, valid while no connection (this
 * process's writer, another process) has committed since (CommitWatch). So a hit is exactly what
 * the reads would return now. The watch is consulted before a miss is computed, so a commit during
 * the computation invalidates its result.
 */
class ReadCache {
  readonly #entries = new Map<string, unknown>();
  readonly #commits: CommitWatch;

  constructor(handle: BetterSqlite3.Database) {
    this.#commits = new CommitWatch(handle);
  }

  close(): void {
    this.#commits.close();
  }

  get(key: string): unknown {
    if (this.#commits.changed()) {
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

/** Drops the read cache of `handle` (and the file it watches); call before closing the connection. */
export function forgetReadCache(handle: BetterSqlite3.Database): void {
  readCaches.get(handle)?.close();
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
      cache = readCaches.get(direct.reads) ?? new ReadCache(direct.reads);
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
