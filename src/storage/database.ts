// Opens the database: SQLite (better-sqlite3, WAL) by default, PostgreSQL when a URL is given.
// Dialect differences are expressed as small capability flags, nothing more.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Driver, PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult, SqliteDatabase, SqliteStatement } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.ts';
import { forgetReadCache, noteWriterCommit, preparedOn, preparedStatementName } from './sql-text.ts';
import { migrateToLatest } from './migrations/index.ts';
import type { MigrationDialect } from './migrations/index.ts';

export type Dialect = MigrationDialect;

export interface DatabaseOptions {
  /** postgres://… to use PostgreSQL; otherwise SQLite at `sqlitePath`. */
  readonly databaseUrl?: string | undefined;
  readonly sqlitePath?: string;
  /** PostgreSQL pool size. */
  readonly poolSize?: number;
  /** PostgreSQL: SqlText's fixed texts as named prepared statements (default true). */
  readonly preparedStatements?: boolean;
  /** PostgreSQL schema to use (tests isolate runs in their own schema). */
  readonly schema?: string;
}

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Row locks (`select … for update`) exist; SQLite instead serialises every write transaction. */
  readonly rowLocks: boolean;
  /** SQLite: the writer handle, which hot-path statements inside a transaction use directly. */
  readonly sqlite: BetterSqlite3.Database | null;
  /** SQLite: a read-only connection for single-statement reads outside transactions. */
  readonly reader: BetterSqlite3.Database | null;
  /** SQLite: read-only snapshots (deferred read transactions) on their own connection, off the writer. */
  readonly snapshots: Kysely<Database> | null;
  close(): Promise<void>;
}

const SQLITE_BUSY_TIMEOUT_MS = 5000;
const SQLITE_CHECKPOINT_INTERVAL_MS = 1000;

/** SQLite's deferred BEGIN can deadlock two writers upgrading their locks; take the write lock up front. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SqliteDatabase) {
    super({ database });
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
}

/**
 * A write statement on the writer connection: when it leaves the connection outside a
 * transaction (a COMMIT, or a write in autocommit), it tells the balance cache that this process
 * committed (noteWriterCommit), so the commit shows on the very next read.
 */
class CommitNotingStatement implements SqliteStatement {
  readonly reader = false;

  constructor(private readonly handle: BetterSqlite3.Database, private readonly statement: BetterSqlite3.Statement) {}

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.statement.all(parameters);
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    try {
      return this.statement.run(parameters);
    } finally {
      if (!this.handle.inTransaction) noteWriterCommit(this.handle);
    }
  }

  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.statement.iterate(parameters);
  }
}

/**
 * Kysely's view of a better-sqlite3 connection (its SqliteDatabase interface): Kysely prepares
 * every query it runs, and here each SQL text is prepared once per connection (preparedOn); on
 * the writer, write statements report the commits they complete.
 */
class StatementCache implements SqliteDatabase {
  readonly #noting = new WeakMap<BetterSqlite3.Statement, CommitNotingStatement>();

  constructor(private readonly handle: BetterSqlite3.Database, private readonly writer: boolean) {}

  prepare(sql: string): SqliteStatement {
    const statement = preparedOn(this.handle, sql);
    if (!this.writer || statement.reader) return statement;
    let noting = this.#noting.get(statement);
    if (noting === undefined) {
      noting = new CommitNotingStatement(this.handle, statement);
      this.#noting.set(statement, noting);
    }
    return noting;
  }

  close(): void {
    this.handle.close();
  }
}

/**
 * The checkpointer's module, beside this one: checkpointer-worker.ts run through tsx (tests and development),
 * checkpointer-worker.js in the release bundle, an entry point of its own in dist/ itself beside every chunk,
 * whichever chunk holds this code (scripts/build.mjs).
 */
const CHECKPOINTER_MODULE = new URL(import.meta.url.endsWith('.ts') ? './checkpointer-worker.ts' : './checkpointer-worker.js', import.meta.url);

/**
 * The compiled module runs as is. Run from the TypeScript sources (tests, development), Node 20
 * does not carry tsx's loader into worker threads, so the worker first registers it through
 * tsx's documented API (`tsx/esm/api` register()) and then imports the module.
 */
