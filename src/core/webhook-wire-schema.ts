// The operator's view of webhook endpoints, deliveries and attempts (admin API and CLI), declared
// once with TypeBox: the admin routes' response schemas and the presenters' return types
// (usecases/webhook-views.ts). Secrets never appear here: the calls that create them add them.

import { Type } from 'typebox';
import type { Static } from 'typebox';
import { EventTypes, WebhookDeliveryStatuses, WebhookEndpointStatuses } from './events.ts';
import { isoTime, stringEnum } from './wire-schema.ts';

export const WebhookEndpointWire = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String(), { description: `Event types (${EventTypes.length} known) or '*' for all.` }),
  description: Type.Optional(Type.String()),
  status: stringEnum(WebhookEndpointStatuses),
  batch_max: Type.Integer(),
  previous_secret_expires_time: Type.Optional(isoTime('During a rotation: when the previous secret stops signing.')),
  created_time: isoTime(),
  updated_time: isoTime(),
}, { title: 'WebhookEndpoint' });
export type WebhookEndpointWire = Static<typeof WebhookEndpointWire>;

export const WebhookDeliveryWire = Type.Object({
  id: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  outbox_seq: Type.Integer(),
  endpoint_id: Type.Optional(Type.String()),
  invoice_id: Type.Optional(Type.String()),
  url: Type.String(),
  status: stringEnum(WebhookDeliveryStatuses),
  attempts: Type.Integer(),
  next_attempt_time: Type.Optional(isoTime()),
  deadline_time: isoTime(),
  last_attempt_time: Type.Optional(isoTime()),
  last_status_code: Type.Optional(Type.Integer()),
  last_error: Type.Optional(Type.String()),
  delivered_time: Type.Optional(isoTime()),
  redelivery_of: Type.Optional(Type.String()),
  created_time: isoTime(),
}, { title: 'WebhookDelivery' });
export type WebhookDeliveryWire = Static<typeof WebhookDeliveryWire>;

export const WebhookAttemptWire = Type.Object({
  attempt: Type.Integer(),
  time: isoTime(),
  status_code: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
  duration_ms: Type.Integer(),
  response_excerpt: Type.Optional(Type.String()),
}, { title: 'WebhookAttempt' });
export type WebhookAttemptWire = Static<typeof WebhookAttemptWire>;
