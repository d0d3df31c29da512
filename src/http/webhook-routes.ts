// Operator webhook routes, mounted inside adminRoutes (so behind the admin token):
// endpoints (secret shown once), secret rotation, the delivery log, redelivery, and the
// per-account secret that signs deposits' own webhook_url POSTs.

import type { FastifyInstance } from 'fastify';
import { CofferError } from '../core/errors.ts';
import type { WebhookDeliveryStatus, WebhookEndpoint } from '../usecases/admin-webhooks.ts';
import type { AppContext } from './app.ts';
import { ok } from './envelope.ts';
import { DELIVERY_MAX_AGE_MS_DEFAULT } from '../usecases/webhook-deliver.ts';
import { BATCH_MAX_LIMIT, listWebhookEndpoints, rotateAccountWebhookSecret, ROTATION_OVERLAP_MS_DEFAULT } from '../usecases/webhook-endpoints.ts';
import {
  adminCreateEndpoint, adminRedeliver, adminRemoveEndpoint, adminRotateEndpointSecret, setEndpointPaused, webhookDeliveries, webhookDelivery, webhookEndpoint,
} from '../usecases/admin-webhooks.ts';
import { ADMIN_TOKEN_ACTOR } from '../usecases/operator-audit.ts';
import type { RedeliverInput } from '../usecases/webhook-redeliver.ts';
import type { EndpointWithSecret } from '../usecases/webhook-endpoints.ts';
import { idempotent } from './guards.ts';
import { presentWebhookAttempt, presentWebhookDelivery, presentWebhookEndpoint } from '../usecases/webhook-views.ts';

const HOUR_MS = 3_600_000;
const DELIVERY_PAGE_MAX = 200;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } } as const;
const overlapBody = { type: ['object', 'null'], properties: { overlap_hours: { type: 'integer', minimum: 0, maximum: 720 } }, additionalProperties: false } as const;
const endpointBody = {
  type: 'object', required: ['url', 'events'], additionalProperties: false,
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    events: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', maxLength: 64 } },
    description: { type: 'string', maxLength: 500 },
    batch_max: { type: 'integer', minimum: 1, maximum: BATCH_MAX_LIMIT },
  },
} as const;
const redeliverBody = {
  type: 'object', additionalProperties: false,
  properties: {
    event_ids: { type: 'array', minItems: 1, maxItems: 10_000, items: { type: 'string', maxLength: 100 } },
    from_seq: { type: 'integer', minimum: 1 }, to_seq: { type: 'integer', minimum: 1 },
    endpoint_id: { type: 'string', maxLength: 100 },
  },
} as const;
const deliveryQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    endpoint_id: { type: 'string', maxLength: 100 }, event_id: { type: 'string', maxLength: 100 },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed', 'cancelled'] },
    limit: { type: 'integer', minimum: 1, maximum: DELIVERY_PAGE_MAX }, before: { type: 'integer', minimum: 1 },
  },
} as const;

const overlapMs = (body: unknown) => {
  const hours = (body as { overlap_hours?: number } | null)?.overlap_hours;
  return hours === undefined ? ROTATION_OVERLAP_MS_DEFAULT : hours * HOUR_MS;
};

export interface WebhookRouteOptions {
  /** How long redeliveries are retried (the worker's COFFER_WEBHOOK_MAX_AGE_MS). */
  readonly maxAgeMs?: number;
}