function checkpointerWorker(options: WorkerOptions): Worker {
  if (!CHECKPOINTER_MODULE.pathname.endsWith('.ts')) return new Worker(CHECKPOINTER_MODULE, options);
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(CHECKPOINTER_MODULE.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

function startCheckpointer(path: string): { stop(): Promise<void> } {
  const worker = checkpointerWorker({
    workerData: { path, intervalMs: SQLITE_CHECKPOINT_INTERVAL_MS },
    // It allocates next to nothing: a small heap keeps the process's memory small.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
  });
  worker.unref();
  // A checkpointer that cannot run costs WAL growth, not correctness (the final checkpoint at close
  // catches up): said on stderr, and the server goes on.
  worker.on('error', (error) => process.emitWarning(`SQLite checkpointer stopped: ${error.message}`, { code: 'COFFER_CHECKPOINTER' }));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: async () => {
      // Held while stopping, so the closing process waits for the worker's connection to close.
      worker.ref();
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => { timer = setTimeout(resolve, 2000); })]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}

function openReadOnly(path: string): BetterSqlite3.Database {
  const handle = new BetterSqlite3(path);
  handle.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  handle.pragma('query_only = ON');
  // A small page cache: after every commit by the writer it starts cold anyway.
  handle.pragma('cache_size = -2048');
  return handle;
}

function openSqlite(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const handle = new BetterSqlite3(path);
  handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = NORMAL');
  handle.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  handle.pragma('foreign_keys = ON');
  // An 8 MiB page cache: the hot pages (the right edges of tables and of the time-ordered id
  // indexes) stay in memory while the process stays small; the rest is a read from the OS cache.
  handle.pragma('cache_size = -8192');
  handle.pragma('temp_store = MEMORY');
  // Checkpoints (which fsync) run on a timer in a worker thread with its own connection instead of
  // inside whichever commit crosses the auto-checkpoint threshold, so no request waits for them.
  handle.pragma('wal_autocheckpoint = 0');
  const checkpointer = path === ':memory:' ? null : startCheckpointer(path);
  const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(new StatementCache(handle, true)) });
  // WAL lets readers run beside the writer on their own connections, each on a committed snapshot.
  // An in-memory database exists only on its one connection, so it reads through the writer.
  const reader = path === ':memory:' ? null : openReadOnly(path);
  const snapshots = path === ':memory:' ? null : new Kysely<Database>({ dialect: new SqliteDialect({ database: new StatementCache(openReadOnly(path), false) }) });
  const close = async () => {
    await checkpointer?.stop();
    await snapshots?.destroy();
    if (reader) {
      forgetReadCache(reader);
      reader.close();
    }
    if (handle.open) {
      try { handle.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* another process holds the database */ }
    }
    await kysely.destroy();
  };
  return { kysely, dialect: 'sqlite', rowLocks: false, sqlite: handle, reader, snapshots, close };
}

/**
 * A pg client as Kysely's PostgresPoolClient, running SqlText's fixed texts as named prepared
 * statements through pg's own query config, `{ name, text, values }`
 * (https://node-postgres.com/features/queries#prepared-statements): parsed and planned once per
 * connection, not on every execution (the deposit's statement took PostgreSQL ~120 µs of CPU a
 * time to parse and plan). Everything else (the query builder's texts) runs unnamed.
 */
class PreparingClient implements PostgresPoolClient {
  constructor(private readonly client: pg.PoolClient) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sql: string | PostgresCursor<R>, parameters: ReadonlyArray<unknown> = []): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Kysely passes a cursor only when its dialect is given a cursor class, which this one is not.
    if (typeof sql !== 'string') throw new TypeError('cursors are not configured');
    const values = [...parameters];
    const name = preparedStatementName(sql);
    const result = name === undefined ? this.client.query(sql, values) : this.client.query({ name, text: sql, values });
    return result as unknown as Promise<PostgresQueryResult<R>>;
  }

  release(destroy?: boolean): void {
    this.client.release(destroy);
  }
}

/** pg's pool as Kysely's PostgresPool, handing out PreparingClients (one per pg client). */
class PreparingPool implements PostgresPool {
  readonly #clients = new WeakMap<pg.PoolClient, PreparingClient>();

  constructor(private readonly pool: pg.Pool) {}

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    let preparing = this.#clients.get(client);
    if (preparing === undefined) {
      preparing = new PreparingClient(client);
      this.#clients.set(client, preparing);
    }
    return preparing;
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

async function openPostgres(url: string, poolSize: number, schema: string | undefined, preparedStatements: boolean): Promise<Db> {
  // Loaded only here: a SQLite server (and every `coffer` command on SQLite) starts without it.
  const { default: pg } = await import('pg');
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
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparedStatements ? new PreparingPool(pool) : pool }) });
  return { kysely, dialect: 'postgres', rowLocks: true, sqlite: null, reader: null, snapshots: null, close: () => kysely.destroy() };
}

export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  const db = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options.poolSize ?? 10, options.schema, options.preparedStatements ?? true)
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
  // Savepoints run directly on the writer (inside the batch's transaction, which holds Kysely's
  // connection), not through a Kysely query each: two statements per unit, on the hot path.
  readonly #savepoint: BetterSqlite3.Statement;
  readonly #release: BetterSqlite3.Statement;
  readonly #rollbackTo: BetterSqlite3.Statement;

  constructor(private readonly kysely: Kysely<Database>, handle: BetterSqlite3.Database) {
    this.#savepoint = handle.prepare('savepoint unit');
    this.#release = handle.prepare('release unit');
    this.#rollbackTo = handle.prepare('rollback to unit');
  }

  run<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.#draining) return;
      // Start on the next turn of the event loop, not now: requests whose data arrived in the same
      // poll phase (each a separate I/O callback) have then queued their transactions too, and
      // share this batch's commit. Started at once, a batch would hold one unit under HTTP load.
      this.#draining = true;
      setImmediate(() => void this.#drain());
    });
  }

  /** One batch per turn of the event loop, so what the last one answered can queue its next step in time for the next. */
  async #drain(): Promise<void> {
    try {
      await this.#runBatch(this.#queue.splice(0, GROUP_COMMIT_UNITS_MAX));
    } finally {
      if (this.#queue.length > 0) setImmediate(() => void this.#drain());
      else this.#draining = false;
    }
  }

  async #runBatch(batch: readonly Unit[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const outcomes: Array<{ ok: boolean; value: unknown }> = [];
      let trx: Awaited<ReturnType<ReturnType<Kysely<Database>['startTransaction']>['execute']>> | null = null;
      try {
        trx = await this.kysely.startTransaction().execute();
        for (const unit of batch) {
          this.#savepoint.run();
          try {
            const value = await unit.work(trx);
            this.#release.run();
            outcomes.push({ ok: true, value });
          } catch (error) {
            this.#rollbackTo.run();
            this.#release.run();
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
      group = new SqliteGroupCommit(db.kysely, db.sqlite!);
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
