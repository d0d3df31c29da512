// Operator webhook routes, mounted inside adminRoutes (so behind the admin token):
// endpoints (secret shown once), secret rotation, the delivery log, redelivery, and the
// per-account secret that signs deposits' own webhook_url POSTs. Schemas are TypeBox, used
// through Fastify's type provider (schemas.ts explains the setup).

import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { TObject, TProperties, TSchema } from 'typebox';
import { CofferError } from '../core/errors.ts';
import { WebhookDeliveryStatuses } from '../core/events.ts';
import { WebhookAttemptWire, WebhookDeliveryWire, WebhookEndpointWire } from '../core/webhook-wire-schema.ts';
import { isoTime, stringEnum } from '../core/wire-schema.ts';
import type { WebhookEndpoint } from '../usecases/admin-webhooks.ts';
import type { AppContext } from './app.ts';
import { ok } from './envelope.ts';
import { ADMIN_TOKEN_ACTOR } from '../usecases/operator-audit.ts';
import type { RedeliverInput } from '../usecases/webhook-redeliver.ts';
import type { EndpointWithSecret } from '../usecases/webhook-endpoints.ts';
import { idempotent } from './guards.ts';
import { presentWebhookEndpoint } from '../usecases/webhook-views.ts';
import { idParams, meta } from './schemas.ts';
import { AdminLimits, Limits, WebhookLimits } from '../core/limits.ts';

const HOUR_MS = 3_600_000;
// One schema with `type: ['object', 'null']` rather than a union: Ajv then reports the field at
// fault (`overlap_hours must be integer`), not the first branch of an anyOf, and the edge check
// finds the integer field among its properties.
const overlapBody = Type.Unsafe<{ overlap_hours?: number } | null>({
  type: ['object', 'null'], properties: { overlap_hours: Type.Integer({ minimum: 0, maximum: WebhookLimits.rotationOverlapMsMax / HOUR_MS }) }, additionalProperties: false,
});
const endpointBody = Type.Object({
  url: Type.String({ minLength: 1, maxLength: Limits.webhookUrlLengthMax }),
  events: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 50 }),
  description: Type.Optional(Type.String({ maxLength: Limits.descriptionLengthMax })),
  batch_max: Type.Optional(Type.Integer({ minimum: 1, maximum: WebhookLimits.endpointBatchMax })),
}, { additionalProperties: false });
const redeliverBody = Type.Object({
  event_ids: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: WebhookLimits.redeliverEventsMax })),
  from_seq: Type.Optional(Type.Integer({ minimum: 1 })), to_seq: Type.Optional(Type.Integer({ minimum: 1 })),
  endpoint_id: Type.Optional(Type.String({ maxLength: 100 })),
}, { additionalProperties: false });
const deliveryQuery = Type.Object({
  endpoint_id: Type.Optional(Type.String({ maxLength: 100 })), event_id: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(stringEnum(WebhookDeliveryStatuses)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AdminLimits.deliveryPageMax })), before: Type.Optional(Type.Integer({ minimum: 1 })),
}, { additionalProperties: false });
const listQuery = Type.Object({ all: Type.Optional(Type.String({ description: "'true' lists removed endpoints too." })) });

/** The admin envelope around `data`; `extra` adds meta fields (the delivery log's `next_before`). */
function adminEnvelope<T extends TSchema, E extends TProperties = Record<never, never>>(data: T, extra?: TObject<E>) {
  return Type.Object({ meta: Type.Object({ ...meta.properties, ...(extra?.properties as E) }), data });
}
const endpointWithSecret = Type.Object({ ...WebhookEndpointWire.properties, secret: Type.String({ description: 'Shown once.' }) });
const accountSecret = Type.Object({ account_id: Type.String(), secret: Type.String({ description: 'Shown once.' }), previous_secret_expires_time: Type.Optional(isoTime()) });
const redelivered = Type.Object({ created: Type.Integer(), delivery_ids: Type.Array(Type.String()) });
const removed = Type.Object({ id: Type.String(), removed: Type.Literal(true), cancelled_deliveries: Type.Integer() });
const deliveryWithLog = Type.Object({ ...WebhookDeliveryWire.properties, attempt_log: Type.Array(WebhookAttemptWire) });

const overlapMs = (body: { overlap_hours?: number } | null) => {
  const hours = body?.overlap_hours;
  return hours === undefined ? WebhookLimits.rotationOverlapMsDefault : hours * HOUR_MS;
};

export interface WebhookRouteOptions {
  /** How long redeliveries are retried (the worker's COFFER_WEBHOOK_MAX_AGE_MS). */
  readonly maxAgeMs?: number;
}

