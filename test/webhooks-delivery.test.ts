// Proves webhook delivery from the outbox on every dialect against a real local receiver:
// signed, deduplicable, ordered per endpoint, retried with backoff through a day-long outage,
// through 500 / slow / garbage answers and a worker restart, failed after the deadline, and
// redeliverable by event id or range.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dialects, openWorld } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';
import type { EventType, OutboxEvent } from '../src/core/events.ts';
import { WebhookDefaults } from '../src/webhooks/webhook-config.ts';
import type { WebhookConfig } from '../src/webhooks/webhook-config.ts';
import { WebhookWorker } from '../src/webhooks/webhook-worker.ts';
import { createWebhookEndpoint, removeWebhookEndpoint, rotateWebhookSecret } from '../src/usecases/webhook-endpoints.ts';
import { retryDelayMs } from '../src/usecases/webhook-deliver.ts';
import { fanOutEvents } from '../src/usecases/webhook-fanout.ts';
import { redeliverEvents } from '../src/usecases/webhook-redeliver.ts';
import { verifyWebhookSignature } from '../packages/client/src/webhook-signature.ts';

const HOUR = 3_600_000;
const config: WebhookConfig = { ...WebhookDefaults, allowPrivate: true, timeoutMs: 300 };
const fixedRandom = () => 0.5;

async function emit(world: World, count = 1, type: EventType = 'balance.credited'): Promise<OutboxEvent[]> {
  const events: OutboxEvent[] = Array.from({ length: count }, (_, i) => ({
    id: `evt_${randomBytes(12).toString('hex')}`, type, accountId: null, invoiceId: null, createdAt: world.clock.now(),
    payload: { n: i, amount: '10.00', currency: 'USD' },
  }));
  await world.deps.store.transaction((tx) => tx.outbox.insert(events));
  return events;
}