export async function webhookRoutes(app: FastifyInstance, context: AppContext, options: WebhookRouteOptions = {}): Promise<void> {
  const { deps } = context;
  const maxAgeMs = options.maxAgeMs ?? DELIVERY_MAX_AGE_MS_DEFAULT;

  app.post('/webhooks', { schema: { body: endpointBody } }, async (request, reply) => {
    const body = request.body as { url: string; events: string[]; description?: string; batch_max?: number };
    return idempotent<EndpointWithSecret>(context, 'admin', request, reply, {
      run: (record) => adminCreateEndpoint(deps, ADMIN_TOKEN_ACTOR, { url: body.url, eventTypes: body.events, description: body.description, batchMax: body.batch_max }, record),
      render: ({ endpoint, secret }) => ({ status: 201, body: ok(request, { ...presentWebhookEndpoint(endpoint), secret }) }),
    });
  });

  app.get('/webhooks', async (request) => {
    const all = (request.query as { all?: string }).all === 'true';
    return ok(request, (await listWebhookEndpoints(deps, all)).map(presentWebhookEndpoint));
  });

  app.get('/webhooks/deliveries', { schema: { querystring: deliveryQuery } }, async (request) => {
    const q = request.query as { endpoint_id?: string; event_id?: string; status?: WebhookDeliveryStatus; limit?: number; before?: number };
    const rows = await webhookDeliveries(deps, { endpointId: q.endpoint_id, eventId: q.event_id, status: q.status, beforeSeq: q.before, limit: q.limit ?? 50 });
    return ok(request, rows.map(presentWebhookDelivery), rows.length > 0 ? { next_before: rows.at(-1)!.seq } : {});
  });

  app.get('/webhooks/deliveries/:id', { schema: { params: idParams } }, async (request) => {
    const { delivery, attempts } = await webhookDelivery(deps, (request.params as { id: string }).id);
    return ok(request, { ...presentWebhookDelivery(delivery), attempt_log: attempts.map(presentWebhookAttempt) });
  });

  app.post('/webhooks/redeliver', { schema: { body: redeliverBody } }, async (request, reply) => {
    const body = request.body as { event_ids?: string[]; from_seq?: number; to_seq?: number; endpoint_id?: string };
    let input: RedeliverInput;
    if (body.event_ids) input = { eventIds: body.event_ids, endpointId: body.endpoint_id };
    else if (body.from_seq !== undefined && body.to_seq !== undefined && body.endpoint_id !== undefined) {
      input = { fromSeq: body.from_seq, toSeq: body.to_seq, endpointId: body.endpoint_id };
    } else throw new CofferError('missing_param', 'Give event_ids, or from_seq, to_seq and endpoint_id', { field: 'event_ids' });
    return idempotent<{ created: number; deliveryIds: string[] }>(context, 'admin', request, reply, {
      run: (record) => adminRedeliver(deps, ADMIN_TOKEN_ACTOR, input, maxAgeMs, record),
      render: (result) => ({ status: 202, body: ok(request, { created: result.created, delivery_ids: result.deliveryIds }) }),
    });
  });

  app.post('/webhooks/account-secrets/:id', { schema: { params: idParams, body: overlapBody } }, async (request, reply) => {
    const accountId = (request.params as { id: string }).id;
    const overlap = overlapMs(request.body);
    return idempotent<{ secret: string; previousExpiresAt: Date | null }>(context, 'admin', request, reply, {
      run: (record) => rotateAccountWebhookSecret(deps, accountId, overlap, record),
      render: (rotated) => ({ status: 201, body: ok(request, { account_id: accountId, secret: rotated.secret, previous_secret_expires_time: rotated.previousExpiresAt?.toISOString() }) }),
    });
  });

  app.get('/webhooks/:id', { schema: { params: idParams } }, async (request) => {
    return ok(request, presentWebhookEndpoint(await webhookEndpoint(deps, (request.params as { id: string }).id)));
  });

  app.delete('/webhooks/:id', { schema: { params: idParams } }, async (request) => {
    const { id } = request.params as { id: string };
    const { cancelled } = await adminRemoveEndpoint(deps, ADMIN_TOKEN_ACTOR, id);
    return ok(request, { id, removed: true, cancelled_deliveries: cancelled });
  });

  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    app.post(`/webhooks/:id/${action}`, { schema: { params: idParams } }, async (request, reply) => {
      const { id } = request.params as { id: string };
      return idempotent<WebhookEndpoint>(context, 'admin', request, reply, {
        run: (record) => setEndpointPaused(deps, ADMIN_TOKEN_ACTOR, id, paused, record),
        render: (endpoint) => ({ status: 200, body: ok(request, presentWebhookEndpoint(endpoint)) }),
      });
    });
  }

  app.post('/webhooks/:id/rotate-secret', { schema: { params: idParams, body: overlapBody } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const overlap = overlapMs(request.body);
    return idempotent<EndpointWithSecret>(context, 'admin', request, reply, {
      run: (record) => adminRotateEndpointSecret(deps, ADMIN_TOKEN_ACTOR, id, overlap, record),
      render: ({ endpoint, secret }) => ({ status: 201, body: ok(request, { ...presentWebhookEndpoint(endpoint), secret }) }),
    });
  });
}
