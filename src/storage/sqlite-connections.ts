// SQLite's one connection discipline, for every statement however it is written (the query
// builder's or a store's fixed text): Kysely runs them all through this driver (Kysely's
// documented `Driver` interface, under its own SqliteDialect's compiler and adapter;
// https://kysely.dev/docs/dialects). Two connections to one WAL database:
// - the writer runs every write and every transaction (`begin immediate`), one holder at a time;
// - a statement that only reads (better-sqlite3's documented `statement.readonly`) outside a
//   transaction runs at once, never waiting behind the writer: on the writer while no one holds
//   it (its page cache is warm; it then holds only committed rows), otherwise on the read-only
//   connection, a committed snapshot per statement (WAL), never the writer's uncommitted batch.
// Each SQL text is prepared once per connection. When a write leaves the writer outside a
// transaction (a COMMIT, or a write in autocommit) it counts a commit, which the balance cache
// compares on every read (read-cache.ts).

import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult } from 'kysely';
import { StorageLimits } from '../core/limits.ts';


/** Prepared statements of one connection, each SQL text prepared once (bounded, oldest dropped first). */
export class Statements {
  readonly #cache = new Map<string, BetterSqlite3.Statement>();

  constructor(readonly handle: BetterSqlite3.Database) {}

  get(sql: string): BetterSqlite3.Statement {
    let statement = this.#cache.get(sql);
    if (!statement) {
      if (this.#cache.size >= StorageLimits.statementCacheMax) this.#cache.delete(this.#cache.keys().next().value!);
      statement = this.handle.prepare(sql);
      this.#cache.set(sql, statement);
    }
    return statement;
  }
}

function run<R>(statement: BetterSqlite3.Statement, parameters: readonly unknown[]): QueryResult<R> {
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}

/** The writer and who holds it: a transaction, or a write outside one, until its connection is released. */
export class SqliteConnections implements Driver {
  readonly #writer: Statements;
  readonly #reader: Statements | null;
  #held = false;
  readonly #waiting: Array<() => void> = [];
  // Released connection objects, handed out again: Kysely remembers each connection object it
  // sees (a WeakSet), so a new object per query would cost that bookkeeping and garbage each time.
  readonly #idle: SqliteConnection[] = [];
  /** Commits completed on the writer by this process (read-cache.ts compares it). */
  commits = 0;

  /** `reader` null (an in-memory database, which exists on one connection only): reads wait for the writer when it is held. */
  constructor(writer: BetterSqlite3.Database, reader: BetterSqlite3.Database | null) {
    this.#writer = new Statements(writer);
    this.#reader = reader ? new Statements(reader) : null;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#idle.pop() ?? new SqliteConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // SQLite's deferred BEGIN can deadlock two writers upgrading their locks: take the write lock up front.
    await (connection as SqliteConnection).onWriter(BEGIN);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as SqliteConnection).onWriter(COMMIT);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as SqliteConnection).onWriter(ROLLBACK);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as SqliteConnection).release();
    if (this.#idle.length < StorageLimits.idleConnectionsMax) this.#idle.push(connection as SqliteConnection);
  }

  async destroy(): Promise<void> {
    this.#writer.handle.close();
  }

  /** A read's statement that can run now without the writer (see the top of the file), or null. */
  readNow(sql: string): BetterSqlite3.Statement | null {
    const onWriter = this.#writer.get(sql);
    // A select (returns rows, writes nothing); BEGIN, COMMIT and SAVEPOINT count as read-only too
    // (https://www.sqlite.org/c3ref/stmt_readonly.html) but return no rows.
    if (!onWriter.reader || !onWriter.readonly) return null;
    if (!this.#held && !this.#writer.handle.inTransaction) return onWriter;
    return this.#reader ? this.#reader.get(sql) : null;
  }

  /** Waits until the writer is free and takes it. */
  async hold(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Hands the writer to the next waiter, in arrival order. */
  free(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }

  /** Runs `sql` on the writer, which the caller holds; a write that leaves no transaction open is a commit. */
  runOnWriter<R>(sql: string, parameters: readonly unknown[]): QueryResult<R> {
    const statement = this.#writer.get(sql);
    if (statement.reader && statement.readonly) return run<R>(statement, parameters);
    try {
      return run<R>(statement, parameters);
    } finally {
      // A COMMIT, or a write in autocommit (a ROLLBACK counts too: the cache is only dropped once more).
      if (!this.#writer.handle.inTransaction) this.commits++;
    }
  }
}

const BEGIN = 'begin immediate';
const COMMIT = 'commit';
const ROLLBACK = 'rollback';

/** What Kysely holds for one query or one transaction. */
class SqliteConnection implements DatabaseConnection {
  #holding = false;

  constructor(private readonly connections: SqliteConnections) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.#holding) {
      const statement = this.connections.readNow(query.sql);
      if (statement) return run<R>(statement, query.parameters);
    }
    return this.onWriter<R>(query.sql, query.parameters);
  }

  async onWriter<R>(sql: string, parameters: readonly unknown[] = []): Promise<QueryResult<R>> {
    if (!this.#holding) {
      await this.connections.hold();
      this.#holding = true;
    }
    return this.connections.runOnWriter<R>(sql, parameters);
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    // Nothing streams: an iterating statement would keep its connection busy for everyone else.
    throw new Error('streaming queries are not supported on SQLite here; page with keyset queries instead');
  }

  release(): void {
    if (!this.#holding) return;
    this.#holding = false;
    this.connections.free();
  }
}

/** Kysely's SqliteDialect (compiler, adapter, introspector) over SqliteConnections. */
export class SqliteConnectionsDialect extends SqliteDialect {
  constructor(private readonly connections: SqliteConnections) {
    // Kysely's SqliteDialect wants a database for its own driver, which createDriver replaces.
    super({ database: () => { throw new Error('unused: SqliteConnections is the driver'); } });
  }

  override createDriver(): Driver {
    return this.connections;
  }
}
