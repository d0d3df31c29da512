// Proves that two worker processes' worth of webhook workers (separate connection pools on one
// database) deliver every event exactly once per endpoint and in outbox order, while events
// keep arriving: lanes are claimed atomically (PostgreSQL: for update skip locked).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dialects, openWorld } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';
import type { OutboxEvent } from '../src/core/events.ts';
import { openDatabase } from '../src/storage/database.ts';
import type { Db } from '../src/storage/database.ts';
import { Store } from '../src/storage/store.ts';
import { WebhookDefaults } from '../src/webhooks/webhook-config.ts';
import { WebhookWorker } from '../src/webhooks/webhook-worker.ts';
import { createWebhookEndpoint } from '../src/usecases/webhook-endpoints.ts';
import { createUseCases } from '../src/usecases/use-cases.ts';

const config = { ...WebhookDefaults, allowPrivate: true, timeoutMs: 2000, runMax: 7, lanesMax: 4, fanOutBatchMax: 40 };

for (const dialect of dialects()) {
  describe(`two webhook workers (${dialect})`, () => {
    let world: World;
    let receiver: WebhookReceiver;
    let second: Db | null = null;
    before(async () => {
      world = await openWorld(dialect);
      receiver = await WebhookReceiver.start();
      // PostgreSQL: a second pool, as a second process would have. SQLite is one process with one
      // writer connection (a second connection in the same process would block the event loop
      // on the file lock), so there both workers share the store.
      const at = world.testDb.location;
      if (at.databaseUrl) second = await openDatabase({ databaseUrl: at.databaseUrl, schema: at.schema!, poolSize: 6 });
    });
    after(async () => { await second?.close(); await receiver.close(); await world.close(); });

    test('each event reaches each endpoint exactly once, in order, with both workers sending', async () => {
      const paths = ['/a', '/b', '/c', '/d', '/e'];
      for (const path of paths) await createWebhookEndpoint(world.deps, { url: receiver.url(path), eventTypes: ['*'] });
      const a = new WebhookWorker(world.useCases, config, { holder: 'worker-a' });
      const b = new WebhookWorker(second ? createUseCases({ ...world.deps, store: new Store(second) }) : world.useCases, config, { holder: 'worker-b' });
      const senders = new Map<string, string>();
      receiver.onAccepted = (hook) => senders.set(String(hook.headers['coffer-delivery-id']), hook.path);
      const emitted: string[] = [];
      for (let round = 0; round < 8; round++) {
        const events: OutboxEvent[] = Array.from({ length: 25 }, () => ({
          id: `evt_${randomBytes(10).toString('hex')}`, type: 'balance.charged', accountId: null, invoiceId: null, createdAt: world.clock.now(), payload: { round },
        }));
        await world.deps.store.transaction((tx) => tx.outbox.insert(events));
        emitted.push(...events.map((e) => e.id));
        await Promise.all([a.pass(), b.pass(), a.pass(), b.pass()]);
      }
      for (let i = 0; i < 50 && receiver.accepted.length < emitted.length * paths.length; i++) {
        await Promise.all([a.pass(), b.pass()]);
        await Promise.all([a.drain(), b.drain()]);
      }
      await Promise.all([a.stop(), b.stop()]);
      for (const path of paths) {
        const got = receiver.received.filter((r) => r.path === path).map((r) => r.eventId);
        assert.equal(got.length, emitted.length, `${path}: ${got.length} requests for ${emitted.length} events`);
        assert.deepEqual(got, emitted, `${path} got every event once, in order`);
      }
      const holders = await world.deps.store.webhooks.deliveries({ limit: 2000, status: 'delivered' });
      assert.equal(holders.length, emitted.length * paths.length);
    });
  });
}
