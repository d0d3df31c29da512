// Proves pausing a webhook endpoint on every dialect, against a real local receiver: while
// paused, new events queue for it (in order) and nothing is sent, however often the worker runs;
// once resumed, the queue is delivered in order. Both changes are in the audit log.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dialects, openWorld } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';
import type { OutboxEvent } from '../src/core/events.ts';
import { WebhookDefaults } from '../src/webhooks/webhook-config.ts';
import { WebhookWorker } from '../src/webhooks/webhook-worker.ts';
import { createWebhookEndpoint } from '../src/usecases/webhook-endpoints.ts';
import { setEndpointPaused } from '../src/usecases/admin-webhooks.ts';

const config = { ...WebhookDefaults, allowPrivate: true, timeoutMs: 300 };
const actor = { id: 'op_test', name: 'ops@example.com' };

for (const dialect of dialects()) {
  describe(`webhook endpoint pause (${dialect})`, () => {
    let world: World;
    let receiver: WebhookReceiver;
    before(async () => { world = await openWorld(dialect); receiver = await WebhookReceiver.start(); });
    after(async () => { await receiver.close(); await world.close(); });

    test('a paused endpoint queues and sends nothing; resumed, it gets the queue in order', async () => {
      const { endpoint } = await createWebhookEndpoint(world.deps, { url: receiver.url(), eventTypes: ['*'] });
      await setEndpointPaused(world.deps, actor, endpoint.id, true);
      const events: OutboxEvent[] = Array.from({ length: 3 }, (_, n) => ({
        id: `evt_${randomBytes(12).toString('hex')}`, type: 'balance.credited', accountId: null, invoiceId: null, createdAt: world.clock.now(), payload: { n },
      }));
      await world.deps.store.transaction((tx) => tx.outbox.insert(events));
      const worker = new WebhookWorker(world.useCases, config, { holder: 'w1', random: () => 0.5 });
      for (let i = 0; i < 3; i++) await worker.runOnce();
      assert.equal(receiver.received.length, 0, 'nothing sent while paused');
      const queued = await world.deps.store.webhooks.deliveries({ endpointId: endpoint.id, limit: 10 });
      assert.deepEqual(queued.map((d) => d.status), ['pending', 'pending', 'pending']);
      await setEndpointPaused(world.deps, actor, endpoint.id, false);
      await worker.runOnce();
      assert.deepEqual(receiver.accepted.map((h) => h.eventId), events.map((e) => e.id));
      const audit = await world.deps.store.operators.audit({ target: `webhook:${endpoint.id}`, limit: 10 });
      assert.deepEqual(audit.map((a) => a.action), ['webhook.resume', 'webhook.pause']);
    });
  });
}
