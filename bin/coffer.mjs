#!/usr/bin/env node
// The `coffer` command, also behind `npm start` and `npm run coffer`: runs the JavaScript that
// `npm run build` compiled into dist/ (run by `npm install`, `npm ci` and `npm pack` through the
// `prepare` script) with plain node. `coffer help` prints the usage without loading the server.
// In a checkout whose sources changed since the last build (or never built), it runs the
// TypeScript sources through tsx instead (a development dependency) and says so on stderr, so a
// developer never runs stale code; an installed package has no src/ and always runs dist/.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const command = process.argv[2];
const help = command === undefined || command === 'help' || command === '--help';

/** Newest modification time of a .ts file under dir (0 when there is no such directory). */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const built = new URL('dist/main.js', root);
const fresh = existsSync(built) && statSync(built).mtimeMs >= newestSource(new URL('src/', root));

if (fresh) {
  if (help) {
    const { USAGE } = await import(new URL('dist/usage.js', root).href);
    process.stdout.write(USAGE + '\n');
    process.exitCode = command ? 0 : 2;
  } else {
    await import(built.href);
  }
} else {
  process.stderr.write('coffer: dist/ is missing or older than src/, running the sources through tsx (`npm run build` compiles them)\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('src/main.ts', root).href);
}
