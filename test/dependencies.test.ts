// Proves the dependencies are declared truthfully: every package that run-time code under src/
// (and packages/client/src) loads is in its package.json's `dependencies` — not missing, not only
// a devDependency that `npm install --omit=dev` (or installing the packed tarball) leaves out.
import { test } from 'node:test';
import { SOURCE_ONLY_LOADS } from './support/source-only-loads.ts';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;

/** Run-time sources: .ts files, tests excluded (they run from the checkout with devDependencies). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * The module specifiers a file loads at run time: static imports and re-exports (not `import
 * type` / `export type`, which the compiler erases), side-effect imports, `import()` and
 * `require()` / `require.resolve()` of a literal.
 */
function runtimeSpecifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s)?[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gm)) if (!m[1]) found.push(m[2]!);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/\b(?:import|require|require\.resolve)\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

/** The npm package a bare specifier names (`@scope/name/sub` → `@scope/name`); null for relative paths and Node's own modules. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  return builtinModules.includes(name) ? null : name;
}


function undeclared(packageDir: string, srcDir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, packageDir, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
  const declared = new Set(Object.keys(pkg.dependencies ?? {}));
  const files = sources(join(ROOT, srcDir));
  assert.ok(files.length > 10, `${srcDir}: read ${files.length} files`);
  const missing: string[] = [];
  for (const file of files) {
    for (const spec of runtimeSpecifiers(readFileSync(file, 'utf8'))) {
      const name = packageOf(spec);
      const sourceOnly = SOURCE_ONLY_LOADS.some((l) => l.file === relative(ROOT, file) && l.spec === spec);
      if (name !== null && name !== pkg.name && !declared.has(name) && !sourceOnly) missing.push(`${relative(ROOT, file)} loads ${spec}, not in ${packageDir || '.'}/package.json dependencies`);
    }
  }
  return missing;
}

test('the scanner sees the forms of import the sources use, and skips type-only ones', () => {
  const text = [
    "import pino from 'pino';", "import type { Kysely } from 'kysely';", "import {\n  a,\n  type B,\n} from '@scope/pkg/sub.js';",
    "export { x } from 'ajv';", "export type { Y } from 'viem';", "import 'side-effect';", "const m = await import('lazy');",
    "const r = require('secp256k1/bindings'); require.resolve('better-sqlite3');", "import { readFileSync } from 'node:fs';",
  ].join('\n');
  const names = runtimeSpecifiers(text).map(packageOf).filter((n) => n !== null).sort();
  assert.deepEqual(names, ['@scope/pkg', 'ajv', 'better-sqlite3', 'lazy', 'pino', 'secp256k1', 'side-effect']);
  assert.equal(packageOf('fs'), null);
  assert.equal(packageOf('./local.ts'), null);
});

test('every package the server loads at run time is in dependencies', () => {
  assert.deepEqual(undeclared('', 'src'), []);
});

test('every package the client SDK loads at run time is in its own dependencies', () => {
  assert.deepEqual(undeclared('packages/client', 'packages/client/src'), []);
});
