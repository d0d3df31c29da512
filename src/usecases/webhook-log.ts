// The operator's reads of webhook endpoints and the delivery log, for the admin API and the CLI
// (which reach storage only through use cases), returned in their wire view.

import type { WebhookAttemptWire, WebhookDeliveryWire, WebhookEndpointWire } from '../core/webhook-wire-schema.ts';
import type { WebhookDeliveryStatus } from '../core/events.ts';
import { AdminLimits } from '../core/limits.ts';
import type { Deps } from './deps.ts';
import { presentWebhookAttempt, presentWebhookDelivery, presentWebhookEndpoint } from './webhook-views.ts';

export interface DeliveryQuery {
  readonly endpointId?: string | undefined;
  readonly eventId?: string | undefined;
  readonly status?: WebhookDeliveryStatus | undefined;
  /** Only deliveries older than this outbox sequence (the previous page's `next_before`). */
  readonly beforeSeq?: number | undefined;
  readonly limit?: number | undefined;
}

export interface DeliveryPage {
  readonly deliveries: WebhookDeliveryWire[];
  /** The `before` for the next page, absent when this page is empty. */
  readonly nextBefore: number | undefined;
}

/** Newest first, at most `limit` (the page bound applies to the API and the CLI alike). */
export async function listWebhookDeliveries(deps: Pick<Deps, 'store'>, query: DeliveryQuery): Promise<DeliveryPage> {
  const limit = Math.min(Math.max(1, query.limit ?? AdminLimits.deliveryPageDefault), AdminLimits.deliveryPageMax);
  const rows = await deps.store.webhooks.deliveries({ ...query, limit });
  return { deliveries: rows.map(presentWebhookDelivery), nextBefore: rows.at(-1)?.seq };
}

/** One delivery with its attempt log, or null. */
export async function webhookDeliveryWithAttempts(deps: Pick<Deps, 'store'>, id: string): Promise<(WebhookDeliveryWire & { attempt_log: WebhookAttemptWire[] }) | null> {
  const delivery = await deps.store.webhooks.delivery(id);
  if (!delivery) return null;
  const attempts = await deps.store.webhooks.attempts(delivery.id);
  return { ...presentWebhookDelivery(delivery), attempt_log: attempts.map(presentWebhookAttempt) };
}

export async function getWebhookEndpoint(deps: Pick<Deps, 'store'>, id: string): Promise<WebhookEndpointWire | null> {
  const endpoint = await deps.store.webhooks.endpoint(id);
  return endpoint ? presentWebhookEndpoint(endpoint) : null;
}
