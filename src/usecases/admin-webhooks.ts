// Webhook operations of the operator (admin API and console): endpoints, the delivery log,
// redelivery, pause and resume. A paused endpoint keeps receiving events into its lane (in
// order); nothing is sent until it is resumed, when the lane wakes. Writes are audited.

import { CofferError } from '../core/errors.ts';
import type { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint } from '../storage/webhooks-store.ts';
import type { Deps } from './deps.ts';
import type { RecordResponse } from './idempotency.ts';
import { audited } from './operator-audit.ts';
import type { Actor } from './operator-audit.ts';
import { createWebhookEndpoint, endpointLaneKey, removeWebhookEndpoint, rotateWebhookSecret } from './webhook-endpoints.ts';
import type { EndpointWithSecret, NewEndpointInput } from './webhook-endpoints.ts';
import { redeliverEvents } from './webhook-redeliver.ts';
import type { RedeliverInput } from './webhook-redeliver.ts';
import { AdminLimits } from '../core/limits.ts';

export type { WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint } from '../storage/webhooks-store.ts';


export interface DeliveryQuery {
  readonly endpointId?: string | undefined;
  readonly eventId?: string | undefined;
  readonly status?: WebhookDeliveryStatus | undefined;
  readonly beforeSeq?: number | undefined;
  readonly limit?: number | undefined;
}

const endpointState = (e: WebhookEndpoint) => ({ id: e.id, url: e.url, status: e.status, events: e.eventTypes, batch_max: e.batchMax });

export async function webhookEndpoint(deps: Pick<Deps, 'store'>, id: string): Promise<WebhookEndpoint> {
  const endpoint = await deps.store.webhooks.endpoint(id);
  if (!endpoint) throw new CofferError('not_found', 'No such webhook endpoint');
  return endpoint;
}

export function webhookDeliveries(deps: Pick<Deps, 'store'>, query: DeliveryQuery): Promise<WebhookDelivery[]> {
  return deps.store.webhooks.deliveries({
    endpointId: query.endpointId, eventId: query.eventId, status: query.status, beforeSeq: query.beforeSeq,
    limit: Math.min(Math.max(1, query.limit ?? AdminLimits.deliveryPageDefault), AdminLimits.deliveryPageMax),
  });
}

export async function webhookDelivery(deps: Pick<Deps, 'store'>, id: string): Promise<{ delivery: WebhookDelivery; attempts: WebhookAttempt[] }> {
  const delivery = await deps.store.webhooks.delivery(id);
  if (!delivery) throw new CofferError('not_found', 'No such delivery');
  return { delivery, attempts: await deps.store.webhooks.attempts(id) };
}

export function adminCreateEndpoint(deps: Pick<Deps, 'store' | 'clock'>, actor: Actor, input: NewEndpointInput, record?: RecordResponse<EndpointWithSecret>): Promise<EndpointWithSecret> {
  return createWebhookEndpoint(deps, input, audited(deps, actor, { action: 'webhook.create', target: 'webhook:new', after: (r: EndpointWithSecret) => endpointState(r.endpoint) }, record));
}

export async function adminRotateEndpointSecret(deps: Pick<Deps, 'store' | 'clock'>, actor: Actor, id: string, overlapMs: number, record?: RecordResponse<EndpointWithSecret>): Promise<EndpointWithSecret> {
  return rotateWebhookSecret(deps, id, overlapMs, audited(deps, actor, { action: 'webhook.rotate_secret', target: `webhook:${id}`, after: (r: EndpointWithSecret) => endpointState(r.endpoint) }, record));
}

export async function adminRemoveEndpoint(deps: Pick<Deps, 'store' | 'clock'>, actor: Actor, id: string): Promise<{ cancelled: number }> {
  const before = await webhookEndpoint(deps, id);
  const result = await removeWebhookEndpoint(deps, id);
  await deps.store.transaction((tx) => tx.operators.appendAudit({
    actorId: actor.id, actorName: actor.name, action: 'webhook.remove', target: `webhook:${id}`,
    before: JSON.stringify(endpointState(before)), after: JSON.stringify({ status: 'removed', cancelled_deliveries: result.cancelled }), at: deps.clock.now(),
  }));
  return result;
}

export type RedeliverResult = { created: number; deliveryIds: string[] };

export function adminRedeliver(deps: Pick<Deps, 'store' | 'clock'>, actor: Actor, input: RedeliverInput, maxAgeMs: number, record?: RecordResponse<RedeliverResult>): Promise<RedeliverResult> {
  const target = input.endpointId !== undefined ? `webhook:${input.endpointId}` : `events:${'eventIds' in input ? input.eventIds.slice(0, 3).join(',') : ''}`;
  return redeliverEvents(deps, input, maxAgeMs, audited(deps, actor, {
    action: 'webhook.redeliver', target, before: 'eventIds' in input ? { event_ids: input.eventIds.length } : { from_seq: input.fromSeq, to_seq: input.toSeq },
    after: (r: RedeliverResult) => ({ created: r.created, delivery_ids: r.deliveryIds.slice(0, 20) }),
  }, record));
}

/** Pauses (nothing sent, events still queued) or resumes (the lane wakes now) an endpoint. */
export async function setEndpointPaused(deps: Pick<Deps, 'store' | 'clock'>, actor: Actor, id: string, paused: boolean, record?: RecordResponse<WebhookEndpoint>): Promise<WebhookEndpoint> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const endpoint = await tx.webhooks.endpoint(id);
    if (!endpoint || endpoint.status === 'removed') throw new CofferError('not_found', 'No such webhook endpoint');
    const status = paused ? 'paused' : 'enabled';
    const updated: WebhookEndpoint = { ...endpoint, status, updatedAt: now };
    if (endpoint.status !== status) {
      await tx.webhooks.setEndpointStatus(id, status, now);
      if (!paused) await tx.webhooks.wakeLanes([endpointLaneKey(id)], now);
    }
    await audited(deps, actor, { action: paused ? 'webhook.pause' : 'webhook.resume', target: `webhook:${id}`, before: endpointState(endpoint), after: endpointState }, record)(tx, updated);
    return updated;
  });
}
