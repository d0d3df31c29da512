// Preloaded into the measured server by bench/memory.ts (`node --import`): on SIGUSR2 it writes
// where the process's memory is — process.memoryUsage() and V8's heap spaces, before and after a
// full collection (--expose-gc) — to the file named by COFFER_BENCH_MEMORY_PROBE. Bench only.
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const mb = (bytes) => Math.round(bytes / 1024 / 102.4) / 10;

function usage() {
  const u = process.memoryUsage();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_used_size)]));
  return { rss: mb(u.rss), heapTotal: mb(u.heapTotal), heapUsed: mb(u.heapUsed), external: mb(u.external), arrayBuffers: mb(u.arrayBuffers), spaces };
}

process.on('SIGUSR2', () => {
  const before = usage();
  globalThis.gc?.();
  writeFileSync(process.env.COFFER_BENCH_MEMORY_PROBE, JSON.stringify({ before, afterGc: usage() }) + '\n');
});
