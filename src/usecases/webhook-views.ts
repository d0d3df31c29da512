// How webhook endpoints and deliveries are shown to the operator (admin API and CLI). Secrets
// never appear here: they are shown once, by the call that creates them.

import type { WebhookAttemptWire, WebhookDeliveryWire, WebhookEndpointWire } from '../core/webhook-wire-schema.ts';
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../storage/webhooks-store.ts';

const isoOrUndefined = (d: Date | null) => (d ? d.toISOString() : undefined);

export function presentWebhookEndpoint(endpoint: WebhookEndpoint): WebhookEndpointWire {
  return {
    id: endpoint.id, url: endpoint.url, events: [...endpoint.eventTypes], description: endpoint.description ?? undefined,
    status: endpoint.status, batch_max: endpoint.batchMax, previous_secret_expires_time: isoOrUndefined(endpoint.previousExpiresAt),
    created_time: endpoint.createdAt.toISOString(), updated_time: endpoint.updatedAt.toISOString(),
  };
}

export function presentWebhookDelivery(d: WebhookDelivery): WebhookDeliveryWire {
  return {
    id: d.id, event_id: d.eventId, event_type: d.eventType, outbox_seq: d.outboxSeq, endpoint_id: d.endpointId ?? undefined,
    invoice_id: d.invoiceId ?? undefined, url: d.url, status: d.status, attempts: d.attempts,
    next_attempt_time: d.status === 'pending' ? d.nextAttemptAt.toISOString() : undefined, deadline_time: d.deadlineAt.toISOString(),
    last_attempt_time: isoOrUndefined(d.lastAttemptAt), last_status_code: d.lastStatusCode ?? undefined, last_error: d.lastError ?? undefined,
    delivered_time: isoOrUndefined(d.deliveredAt), redelivery_of: d.redeliveryOf ?? undefined, created_time: d.createdAt.toISOString(),
  };
}

export function presentWebhookAttempt(a: WebhookAttempt): WebhookAttemptWire {
  return {
    attempt: a.attempt, time: a.at.toISOString(), status_code: a.statusCode ?? undefined, error: a.error ?? undefined,
    duration_ms: a.durationMs, response_excerpt: a.responseExcerpt ?? undefined,
  };
}
