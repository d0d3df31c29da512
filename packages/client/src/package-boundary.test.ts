// Proves the package stands alone: zero runtime dependencies, and its sources import only each
// other (no node: modules, no npm packages, nothing from Coffer's server code), so it runs
// wherever fetch does and can be published by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(new URL('.', import.meta.url).pathname);
const PACKAGE = resolve(SRC, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

test('package.json declares no runtime dependencies and exports the TypeScript entry', () => {
  const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(pkg['name'], '@coffer/client');
  assert.equal(pkg['type'], 'module');
  assert.deepEqual(pkg['dependencies'] ?? {}, {});
  assert.equal(pkg['peerDependencies'], undefined);
  assert.deepEqual(pkg['exports'], { '.': './src/index.ts', './webhooks': './src/webhook-signature.ts' });
});

test('every import of the package stays inside its src/', () => {
  const outside: string[] = [];
  const files = sources(SRC);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = match[1]!;
      const target = resolve(dirname(file), spec);
      // The webhook verifier (its own Node-only entry point) may use node:crypto; nothing else leaves src/.
      const nodeCrypto = spec === 'node:crypto' && file.endsWith('webhook-signature.ts');
      if (!nodeCrypto && (!spec.startsWith('.') || relative(SRC, target).startsWith('..'))) outside.push(`${relative(SRC, file)} → ${spec}`);
    }
    if (/\bimport\(/.test(text) || /\brequire\(/.test(text)) outside.push(`${relative(SRC, file)} loads modules dynamically`);
  }
  assert.ok(files.length > 15, `read ${files.length} files`);
  assert.deepEqual(outside, []);
});
