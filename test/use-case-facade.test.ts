// Proves that the use-case façade (usecases/use-cases.ts) the outer layers receive holds use cases
// and storage-free context only: no member is the Store, the type has no `store`, and a hook an
// outer layer writes itself cannot stand in for the sealed RecordResponse that would be handed
// the transaction. (The @ts-expect-error lines fail the typecheck if either stops being true.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWorld } from './support/harness.ts';
import type { UseCases } from '../src/usecases/use-cases.ts';

const CONTEXT = ['clock', 'log', 'methods', 'settings'] as const;

test('the façade holds functions plus clock, log, methods and settings, and never the Store', async () => {
  const world = await openWorld('sqlite');
  try {
    const members = Object.entries(world.useCases);
    assert.ok(members.length > 50, `${members.length} members`);
    for (const [name, value] of members) {
      if ((CONTEXT as readonly string[]).includes(name)) continue;
      assert.equal(typeof value, 'function', `${name} is a use case`);
    }
    for (const name of CONTEXT) assert.equal(world.useCases[name], world.deps[name]);
    const store: unknown = world.deps.store;
    assert.ok(!members.some(([, value]) => value === store));
    assert.ok(!('store' in world.useCases));
  } finally {
    await world.close();
  }
});

// Type-level: compiled by `npm test`'s typecheck, never run.
export function typeChecks(useCases: UseCases): void {
  // @ts-expect-error the façade has no store
  void useCases.store;
  // @ts-expect-error an outer layer cannot write a hook that would be given the transaction
  void useCases.issueCredential('acc_x', null, async (tx) => { await tx.accounts.get('acc_x'); });
}
