// Proves the shipped code stands on its declared run-time dependencies alone: no file under src/
// (tests beside the code excepted) imports a devDependency (bcoin, anvil, EDR, viem, solc…) or
// anything under test/ or dev/ — the devnet and the test harnesses may use them, the server not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SOURCE_ONLY_LOADS } from './support/source-only-loads.ts';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const SRC = join(ROOT, 'src');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** The package a bare specifier names: `viem/accounts` → viem, `@scope/x/y` → @scope/x. */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] as string;
}

test('nothing under src/ imports a devDependency, test/ or dev/', () => {
  const dev = new Set(Object.keys(pkg.devDependencies));
  const violations: string[] = [];
  let checked = 0;
  for (const file of files(SRC)) {
    const source = readFileSync(file, 'utf8');
    const specs = [...source.matchAll(/^\s*(?:import|export)\s+(?:type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm), ...source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)]
      .map((m) => m[1] as string);
    for (const spec of specs) {
      checked += 1;
      if (spec.startsWith('.')) {
        const target = relative(ROOT, resolve(dirname(file), spec));
        if (!target.startsWith('src/')) violations.push(`${relative(ROOT, file)} imports ${spec}`);
      } else if (!spec.startsWith('node:') && dev.has(packageOf(spec)) && !SOURCE_ONLY_LOADS.some((l) => l.file === relative(ROOT, file) && l.spec === spec)) {
        violations.push(`${relative(ROOT, file)} imports devDependency ${spec}`);
      }
    }
  }
  assert.ok(checked > 200, `read ${checked} imports`);
  assert.deepEqual(violations, []);
});
