// Redelivery on the operator's request: by event id (to every lane that had it, or to one
// endpoint), or by outbox range to one endpoint (which also replays events from before the
// endpoint existed). A redelivery is a new delivery row with the same event id and body, queued
// at the end of its lane; receivers recognise the repeat by the event id.

import { CofferError } from '../core/errors.ts';
import type { NewWebhookDelivery } from '../storage/webhooks-store.ts';
import type { Deps } from './deps.ts';
import type { RecordResponse } from './idempotency.ts';
import { endpointDelivery } from './webhook-fanout.ts';
import { newPrefixedId } from '../storage/ids.ts';
import { WebhookLimits } from '../core/limits.ts';


export type RedeliverInput =
  | { readonly eventIds: readonly string[]; readonly endpointId?: string | undefined }
  | { readonly fromSeq: number; readonly toSeq: number; readonly endpointId: string };

function copyOf(original: NewWebhookDelivery & { id: string }, id: string, now: Date, maxAgeMs: number): NewWebhookDelivery {
  return { ...original, id, dedupeKey: null, redeliveryOf: original.id, createdAt: now, deadlineAt: new Date(now.getTime() + maxAgeMs) };
}

function newId(): string {
  return newPrefixedId('whd');
}

/** Queues redeliveries; returns how many deliveries were created. */
export async function redeliverEvents(deps: Pick<Deps, 'store' | 'clock'>, input: RedeliverInput, maxAgeMs: number, record?: RecordResponse<{ created: number; deliveryIds: string[] }>): Promise<{ created: number; deliveryIds: string[] }> {
  const now = deps.clock.now();
  const endpoint = input.endpointId === undefined ? null : await deps.store.webhooks.endpoint(input.endpointId);
  if (input.endpointId !== undefined && (!endpoint || endpoint.status === 'removed')) throw new CofferError('not_found', 'No such webhook endpoint');
  let deliveries: NewWebhookDelivery[];
  if ('eventIds' in input) {
    if (input.eventIds.length === 0 || input.eventIds.length > WebhookLimits.redeliverEventsMax) {
      throw new CofferError('invalid_param', `Give 1..${WebhookLimits.redeliverEventsMax} event ids`, { field: 'event_ids' });
    }
    if (endpoint) {
      const rows = await deps.store.webhooks.outboxByIds(input.eventIds);
      deliveries = rows.flatMap((row) => endpointDelivery(row, { ...endpoint, eventTypes: ['*'] }, now, maxAgeMs, true) ?? []);
    } else {
      const originals = await deps.store.webhooks.latestDeliveriesOf(input.eventIds);
      const live = await Promise.all(originals.map(async (d) => d.endpointId === null || ['enabled', 'paused'].includes((await deps.store.webhooks.endpoint(d.endpointId))?.status ?? 'removed')));
      deliveries = originals.filter((_, i) => live[i]).map((d) => copyOf(d, newId(), now, maxAgeMs));
    }
    if (deliveries.length === 0) throw new CofferError('not_found', 'No deliverable event with those ids');
  } else {
    if (!Number.isSafeInteger(input.fromSeq) || !Number.isSafeInteger(input.toSeq) || input.fromSeq < 1 || input.toSeq < input.fromSeq
      || input.toSeq - input.fromSeq >= WebhookLimits.redeliverEventsMax) {
      throw new CofferError('invalid_param', `from_seq..to_seq must be a range of at most ${WebhookLimits.redeliverEventsMax} outbox positions`, { field: 'from_seq' });
    }
    const rows = await deps.store.webhooks.outboxRange(input.fromSeq, input.toSeq, WebhookLimits.redeliverEventsMax);
    deliveries = rows.flatMap((row) => endpointDelivery(row, endpoint!, now, maxAgeMs, true) ?? []);
  }
  return deps.store.transaction(async (tx) => {
    const lanes = await tx.webhooks.insertDeliveries(deliveries, now);
    await tx.webhooks.wakeLanes(lanes, now);
    const result = { created: deliveries.length, deliveryIds: deliveries.map((d) => d.id) };
    if (record) await record(tx, result);
    return result;
  });
}
