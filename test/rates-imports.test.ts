// Proves src/rates keeps DESIGN.md §2's import rule: only core, node built-ins and HTTP
// libraries, never storage, usecases or other layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../src/rates/', import.meta.url).pathname;

test('src/rates imports only core, its own files and node built-ins', () => {
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const target = match[1] ?? '';
      const allowed = target.startsWith('./') || target.startsWith('../core/') || target.startsWith('node:');
      assert.ok(allowed, `${file} imports ${target}`);
    }
  }
});
