// `coffer webhook ...`: operator webhook endpoints, secrets, the delivery log and redelivery.

import type { UseCases } from '../usecases/use-cases.ts';
import { presentWebhookEndpoint } from '../usecases/webhook-views.ts';
import { WebhookDeliveryStatuses } from '../core/events.ts';
import { output, parse, required, UsageError, wholeNumberFlag } from './args.ts';
import { WebhookLimits } from '../core/limits.ts';

export const WEBHOOK_USAGE = `usage:
  coffer webhook add --url <url> --events <type,type|*> [--description D] [--batch-max N] [--json]
  coffer webhook list [--all] [--json]
  coffer webhook remove <endpoint-id>
  coffer webhook rotate <endpoint-id> [--overlap-hours 24] [--json]
  coffer webhook account-secret --account <account-id> [--overlap-hours 24] [--json]
  coffer webhook deliveries [--endpoint <id>] [--event <id>] [--status pending|delivered|failed|cancelled] [--limit 50] [--json]
  coffer webhook show <delivery-id> [--json]
  coffer webhook redeliver --event <id[,id...]> [--endpoint <id>] | --from-seq <n> --to-seq <m> --endpoint <id>`;

const HOUR_MS = 3_600_000;
const STATUSES: readonly string[] = WebhookDeliveryStatuses;

function overlapMs(values: Record<string, unknown>): number {
  const hours = wholeNumberFlag(values, 'overlap-hours');
  return hours === undefined ? WebhookLimits.rotationOverlapMsDefault : hours * HOUR_MS;
}

/** `redeliveryMaxAgeMs`: the worker's COFFER_WEBHOOK_MAX_AGE_MS as its config reader gives it (main.ts), the deadline of redeliveries. */
export async function webhookCommand(useCases: UseCases, args: readonly string[], redeliveryMaxAgeMs: number): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {
    url: { type: 'string' }, events: { type: 'string' }, description: { type: 'string' }, all: { type: 'boolean' },
    'overlap-hours': { type: 'string' }, account: { type: 'string' }, endpoint: { type: 'string' }, event: { type: 'string' },
    status: { type: 'string' }, limit: { type: 'string' }, 'from-seq': { type: 'string' }, 'to-seq': { type: 'string' },
    'batch-max': { type: 'string' },
  });
  const json = values.json === true;
  switch (sub) {
    case 'add': {
      const { endpoint, secret } = await useCases.createWebhookEndpoint({
        url: required(values, 'url'), eventTypes: required(values, 'events').split(',').map((t) => t.trim()).filter(Boolean),
        description: values.description as string | undefined, batchMax: wholeNumberFlag(values, 'batch-max'),
      });
      output(json, { ...presentWebhookEndpoint(endpoint), secret },
        `Added webhook endpoint ${endpoint.id} → ${endpoint.url} (${endpoint.eventTypes.join(', ')})\nSigning secret (shown once): ${secret}`);
      return 0;
    }
    case 'list': {
      const endpoints = await useCases.listWebhookEndpoints(values.all === true);
      output(json, endpoints.map(presentWebhookEndpoint), endpoints.length === 0 ? 'no webhook endpoints'
        : endpoints.map((e) => `${e.id} ${e.status} ${e.url} [${e.eventTypes.join(',')}]`).join('\n'));
      return 0;
    }
    case 'remove': {
      const id = positionals[0];
      if (!id) throw new UsageError(WEBHOOK_USAGE);
      const { cancelled } = await useCases.removeWebhookEndpoint(id);
      output(json, { id, removed: true, cancelled_deliveries: cancelled }, `Removed ${id}; ${cancelled} pending deliveries cancelled`);
      return 0;
    }
    case 'rotate': {
      const id = positionals[0];
      if (!id) throw new UsageError(WEBHOOK_USAGE);
      const { endpoint, secret } = await useCases.rotateWebhookSecret(id, overlapMs(values));
      output(json, { ...presentWebhookEndpoint(endpoint), secret }, `New signing secret for ${id} (shown once): ${secret}`
        + (endpoint.previousExpiresAt ? `\nThe old secret keeps signing until ${endpoint.previousExpiresAt.toISOString()}` : ''));
      return 0;
    }
    case 'account-secret': {
      const accountId = required(values, 'account');
      const rotated = await useCases.rotateAccountWebhookSecret(accountId, overlapMs(values));
      output(json, { account_id: accountId, secret: rotated.secret, previous_secret_expires_time: rotated.previousExpiresAt?.toISOString() },
        `Deposit webhook secret for ${accountId} (shown once): ${rotated.secret}`);
      return 0;
    }
    case 'deliveries': {
      const status = values.status as string | undefined;
      if (status !== undefined && !STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
      const { deliveries } = await useCases.listWebhookDeliveries({
        endpointId: values.endpoint as string | undefined, eventId: values.event as string | undefined,
        status: WebhookDeliveryStatuses.find((s) => s === status), limit: wholeNumberFlag(values, 'limit'),
      });
      output(json, deliveries, deliveries.length === 0 ? 'no deliveries' : deliveries.map((d) =>
        `${d.id} ${d.status.padEnd(9)} ${d.event_type.padEnd(26)} ${d.event_id} attempts=${d.attempts}${d.last_status_code ? ` last=${d.last_status_code}` : ''}${d.last_error ? ` error="${d.last_error}"` : ''}`).join('\n'));
      return 0;
    }
    case 'show': {
      const id = positionals[0];
      if (!id) throw new UsageError(WEBHOOK_USAGE);
      const delivery = await useCases.webhookDeliveryWithAttempts(id);
      if (!delivery) throw new UsageError(`no delivery ${id}`);
      output(json, delivery, JSON.stringify(delivery, null, 2));
      return 0;
    }
    case 'redeliver': {
      const endpointId = values.endpoint as string | undefined;
      const from = wholeNumberFlag(values, 'from-seq');
      const to = wholeNumberFlag(values, 'to-seq');
      let result;
      if (typeof values.event === 'string') result = await useCases.redeliverEvents({ eventIds: values.event.split(',').filter(Boolean), endpointId }, redeliveryMaxAgeMs);
      else if (from !== undefined && to !== undefined && endpointId) result = await useCases.redeliverEvents({ fromSeq: from, toSeq: to, endpointId }, redeliveryMaxAgeMs);
      else throw new UsageError(WEBHOOK_USAGE);
      output(json, { created: result.created, delivery_ids: result.deliveryIds }, `Queued ${result.created} redeliveries`);
      return 0;
    }
  }
  throw new UsageError(WEBHOOK_USAGE);
}