for (const dialect of dialects()) {
  describe(`webhook delivery (${dialect})`, () => {
    let world: World;
    let receiver: WebhookReceiver;
    const worker = (holder = 'w1') => new WebhookWorker(world.useCases, config, { holder, random: fixedRandom });
    const endpoint = async (types: string[] = ['*']) => createWebhookEndpoint(world.deps, { url: receiver.url(), eventTypes: types });
    const deliveriesOf = (eventId: string) => world.deps.store.webhooks.deliveries({ eventId, limit: 50 });

    before(async () => { world = await openWorld(dialect); });
    after(async () => { await receiver?.close(); await world.close(); });
    beforeEach(async () => {
      await receiver?.close();
      receiver = await WebhookReceiver.start();
      // Each test starts with no endpoints and an empty backlog.
      for (const e of await world.deps.store.webhooks.endpoints(false)) await removeWebhookEndpoint(world.deps, e.id);
      await fanOutEvents(world.deps, { batchMax: 500, maxAgeMs: config.maxAgeMs, gapWaitMs: 0 });
    });

    test('a subscribed event is delivered once, signed, with its id in the header and the body', async () => {
      const { secret } = await endpoint(['balance.credited']);
      const [event] = await emit(world);
      await emit(world, 1, 'invoice.created');
      const w = worker();
      assert.equal((await w.runOnce()).delivered, 1);
      assert.equal((await w.runOnce()).delivered, 0);
      assert.equal(receiver.accepted.length, 1);
      const hook = receiver.accepted[0]!;
      assert.equal(hook.eventId, event!.id);
      const body = JSON.parse(hook.body);
      assert.equal(body.id, event!.id);
      assert.equal(body.type, 'balance.credited');
      assert.deepEqual(body.data, event!.payload);
      assert.equal(hook.headers['content-type'], 'application/json');
      const verified = verifyWebhookSignature(hook.body, hook.signature, secret, { now: world.clock.now() });
      assert.equal(verified.ok, true, JSON.stringify(verified));
      const [delivery] = await deliveriesOf(event!.id);
      assert.equal(delivery!.status, 'delivered');
      assert.equal(delivery!.attempts, 1);
      assert.equal(delivery!.lastStatusCode, 204);
      // Fanning out again (as after a crash before the cursor moved) creates nothing new.
      await world.deps.store.transaction((tx) => tx.webhooks.setCursor('fanout', 0, world.clock.now()));
      await w.runOnce();
      assert.equal(receiver.received.length, 1);
    });

    test('receiver down for a simulated day: retried on the backoff schedule, delivered once it returns', async () => {
      await endpoint();
      const [event] = await emit(world);
      await receiver.down();
      const w = worker();
      const start = world.clock.now().getTime();
      while (world.clock.now().getTime() - start < 24 * HOUR) {
        await w.runOnce();
        const [d] = await deliveriesOf(event!.id);
        assert.equal(d!.status, 'pending');
        world.clock.set(d!.nextAttemptAt);
      }
      await receiver.up();
      await w.runOnce();
      const [d] = await deliveriesOf(event!.id);
      assert.equal(d!.status, 'delivered');
      assert.equal(receiver.accepted.length, 1);
      const attempts = await world.deps.store.webhooks.attempts(d!.id);
      assert.equal(attempts.length, d!.attempts);
      assert.ok(attempts.length >= 10 && attempts.length <= 20, `attempts: ${attempts.length}`);
      for (let i = 1; i < attempts.length; i++) {
        const gap = attempts[i]!.at.getTime() - attempts[i - 1]!.at.getTime();
        assert.equal(gap, retryDelayMs(i, w.settings, fixedRandom), `gap after attempt ${i}`);
        assert.match(attempts[i - 1]!.error ?? '', /ECONNREFUSED/);
      }
      assert.equal(attempts.at(-1)!.statusCode, 204);
    });

    test('an endpoint with batch_max takes consecutive events per request, in order, signed as sent', async () => {
      const { secret } = await createWebhookEndpoint(world.deps, { url: receiver.url(), eventTypes: ['*'], batchMax: 4 });
      const events = await emit(world, 10);
      const summary = await worker().runOnce();
      assert.equal(summary.delivered, 10);
      assert.deepEqual(receiver.accepted.map((h) => h.headers['coffer-batch-size']), ['4', '4', '2']);
      const delivered = receiver.accepted.flatMap((hook) => {
        assert.equal(hook.headers['coffer-event-type'], 'batch');
        assert.equal(hook.headers['coffer-event-id'], undefined);
        assert.equal(verifyWebhookSignature(hook.body, hook.signature, secret, { now: world.clock.now() }).ok, true);
        const body = JSON.parse(hook.body) as { type: string; events: Array<{ id: string; type: string; data: unknown }> };
        assert.equal(body.type, 'batch');
        return body.events;
      });
      assert.deepEqual(delivered.map((e) => e.id), events.map((e) => e.id));
      assert.deepEqual(delivered[3]!.data, events[3]!.payload);
      for (const event of events) assert.equal((await deliveriesOf(event.id))[0]!.status, 'delivered');
      const [lone] = await emit(world);
      await worker().runOnce();
      const last = receiver.accepted.at(-1)!;
      assert.equal(last.headers['coffer-batch-size'], '1');
      assert.deepEqual((JSON.parse(last.body) as { events: Array<{ id: string }> }).events.map((e) => e.id), [lone!.id]);
    });

    test('a failed batch is retried whole, and nothing after it goes out first', async () => {
      await createWebhookEndpoint(world.deps, { url: receiver.url(), eventTypes: ['*'], batchMax: 3 });
      const events = await emit(world, 5);
      let failures = 1;
      receiver.decide = () => (failures-- > 0 ? 'status500' : null);
      const w = worker();
      const first = await w.runOnce();
      assert.deepEqual([first.delivered, first.retrying], [0, 3]);
      assert.equal(receiver.received.length, 1);
      const pending = await Promise.all(events.slice(0, 3).map(async (e) => (await deliveriesOf(e.id))[0]!));
      assert.equal(new Set(pending.map((d) => d.nextAttemptAt.getTime())).size, 1, 'the batch retries at one time');
      world.clock.set(pending[0]!.nextAttemptAt);
      const second = await w.runOnce();
      assert.equal(second.delivered, 5);
      const batches = receiver.received.map((h) => (JSON.parse(h.body) as { events: Array<{ id: string }> }).events.map((e) => e.id));
      assert.deepEqual(batches, [events.slice(0, 3).map((e) => e.id), events.slice(0, 3).map((e) => e.id), events.slice(3).map((e) => e.id)]);
      receiver.decide = null;
    });

    test('batch_max outside 1..500 is refused', async () => {
      for (const batchMax of [0, 501, 1.5]) {
        await assert.rejects(createWebhookEndpoint(world.deps, { url: receiver.url(), eventTypes: ['*'], batchMax }), /batch_max/);
      }
    });

    test('500, slow (timeout), garbage and redirect answers are failed attempts, retried until success', async () => {
      await endpoint();
      const [event] = await emit(world);
      const w = worker();
      const expectations: Array<[typeof receiver.mode, RegExp]> = [
        ['status500', /HTTP 500/], ['slow', /timed out/], ['garbage', /HPE_|Parse Error|socket hang up|ECONNRESET/], ['redirect', /redirect not followed/],
      ];
      for (const [mode, error] of expectations) {
        receiver.mode = mode;
        await w.runOnce();
        const [d] = await deliveriesOf(event!.id);
        assert.equal(d!.status, 'pending', mode);
        assert.match(d!.lastError ?? '', error, mode);
        world.clock.set(d!.nextAttemptAt);
      }
      receiver.mode = 'ok';
      await w.runOnce();
      const [d] = await deliveriesOf(event!.id);
      assert.equal(d!.status, 'delivered');
      assert.equal(d!.attempts, 5);
      const log = await world.deps.store.webhooks.attempts(d!.id);
      assert.deepEqual(log.map((a) => a.statusCode), [500, null, null, 302, 204]);
      assert.equal(receiver.accepted.length, 1);
    });

    test('a restarted worker resumes a retry; a crashed claim is taken over after its lease', async () => {
      await endpoint();
      const [first] = await emit(world);
      receiver.mode = 'status500';
      const a = worker('worker-a');
      await a.runOnce();
      await a.stop();
      receiver.mode = 'ok';
      const [pending] = await deliveriesOf(first!.id);
      world.clock.set(pending!.nextAttemptAt);
      const b = worker('worker-b');
      await b.runOnce();
      assert.equal((await deliveriesOf(first!.id))[0]!.status, 'delivered');

      // worker-c claims the lane and dies before sending: nobody else may send until the lease ends.
      const [second] = await emit(world);
      await fanOutEvents(world.deps, { batchMax: 500, maxAgeMs: config.maxAgeMs, gapWaitMs: 0 });
      const now = world.clock.now();
      assert.equal((await world.deps.store.webhooks.claimLanes('worker-c', now, new Date(now.getTime() + 60_000), 10)).length, 1);
      await b.runOnce();
      assert.equal((await deliveriesOf(second!.id))[0]!.status, 'pending');
      world.clock.advance(60_001);
      await b.runOnce();
      assert.equal((await deliveriesOf(second!.id))[0]!.status, 'delivered');
      assert.deepEqual(receiver.accepted.map((r) => r.eventId), [first!.id, second!.id]);
    });

    test('per-endpoint ordering: a failing event holds back the later ones until it is delivered', async () => {
      await endpoint();
      const events = await emit(world, 12);
      let failures = 0;
      receiver.decide = (id) => (id === events[4]!.id && failures++ < 2 ? 'status500' : null);
      const w = worker();
      for (let i = 0; i < 5; i++) {
        await w.runOnce();
        const [held] = await deliveriesOf(events[4]!.id);
        if (held!.status === 'delivered') break;
        world.clock.set(held!.nextAttemptAt);
      }
      await w.runOnce();
      receiver.decide = null;
      assert.deepEqual(receiver.accepted.map((r) => r.eventId), events.map((e) => e.id));
      const order = receiver.received.map((r) => r.eventId);
      assert.deepEqual(order.slice(4, 7), [events[4]!.id, events[4]!.id, events[4]!.id]);
    });

    test('after the deadline a delivery is marked failed and the lane moves on', async () => {
      await endpoint();
      const [doomed, next] = await emit(world, 2);
      receiver.mode = 'status500';
      const w = worker();
      for (let i = 0; i < 60; i++) {
        await w.runOnce();
        const [d] = await deliveriesOf(doomed!.id);
        if (d!.status !== 'pending') break;
        world.clock.set(d!.nextAttemptAt);
      }
      const [d] = await deliveriesOf(doomed!.id);
      assert.equal(d!.status, 'failed');
      assert.equal(d!.lastAttemptAt!.getTime(), d!.deadlineAt.getTime());
      assert.equal(d!.deadlineAt.getTime() - d!.createdAt.getTime(), config.maxAgeMs);
      receiver.mode = 'ok';
      await w.runOnce();
      assert.equal((await deliveriesOf(next!.id))[0]!.status, 'delivered');
      assert.deepEqual(receiver.accepted.map((r) => r.eventId), [next!.id]);
    });

    test('redelivery by event id and by outbox range sends the same event id and body again', async () => {
      const { endpoint: e } = await endpoint(['balance.credited']);
      const events = await emit(world, 3);
      const w = worker();
      await w.runOnce();
      assert.equal(receiver.accepted.length, 3);
      const again = await redeliverEvents(world.deps, { eventIds: [events[1]!.id] }, config.maxAgeMs);
      assert.equal(again.created, 1);
      await w.runOnce();
      assert.equal(receiver.accepted.length, 4);
      assert.equal(receiver.accepted[3]!.eventId, events[1]!.id);
      assert.equal(receiver.accepted[3]!.body, receiver.accepted[1]!.body);
      const deliveries = await deliveriesOf(events[1]!.id);
      assert.equal(deliveries.length, 2);
      assert.equal(deliveries[0]!.redeliveryOf, deliveries[1]!.id);

      // A range replay to an endpoint added later includes events from before it existed.
      const { endpoint: late } = await endpoint(['balance.credited']);
      const seqs = (await world.deps.store.webhooks.outboxByIds(events.map((x) => x.id))).map((r) => r.seq);
      const replay = await redeliverEvents(world.deps, { fromSeq: seqs[0]!, toSeq: seqs[2]!, endpointId: late.id }, config.maxAgeMs);
      assert.equal(replay.created, 3);
      await w.runOnce();
      assert.deepEqual(receiver.accepted.slice(4).map((r) => r.eventId), events.map((x) => x.id));
      assert.ok(e.id !== late.id);
    });

    test('secret rotation: both secrets sign during the overlap, only the new one after it', async () => {
      const { endpoint: e, secret: old } = await endpoint();
      const { secret: fresh } = await rotateWebhookSecret(world.deps, e.id, HOUR);
      await emit(world);
      const w = worker();
      await w.runOnce();
      const during = receiver.accepted.at(-1)!;
      assert.equal(during.signature!.split(',').length, 3);
      for (const secret of [old, fresh]) assert.equal(verifyWebhookSignature(during.body, during.signature, secret, { now: world.clock.now() }).ok, true);
      world.clock.advance(HOUR + 1);
      await emit(world);
      await w.runOnce();
      const afterOverlap = receiver.accepted.at(-1)!;
      assert.equal(verifyWebhookSignature(afterOverlap.body, afterOverlap.signature, fresh, { now: world.clock.now() }).ok, true);
      assert.equal(verifyWebhookSignature(afterOverlap.body, afterOverlap.signature, old, { now: world.clock.now() }).ok, false);
    });

    test('loopback targets are refused unless private targets are allowed', async () => {
      await endpoint();
      const [event] = await emit(world);
      const strict = new WebhookWorker(world.useCases, { ...config, allowPrivate: false }, { holder: 'strict', random: fixedRandom });
      await strict.runOnce();
      await strict.stop();
      const [d] = await deliveriesOf(event!.id);
      assert.equal(d!.status, 'pending');
      assert.match(d!.lastError ?? '', /refused: .*non-public address 127\.0\.0\.1/);
      assert.equal(receiver.received.length, 0);
    });
  });
}
