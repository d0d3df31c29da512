// Operator webhook endpoints: add (the signing secret is shown once), list, remove, rotate the
// secret with an overlap during which both secrets sign; and the per-account secret that signs
// deposits' own `webhook_url` notifications.

import { randomBytes } from 'node:crypto';
import { CofferError } from '../core/errors.ts';
import { EventTypes } from '../core/events.ts';
import { Limits, WebhookLimits } from '../core/limits.ts';
import type { SigningSecrets, WebhookEndpoint } from '../storage/webhooks-store.ts';
import type { Deps } from './deps.ts';
import type { RecordResponse } from './idempotency.ts';

export const WILDCARD_EVENT = '*';

export function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

export function endpointLaneKey(endpointId: string): string {
  return `endpoint:${endpointId}`;
}

/** The secrets that sign at `now`: the current one first, the previous one while its overlap lasts. */
export function activeSecrets(secrets: SigningSecrets, now: Date): string[] {
  const active = [secrets.secret];
  if (secrets.previousSecret && secrets.previousExpiresAt && secrets.previousExpiresAt.getTime() > now.getTime()) active.push(secrets.previousSecret);
  return active;
}

/** Checks a target URL's shape (the address itself is checked again at every send). */
export function parseTargetUrl(text: string, field = 'url'): string {
  if (text.length === 0 || text.length > Limits.webhookUrlLengthMax) {
    throw new CofferError('invalid_param', `${field} must be 1..${Limits.webhookUrlLengthMax} characters`, { field });
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CofferError('invalid_param', `${field} must be an absolute http(s) URL`, { field });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CofferError('invalid_param', `${field} must be an http(s) URL`, { field });
  if (url.username || url.password) throw new CofferError('invalid_param', `${field} must not carry credentials`, { field });
  return url.toString();
}

function parseEventTypes(types: readonly string[]): string[] {
  if (types.length === 0) throw new CofferError('missing_param', 'Subscribe to at least one event type (or "*")', { field: 'events' });
  const unique = [...new Set(types)];
  if (unique.includes(WILDCARD_EVENT)) return [WILDCARD_EVENT];
  for (const type of unique) {
    if (!(EventTypes as readonly string[]).includes(type)) {
      throw new CofferError('invalid_param', `Unknown event type "${type}"; use one of: ${EventTypes.join(', ')} or "*"`, { field: 'events' });
    }
  }
  return unique;
}

export interface NewEndpointInput {
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description?: string | undefined;
  /** Events per request (1..500); 1, the default, sends each event alone. */
  readonly batchMax?: number | undefined;
}

export interface EndpointWithSecret {
  readonly endpoint: WebhookEndpoint;
  readonly secret: string;
}

export async function createWebhookEndpoint(deps: Pick<Deps, 'store' | 'clock'>, input: NewEndpointInput, record?: RecordResponse<EndpointWithSecret>): Promise<EndpointWithSecret> {
  const url = parseTargetUrl(input.url);
  const eventTypes = parseEventTypes(input.eventTypes);
  const description = input.description ?? null;
  if (description !== null && description.length > Limits.descriptionLengthMax) {
    throw new CofferError('invalid_param', `description must be at most ${Limits.descriptionLengthMax} characters`, { field: 'description' });
  }
  const batchMax = input.batchMax ?? 1;
  if (!Number.isSafeInteger(batchMax) || batchMax < 1 || batchMax > WebhookLimits.endpointBatchMax) {
    throw new CofferError('invalid_param', `batch_max must be a whole number from 1 to ${WebhookLimits.endpointBatchMax}`, { field: 'batch_max' });
  }
  const now = deps.clock.now();
  const secret = newSigningSecret();
  const endpoint: WebhookEndpoint = {
    id: `we_${randomBytes(12).toString('hex')}`, url, description, eventTypes, status: 'enabled', batchMax, secret,
    previousSecret: null, previousExpiresAt: null, createdAt: now, updatedAt: now,
  };
  await deps.store.transaction(async (tx) => {
    if ((await tx.webhooks.endpoints(false)).length >= WebhookLimits.endpointsMax) {
      throw new CofferError('conflict', `At most ${WebhookLimits.endpointsMax} webhook endpoints may be enabled; remove one first`);
    }
    await tx.webhooks.insertEndpoint(endpoint);
    if (record) await record(tx, { endpoint, secret });
  });
  return { endpoint, secret };
}

export async function listWebhookEndpoints(deps: Pick<Deps, 'store'>, includeRemoved = false): Promise<WebhookEndpoint[]> {
  return deps.store.webhooks.endpoints(includeRemoved);
}

async function enabledEndpoint(deps: Pick<Deps, 'store'>, id: string): Promise<WebhookEndpoint> {
  const endpoint = await deps.store.webhooks.endpoint(id);
  if (!endpoint || endpoint.status === 'removed') throw new CofferError('not_found', 'No such webhook endpoint');
  return endpoint;
}

/** Removes an endpoint: nothing more is sent to it; its pending deliveries are cancelled (and logged so). */
export async function removeWebhookEndpoint(deps: Pick<Deps, 'store' | 'clock'>, id: string): Promise<{ cancelled: number }> {
  await enabledEndpoint(deps, id);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    await tx.webhooks.setEndpointStatus(id, 'removed', now);
    return { cancelled: await tx.webhooks.cancelLane(endpointLaneKey(id), now) };
  });
}

