// Proves the layering of DESIGN.md §2 by reading every import line under src/: core imports
// nothing of ours; storage only core; methods and rates only core; usecases core, storage and
// the method/rate interfaces (which live in core); http, web, cli and webhooks only usecases and
// core. Only storage/ imports kysely or a database driver. Type-only imports count too (issue 17:
// storage only through use cases): any that must remain is listed by name below, as debt. The
// outer layers are given the use-case façade (usecases/use-cases.ts), never Deps and its Store:
// they do not import usecases/deps.ts (nor response-record.ts, which makes transaction hooks),
// open no transaction, and http/web handlers read request parts through their route schemas'
// types, not casts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(new URL('../src', import.meta.url).pathname);

const allowed: Record<string, readonly string[]> = {
  core: ['core'],
  storage: ['core', 'storage'],
  methods: ['core', 'methods'],
  rates: ['core', 'rates'],
  usecases: ['core', 'storage', 'usecases'],
  http: ['core', 'usecases', 'http'],
  web: ['core', 'usecases', 'web'],
  cli: ['core', 'usecases', 'cli'],
  webhooks: ['core', 'usecases', 'webhooks'],
};
const DRIVERS = ['kysely', 'better-sqlite3', 'pg'];
const OUTER = ['http', 'web', 'cli', 'webhooks'];
/**
 * Modules of usecases/ that hand out storage: deps.ts (Deps carries the Store) and
 * response-record.ts (seals a function that is given the transaction). Only usecases/ and the
 * composition root import them.
 */
const USECASE_INTERNALS = ['usecases/deps.ts', 'usecases/response-record.ts'];

/**
 * Known debt: type-only imports of storage from an outer layer, as `file imports spec`. Each is a
 * storage type used as data where a core or use-case type should be; remove the entry when its
 * import goes. A listed import that no longer exists fails the test, so the list only shrinks.
 */
const TYPE_ONLY_STORAGE_DEBT: readonly string[] = [
  // Empty: the last one (web/recovery-routes.ts → storage's WebUser) went when WebUser moved to core.
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

function imports(source: string): Array<{ spec: string; typeOnly: boolean }> {
  const found: Array<{ spec: string; typeOnly: boolean }> = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) found.push({ spec: m[3]!, typeOnly: m[2] !== undefined });
  for (const m of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ spec: m[1]!, typeOnly: false });
  return found;
}

function layerOf(path: string): string {
  const rel = relative(SRC, path).split('/');
  if (rel.length === 1) return 'root';
  return rel[0] === 'methods' && rel[1] === 'sandbox' ? 'methods/sandbox' : rel[0]!;
}

test('every import under src/ respects the layer rules', () => {
  const violations: string[] = [];
  const typeOnlyStorage: string[] = [];
  let checked = 0;
  for (const file of files(SRC)) {
    const layer = layerOf(file);
    const from = layer === 'methods/sandbox' ? 'methods' : layer;
    for (const { spec, typeOnly } of imports(readFileSync(file, 'utf8'))) {
      if (DRIVERS.includes(spec) && from !== 'storage' && from !== 'root') violations.push(`${relative(SRC, file)} imports driver ${spec}`);
      checked++;
      if (!spec.startsWith('.')) continue;
      const target = layerOf(resolve(dirname(file), spec));
      if (from === 'root') continue;
      const rules = allowed[from];
      if (!rules) { violations.push(`${relative(SRC, file)}: unknown layer ${from}`); continue; }
      const ok = rules.some((r) => target === r || target.startsWith(`${r}/`) || (r === 'methods' && target.startsWith('methods')));
      if (ok) continue;
      if (typeOnly && target === 'storage') typeOnlyStorage.push(`${relative(SRC, file)} imports ${spec}`);
      else violations.push(`${relative(SRC, file)} (${from}) imports ${spec} (${target})`);
    }
  }
  assert.ok(checked > 200, `read ${checked} imports`);
  assert.deepEqual(violations, []);
  assert.deepEqual(typeOnlyStorage.filter((line) => !TYPE_ONLY_STORAGE_DEBT.includes(line)), [], 'new type-only imports of storage outside usecases/');
  assert.deepEqual(TYPE_ONLY_STORAGE_DEBT.filter((line) => !typeOnlyStorage.includes(line)), [], 'listed debt that is gone: remove it from TYPE_ONLY_STORAGE_DEBT');
});

test('http, web, cli and webhooks never import usecases/deps.ts or response-record.ts (type-only imports included)', () => {
  const found: string[] = [];
  for (const file of files(SRC)) {
    if (!OUTER.includes(layerOf(file))) continue;
    for (const { spec } of imports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.') && USECASE_INTERNALS.includes(relative(SRC, resolve(dirname(file), spec)))) found.push(`${relative(SRC, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(found, [], 'outer layers take the use-case façade (usecases/use-cases.ts), not Deps');
});

test('no transaction is opened outside usecases/ and storage/: outer layers never mention one', () => {
  const found: string[] = [];
  for (const file of files(SRC)) {
    if (!OUTER.includes(layerOf(file))) continue;
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (/\binTransaction\b|\.transaction\(/.test(line)) found.push(`${relative(SRC, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});

test('http and web handlers do not cast request parts (request.body/params/query as …)', () => {
  const found: string[] = [];
  for (const file of files(SRC)) {
    if (!['http', 'web'].includes(layerOf(file))) continue;
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (/\brequest\.(body|params|query)(\s*\?\?\s*\{\})?\)?\s+as\s/.test(line)) found.push(`${relative(SRC, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, [], 'give the route a TypeBox schema (params, querystring, body) and read the typed request instead');
});
