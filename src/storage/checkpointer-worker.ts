// The SQLite checkpointer, a worker thread with its own connection (started by database.ts):
// checkpoints (which fsync) run on its timer instead of inside whichever commit crosses the
// auto-checkpoint threshold, so no request waits for them. better-sqlite3 is thread-safe per
// connection. Stops, closing its connection, on any message from the parent.

import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

const { path, intervalMs } = workerData as { readonly path: string; readonly intervalMs: number };
const db = new BetterSqlite3(path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy: the next tick retries.
  }
}, intervalMs);
parentPort?.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
