import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bech32 } from '@scure/base';
import { WatchedScripts } from './watched-scripts.ts';
import type { ScannedOutput } from './raw-transaction.ts';

const DAY_MS = 86_400_000;
const address = (program: Uint8Array): string => bech32.encode('bcrt', [0, ...bech32.toWords(program)]);
const script = (program: Uint8Array): Uint8Array => Uint8Array.from([0x00, program.length, ...program]);
const wants = (watched: WatchedScripts, s: Uint8Array): boolean => watched.wants(s, 0, s.length);
const output = (program: Uint8Array): ScannedOutput => ({ txid: 'ab'.repeat(32), vout: 0, valueSat: 1_000n, script: script(program), rbf: false });

test('scripts sharing a program prefix are told apart, and pruning one keeps the other matched', () => {
  // Proves the three-byte prefix bitmap is only a filter: the full script decides, and a prune rebuilds it.
  const a = new Uint8Array(20).fill(1);
  const b = Uint8Array.from(a, (v, i) => (i < 4 ? v : 2));
  const c = Uint8Array.from(a, (v, i) => (i < 4 ? v : 3));
  const watched = new WatchedScripts('regtest');
  watched.add([
    { methodId: 'bitcoin', targetKey: address(a), invoiceId: 'inv_a', watchUntil: new Date(0) },
    { methodId: 'bitcoin', targetKey: address(b), invoiceId: 'inv_b', watchUntil: new Date(10 * DAY_MS) },
  ]);
  assert.equal(wants(watched, script(a)), true);
  assert.equal(wants(watched, script(b)), true);
  assert.equal(wants(watched, script(c)), false, 'same prefix, not watched');
  assert.equal(wants(watched, script(new Uint8Array(32).fill(1))), false, 'P2WSH with the same prefix');
  watched.prune(2 * DAY_MS);
  assert.equal(wants(watched, script(a)), false);
  assert.deepEqual(watched.matchScanned([output(a), output(b), output(c)], 1).map((m) => m.targetKey), [address(b)]);
  // The block's time decides the window: past watchUntil nothing matches.
  assert.deepEqual(watched.matchScanned([output(b)], 11 * DAY_MS / 1000), []);
});
