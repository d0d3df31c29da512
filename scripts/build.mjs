#!/usr/bin/env node
// The release build (`npm run build`, run by `prepare`, so by `npm install`, `npm ci` and
// `npm pack`): src/ bundled by esbuild into dist/ for plain `node`. A start then reads a few
// files instead of ~1,190 (Node 20 has no compile cache; loading modules was two thirds of a
// start: docs/benchmarks.md, "Compiled release"). Type checking is not done here: `npm test`
// runs `tsc --noEmit` first. Tests and benches keep running the sources through tsx.
//
// Layout (flat on purpose): dist/main.js, dist/usage.js (what `coffer help` prints, loaded
// alone by bin/coffer.mjs), the worker-thread modules dist/checkpointer-worker.js and
// dist/derive-worker.js, and shared chunks dist/chunk-*.js. Every output file is in dist/ itself,
// so src/storage/database.ts and src/methods/derive-ahead.ts, which resolve their worker as
// `./<name>.js` against their own `import.meta.url`, find it from whichever chunk holds them.
// `splitting` keeps every `import()` a separate chunk, so what loads lazily (rail backends,
// pg, nodemailer, qrcode) still loads only when used.
//
// esbuild's JS API: https://esbuild.github.io/api/ (build, entryPoints, outdir, entryNames,
// chunkNames, splitting, format, platform, target, external, legalComments, metafile).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Packages left to Node's own resolution at run time (each still a declared dependency):
 * - native addons, which cannot be bundled: better-sqlite3, secp256k1;
 * - pg, which requires its optional native binding `pg-native` inside a try/catch that a bundler
 *   would turn into a build error or a hard dependency; it is loaded lazily, for PostgreSQL only.
 * Everything else is pure JavaScript and bundled, fastify and pino included: leaving those two
 * external too cost ~200 ms more per `npm start` (docs/benchmarks.md, "Compiled release"). pino
 * finds files on disk only for transports (worker threads), which Coffer does not use.
 */
export const EXTERNAL = ['better-sqlite3', 'secp256k1', 'pg'];

export const ENTRY_POINTS = {
  main: 'src/main.ts',
  usage: 'src/cli/usage.ts',
  'checkpointer-worker': 'src/storage/checkpointer-worker.ts',
  'derive-worker': 'src/methods/derive-worker.ts',
};

/** Bundles src/ into outdir (emptied first); returns esbuild's metafile (which source went where). */
export async function bundle(outdir) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRY_POINTS,
    outdir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // Bundled CommonJS packages call `require` for Node's built-ins; an ES module has none, so each
    // output file gets one made by Node's documented module.createRequire.
    banner: { js: "import { createRequire as __cofferCreateRequire } from 'node:module'; const require = __cofferCreateRequire(import.meta.url);" },
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle(join(ROOT, 'dist'));