function rotated(current: SigningSecrets | null, overlapMs: number, now: Date): SigningSecrets {
  if (!Number.isSafeInteger(overlapMs) || overlapMs < 0 || overlapMs > WebhookLimits.rotationOverlapMsMax) {
    throw new CofferError('invalid_param', `The overlap must be 0..${WebhookLimits.rotationOverlapMsMax / 3_600_000} hours`, { field: 'overlap' });
  }
  return {
    secret: newSigningSecret(),
    previousSecret: current && overlapMs > 0 ? current.secret : null,
    previousExpiresAt: current && overlapMs > 0 ? new Date(now.getTime() + overlapMs) : null,
  };
}

/** A new secret for an endpoint (shown once); the old one keeps signing for `overlapMs`. */
export async function rotateWebhookSecret(deps: Pick<Deps, 'store' | 'clock'>, id: string, overlapMs = WebhookLimits.rotationOverlapMsDefault, record?: RecordResponse<EndpointWithSecret>): Promise<EndpointWithSecret> {
  const endpoint = await enabledEndpoint(deps, id);
  const now = deps.clock.now();
  const secrets = rotated(endpoint, overlapMs, now);
  const result = { endpoint: { ...endpoint, ...secrets, updatedAt: now }, secret: secrets.secret };
  await deps.store.transaction(async (tx) => {
    await tx.webhooks.setEndpointSecrets(id, secrets, now);
    if (record) await record(tx, result);
  });
  return result;
}

/**
 * Creates or rotates the secret that signs an account's per-deposit `webhook_url` POSTs
 * (shown once; the operator hands it to the account holder). Without one those POSTs go unsigned.
 */
export async function rotateAccountWebhookSecret(deps: Pick<Deps, 'store' | 'clock'>, accountId: string, overlapMs = WebhookLimits.rotationOverlapMsDefault, record?: RecordResponse<{ secret: string; previousExpiresAt: Date | null }>): Promise<{ secret: string; previousExpiresAt: Date | null }> {
  if (!(await deps.store.accounts.get(accountId))) throw new CofferError('not_found', 'No such account');
  const now = deps.clock.now();
  const current = await deps.store.webhooks.accountSecrets(accountId);
  const secrets = rotated(current, overlapMs, now);
  const result = { secret: secrets.secret, previousExpiresAt: secrets.previousExpiresAt };
  await deps.store.transaction(async (tx) => {
    await tx.webhooks.setAccountSecrets(accountId, secrets, now);
    if (record) await record(tx, result);
  });
  return result;
}