export async function webhookRoutes(plain: FastifyInstance, context: AppContext, options: WebhookRouteOptions = {}): Promise<void> {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { useCases } = context;
  const maxAgeMs = options.maxAgeMs ?? WebhookLimits.deliveryMaxAgeMsDefault;

  app.post('/webhooks', { schema: { body: endpointBody, response: { 201: adminEnvelope(endpointWithSecret) } } }, async (request, reply) => {
    const { body } = request;
    return idempotent<EndpointWithSecret>(context, 'admin', request, reply, {
      run: (record) => useCases.adminCreateEndpoint(ADMIN_TOKEN_ACTOR, { url: body.url, eventTypes: body.events, description: body.description, batchMax: body.batch_max }, record),
      render: ({ endpoint, secret }) => ({ status: 201, body: ok(request, { ...presentWebhookEndpoint(endpoint), secret }) }),
    });
  });

  app.get('/webhooks', { schema: { querystring: listQuery, response: { 200: adminEnvelope(Type.Array(WebhookEndpointWire)) } } }, async (request) => {
    const all = request.query.all === 'true';
    return ok(request, (await useCases.listWebhookEndpoints(all)).map(presentWebhookEndpoint));
  });

  const deliveryPageMeta = Type.Object({ next_before: Type.Optional(Type.Integer({ description: 'Pass as `before` for the next page.' })) });
  app.get('/webhooks/deliveries', { schema: { querystring: deliveryQuery, response: { 200: adminEnvelope(Type.Array(WebhookDeliveryWire), deliveryPageMeta) } } }, async (request) => {
    const q = request.query;
    const page = await useCases.listWebhookDeliveries({ endpointId: q.endpoint_id, eventId: q.event_id, status: q.status, beforeSeq: q.before, limit: q.limit });
    return ok(request, page.deliveries, page.nextBefore === undefined ? {} : { next_before: page.nextBefore });
  });

  app.get('/webhooks/deliveries/:id', { schema: { params: idParams, response: { 200: adminEnvelope(deliveryWithLog) } } }, async (request) => {
    const delivery = await useCases.webhookDeliveryWithAttempts(request.params.id);
    if (!delivery) throw new CofferError('not_found', 'No such delivery');
    return ok(request, delivery);
  });

  app.post('/webhooks/redeliver', { schema: { body: redeliverBody, response: { 202: adminEnvelope(redelivered) } } }, async (request, reply) => {
    const { body } = request;
    let input: RedeliverInput;
    if (body.event_ids) input = { eventIds: body.event_ids, endpointId: body.endpoint_id };
    else if (body.from_seq !== undefined && body.to_seq !== undefined && body.endpoint_id !== undefined) {
      input = { fromSeq: body.from_seq, toSeq: body.to_seq, endpointId: body.endpoint_id };
    } else throw new CofferError('missing_param', 'Give event_ids, or from_seq, to_seq and endpoint_id', { field: 'event_ids' });
    return idempotent<{ created: number; deliveryIds: string[] }>(context, 'admin', request, reply, {
      run: (record) => useCases.adminRedeliver(ADMIN_TOKEN_ACTOR, input, maxAgeMs, record),
      render: (result) => ({ status: 202, body: ok(request, { created: result.created, delivery_ids: result.deliveryIds }) }),
    });
  });

  app.post('/webhooks/account-secrets/:id', { schema: { params: idParams, body: overlapBody, response: { 201: adminEnvelope(accountSecret) } } }, async (request, reply) => {
    const accountId = request.params.id;
    const overlap = overlapMs(request.body);
    return idempotent<{ secret: string; previousExpiresAt: Date | null }>(context, 'admin', request, reply, {
      run: (record) => useCases.rotateAccountWebhookSecret(accountId, overlap, record),
      render: (rotated) => ({ status: 201, body: ok(request, { account_id: accountId, secret: rotated.secret, previous_secret_expires_time: rotated.previousExpiresAt?.toISOString() }) }),
    });
  });

  app.get('/webhooks/:id', { schema: { params: idParams, response: { 200: adminEnvelope(WebhookEndpointWire) } } }, async (request) => {
    const endpoint = await useCases.getWebhookEndpoint(request.params.id);
    if (!endpoint) throw new CofferError('not_found', 'No such webhook endpoint');
    return ok(request, endpoint);
  });

  app.delete('/webhooks/:id', { schema: { params: idParams, response: { 200: adminEnvelope(removed) } } }, async (request) => {
    const { id } = request.params;
    const { cancelled } = await useCases.adminRemoveEndpoint(ADMIN_TOKEN_ACTOR, id);
    return ok(request, { id, removed: true as const, cancelled_deliveries: cancelled });
  });

  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    app.post(`/webhooks/:id/${action}`, { schema: { params: idParams, response: { 200: adminEnvelope(WebhookEndpointWire) } } }, async (request, reply) => {
      const { id } = request.params;
      return idempotent<WebhookEndpoint>(context, 'admin', request, reply, {
        run: (record) => useCases.setEndpointPaused(ADMIN_TOKEN_ACTOR, id, paused, record),
        render: (endpoint) => ({ status: 200, body: ok(request, presentWebhookEndpoint(endpoint)) }),
      });
    });
  }

  app.post('/webhooks/:id/rotate-secret', { schema: { params: idParams, body: overlapBody, response: { 201: adminEnvelope(endpointWithSecret) } } }, async (request, reply) => {
    const { id } = request.params;
    const overlap = overlapMs(request.body);
    return idempotent<EndpointWithSecret>(context, 'admin', request, reply, {
      run: (record) => useCases.adminRotateEndpointSecret(ADMIN_TOKEN_ACTOR, id, overlap, record),
      render: ({ endpoint, secret }) => ({ status: 201, body: ok(request, { ...presentWebhookEndpoint(endpoint), secret }) }),
    });
  });
}
