#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and packages/ with node:test through tsx.
// Node 20's test runner takes no globs, so the files are listed here.
// TEST_FILTER=substring narrows the run; extra CLI args are passed to node --test.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['src', 'test', 'packages'];
const skip = new Set(['node_modules', 'data', '.git']);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const filter = process.env.TEST_FILTER ?? '';
const files = roots
  .flatMap((r) => { try { return walk(join(root, r), []); } catch { return []; } })
  .filter((f) => f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no test files match "${filter}"`);
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-concurrency=2', ...process.argv.slice(2), ...files];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
