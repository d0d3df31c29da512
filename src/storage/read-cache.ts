// The balance read cache (SQLite): results of repeated reads, valid while nothing has committed
// since. This process's writer counts its commits as they complete (SqliteConnections.commits);
// other processes' commits (a second server, the CLI) are seen through SQLite's documented
// `PRAGMA data_version` (CommitWatch), from the next event-loop turn at the latest.

import type BetterSqlite3 from 'better-sqlite3';
import { StorageLimits } from '../core/limits.ts';


/**
 * Tells whether another connection (this process's writer, another process, the CLI) may have
 * committed since the last check, by SQLite's documented `PRAGMA data_version` on the reading
 * connection (https://www.sqlite.org/pragma.html#pragma_data_version: it changes when another
 * connection commits). The pragma is run at most once per turn of the event loop (it takes file
 * locks: ~2 µs, the balance endpoint's dearest step when run per read); within a turn the answer
 * stands, so another process's commit shows from the next turn on. This process's own commits
 * are told at once by the writer's count, not by this.
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
 * Remembered reads for one database. The checks run before a miss is computed, so a commit during
 * the computation invalidates its result.
 */
export class ReadCache {
  readonly #entries = new Map<string, unknown>();
  readonly #others: CommitWatch;
  #seenWriterCommits = -1;

  /** `watched` is a read-only connection of the database; `writer` tells this process's commits. */
  constructor(watched: BetterSqlite3.Database, private readonly writer: { readonly commits: number }) {
    this.#others = new CommitWatch(watched);
  }

  /**
   * What `compute` (reads only) returns, remembered under `key` while the database is unchanged.
   * The result is shared between callers: it must not be modified.
   */
  async remember<R>(key: string, compute: () => Promise<R>): Promise<R> {
    const hit = this.#get(key);
    if (hit !== undefined) return hit as R;
    const value = await compute();
    if (this.#entries.size >= StorageLimits.readCacheEntriesMax) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }

  #get(key: string): unknown {
    const writerCommits = this.writer.commits;
    const otherCommitted = this.#others.changed();
    if (writerCommits !== this.#seenWriterCommits || otherCommitted) {
      this.#seenWriterCommits = writerCommits;
      this.#entries.clear();
      return undefined;
    }
    return this.#entries.get(key);
  }
}
