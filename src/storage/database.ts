// Opens the database: SQLite (better-sqlite3, WAL) by default, PostgreSQL when a URL is given.
// Dialect differences are expressed as small capability flags, nothing more.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult, SqliteDatabase, SqliteStatement } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.ts';
import { preparedStatementName } from './sql-text.ts';
import { SqliteConnections, SqliteConnectionsDialect, Statements } from './sqlite-connections.ts';
import { ReadCache } from './read-cache.ts';
import { migrateToLatest } from './migrations/index.ts';
import type { MigrationDialect } from './migrations/index.ts';
import { StorageLimits } from '../core/limits.ts';

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
  /** SQLite on a file: the balance read cache (read-cache.ts); null elsewhere (PostgreSQL reads are not cached). */
  readonly readCache: ReadCache | null;
  /** SQLite: read-only snapshots (deferred read transactions) on their own connection, off the writer. */
  readonly snapshots: Kysely<Database> | null;
  close(): Promise<void>;
}


/** Kysely's view of the snapshot connection (its SqliteDatabase interface): each SQL text prepared once. */
class SnapshotStatements implements SqliteDatabase {
  readonly #statements: Statements;

  constructor(handle: BetterSqlite3.Database) {
    this.#statements = new Statements(handle);
  }

  prepare(sql: string): SqliteStatement {
    return this.#statements.get(sql);
  }

  close(): void {
    this.#statements.handle.close();
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
    workerData: { path, intervalMs: StorageLimits.sqliteCheckpointIntervalMs },
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
  handle.pragma(`busy_timeout = ${StorageLimits.sqliteBusyTimeoutMs}`);
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
  handle.pragma(`busy_timeout = ${StorageLimits.sqliteBusyTimeoutMs}`);
  handle.pragma('foreign_keys = ON');
  // An 8 MiB page cache: the hot pages (the right edges of tables and of the time-ordered id
  // indexes) stay in memory while the process stays small; the rest is a read from the OS cache.
  handle.pragma('cache_size = -8192');
  handle.pragma('temp_store = MEMORY');
  // Checkpoints (which fsync) run on a timer in a worker thread with its own connection instead of
  // inside whichever commit crosses the auto-checkpoint threshold, so no request waits for them.
  handle.pragma('wal_autocheckpoint = 0');
  const checkpointer = path === ':memory:' ? null : startCheckpointer(path);
  // WAL lets readers run beside the writer on their own connections, each on a committed snapshot.
  // An in-memory database exists only on its one connection, so it reads through the writer.
  const reader = path === ':memory:' ? null : openReadOnly(path);
  const connections = new SqliteConnections(handle, reader);
  const kysely = new Kysely<Database>({ dialect: new SqliteConnectionsDialect(connections) });
  const readCache = reader ? new ReadCache(reader, connections) : null;
  const snapshots = path === ':memory:' ? null : new Kysely<Database>({ dialect: new SqliteDialect({ database: new SnapshotStatements(openReadOnly(path)) }) });
  const close = async () => {
    await checkpointer?.stop();
    await snapshots?.destroy();
    reader?.close();
    if (handle.open) {
      try { handle.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* another process holds the database */ }
    }
    await kysely.destroy();
  };
  return { kysely, dialect: 'sqlite', rowLocks: false, readCache, snapshots, close };
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
  return { kysely, dialect: 'postgres', rowLocks: true, readCache: null, snapshots: null, close: () => kysely.destroy() };
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

function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && (RETRYABLE_PG.has(code) || code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT'));
}


// Each unit of a batch runs in its own savepoint, through the batch's transaction like every other statement.
const SAVEPOINT = CompiledQuery.raw('savepoint unit');
const RELEASE = CompiledQuery.raw('release unit');
const ROLLBACK_TO = CompiledQuery.raw('rollback to unit');

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
      await this.#runBatch(this.#queue.splice(0, StorageLimits.groupCommitUnitsMax));
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
          await trx.executeQuery(SAVEPOINT);
          try {
            const value = await unit.work(trx);
            await trx.executeQuery(RELEASE);
            outcomes.push({ ok: true, value });
          } catch (error) {
            await trx.executeQuery(ROLLBACK_TO);
            await trx.executeQuery(RELEASE);
            outcomes.push({ ok: false, value: error });
          }
        }
        await trx.commit().execute();
      } catch (error) {
        if (trx) await trx.rollback().execute().catch(() => {});
        if (attempt < StorageLimits.transactionAttemptsMax && isRetryable(error)) {
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
      if (attempt >= StorageLimits.transactionAttemptsMax || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt * attempt));
    }
  }
}
