// Opens the database: SQLite (better-sqlite3, WAL) by default, PostgreSQL when a URL is given.
// Dialect differences are expressed as small capability flags, nothing more.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { DatabaseConnection, Driver } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrations/index.ts';
import type { MigrationDialect } from './migrations/index.ts';

export type Dialect = MigrationDialect;

export interface DatabaseOptions {
  /** postgres://… to use PostgreSQL; otherwise SQLite at `sqlitePath`. */
  readonly databaseUrl?: string | undefined;
  readonly sqlitePath?: string;
  /** PostgreSQL pool size. */
  readonly poolSize?: number;
  /** PostgreSQL schema to use (tests isolate runs in their own schema). */
  readonly schema?: string;
}

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Row locks (`select … for update`) exist; SQLite instead serialises every write transaction. */
  readonly rowLocks: boolean;
  /** The raw SQLite handle, for the few hot reads that skip the query builder. */
  readonly sqlite: BetterSqlite3.Database | null;
  close(): Promise<void>;
}

const SQLITE_BUSY_TIMEOUT_MS = 5000;
const SQLITE_CHECKPOINT_INTERVAL_MS = 1000;

/** SQLite's deferred BEGIN can deadlock two writers upgrading their locks; take the write lock up front. */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

const STATEMENT_CACHE_MAX = 500;

/**
 * Kysely prepares every query it runs; with a bounded cache of prepared statements keyed by SQL
 * text, a hot query is parsed by SQLite once instead of on every call.
 */
function cachingStatements(handle: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = handle.prepare.bind(handle);
  return new Proxy(handle, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver);
      return (sql: string) => {
        let statement = cache.get(sql);
        if (!statement) {
          if (cache.size >= STATEMENT_CACHE_MAX) cache.delete(cache.keys().next().value!);
          statement = prepare(sql);
          cache.set(sql, statement);
        }
        return statement;
      };
    },
  });
}

function openSqlite(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const handle = new BetterSqlite3(path);
  handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = NORMAL');
  handle.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  handle.pragma('foreign_keys = ON');
  // A 16 MiB page cache: hot indexes stay in memory while the process stays small.
  handle.pragma('cache_size = -16384');
  handle.pragma('temp_store = MEMORY');
  // Checkpoints (which fsync) run on a timer instead of inside whichever commit crosses the
  // auto-checkpoint threshold, so no single request pays for them.
  handle.pragma('wal_autocheckpoint = 0');
  const checkpoints = setInterval(() => {
    try { handle.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next tick retries */ }
  }, SQLITE_CHECKPOINT_INTERVAL_MS);
  checkpoints.unref();
  const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: cachingStatements(handle) }) });
  const close = async () => {
    clearInterval(checkpoints);
    if (handle.open) {
      try { handle.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* another process holds the database */ }
    }
    await kysely.destroy();
  };
  return { kysely, dialect: 'sqlite', rowLocks: false, sqlite: handle, close };
}

function openPostgres(url: string, poolSize: number, schema: string | undefined): Db {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => {
      // int8 (sequences) fit a JS number for any realistic row count; NUMERIC stays a string.
      if (oid === 20) return (value: string) => Number(value);
      return pg.types.getTypeParser(oid, format as 'text');
    },
  };
  const pool = new pg.Pool({
    connectionString: url, max: poolSize, types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, dialect: 'postgres', rowLocks: true, sqlite: null, close: () => kysely.destroy() };
}

export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  const db = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options.schema)
    : openSqlite(options.sqlitePath ?? './data/coffer.db');
  return db;
}

export async function migrate(db: Db): Promise<string[]> {
  return migrateToLatest(db.kysely as unknown as Kysely<unknown>, db.dialect);
}

const RETRYABLE_PG = new Set(['40001', '40P01']);
const TRANSACTION_ATTEMPTS_MAX = 5;

function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && (RETRYABLE_PG.has(code) || code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT'));
}

const GROUP_COMMIT_UNITS_MAX = 64;

interface Unit {
  readonly work: (trx: Kysely<Database>) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for SQLite. SQLite has one writer and a commit is its dearest step, so
 * transactions that arrive while one is running are run together: one `begin immediate`, each
 * unit inside its own savepoint (a failing unit rolls back alone), one commit. Every caller is
 * answered only after the shared commit, so nothing is acknowledged before it is durable.
 */
class SqliteGroupCommit {
  readonly #queue: Unit[] = [];
  #draining = false;

  constructor(private readonly kysely: Kysely<Database>) {}

  run<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) await this.#runBatch(this.#queue.splice(0, GROUP_COMMIT_UNITS_MAX));
    } finally {
      this.#draining = false;
    }
  }

  async #runBatch(batch: readonly Unit[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const outcomes: Array<{ ok: boolean; value: unknown }> = [];
      let trx: Awaited<ReturnType<ReturnType<Kysely<Database>['startTransaction']>['execute']>> | null = null;
      try {
        trx = await this.kysely.startTransaction().execute();
        for (const unit of batch) {
          const savepoint = await trx.savepoint('unit').execute();
          try {
            const value = await unit.work(savepoint);
            await savepoint.releaseSavepoint('unit').execute();
            outcomes.push({ ok: true, value });
          } catch (error) {
            await savepoint.rollbackToSavepoint('unit').execute();
            outcomes.push({ ok: false, value: error });
          }
        }
        await trx.commit().execute();
      } catch (error) {
        if (trx) await trx.rollback().execute().catch(() => {});
        if (attempt < TRANSACTION_ATTEMPTS_MAX && isRetryable(error)) {
          await new Promise((resolve) => setTimeout(resolve, 5 * attempt * attempt));
          continue;
        }
        for (const unit of batch) unit.reject(error);
        return;
      }
      outcomes.forEach((outcome, i) => (outcome.ok ? batch[i]!.resolve(outcome.value) : batch[i]!.reject(outcome.value)));
      return;
    }
  }
}

const groupCommits = new WeakMap<Db, SqliteGroupCommit>();

/** Runs `work` in one transaction, retrying on serialization failures and deadlocks (bounded). */
export async function inTransaction<T>(db: Db, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.dialect === 'sqlite') {
    let group = groupCommits.get(db);
    if (!group) {
      group = new SqliteGroupCommit(db.kysely);
      groupCommits.set(db, group);
    }
    return group.run(work);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.kysely.transaction().execute(work);
    } catch (error) {
      if (attempt >= TRANSACTION_ATTEMPTS_MAX || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt * attempt));
    }
  }
}
