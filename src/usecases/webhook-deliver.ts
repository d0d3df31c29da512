// Sends due deliveries. A worker claims whole lanes (one endpoint, or one invoice's URL) with a
// lease, sends that lane's pending deliveries one at a time in order, stops at the first
// failure (which is retried later with exponential backoff and jitter until its deadline, then
// marked failed), and records every attempt. The HTTP side is a `WebhookSender` handed in by
// src/webhooks/, which owns signing and outbound safety.

import type { DeliveryOutcome, WebhookAttempt, WebhookDelivery } from '../storage/webhooks-store.ts';
import type { Deps } from './deps.ts';
import { activeSecrets } from './webhook-endpoints.ts';

export interface OutboundRequest {
  readonly url: string;
  /** Exact bytes to send (UTF-8); signatures are computed over it. */
  readonly body: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly deliveryId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Secrets to sign with (current first); empty sends it unsigned. */
  readonly secrets: readonly string[];
}

export interface OutboundResult {
  /** A 2xx answer. */
  readonly ok: boolean;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly responseExcerpt: string | null;
  readonly durationMs: number;
}

export type WebhookSender = (request: OutboundRequest) => Promise<OutboundResult>;

export interface DeliverySettings {
  /** A delivery is retried until this long after it was created, then marked failed. */
  readonly maxAgeMs: number;
  /** Backoff: base * 2^(attempt-1), capped, with equal jitter (half fixed, half random). */
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  /** Deliveries sent per lane claim. */
  readonly runMax: number;
  /** Lanes one worker sends to at once. */
  readonly lanesMax: number;
  /** A claim's lease; past it another worker may take the lane (this one is presumed dead). */
  readonly leaseMs: number;
  /** A lane run starts no new send after this long, so a claim never outlives its lease. */
  readonly laneBudgetMs: number;
  /** [0, 1) — injected so tests can pin the jitter. */
  readonly random: () => number;
}

export interface LaneSummary {
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
  readonly cancelled: number;
}

/** Deliveries are retried for 3 days by default (COFFER_WEBHOOK_MAX_AGE_MS changes it for the worker). */
export const DELIVERY_MAX_AGE_MS_DEFAULT = 3 * 24 * 60 * 60 * 1000;
const ERROR_LENGTH_MAX = 500;
const EMPTY: LaneSummary = { delivered: 0, retrying: 0, failed: 0, cancelled: 0 };

export function retryDelayMs(attempts: number, settings: Pick<DeliverySettings, 'retryBaseMs' | 'retryCapMs'>, random: () => number): number {
  const exponential = Math.min(settings.retryCapMs, settings.retryBaseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Claims up to `count` due lanes for `holder`. */
export async function claimLanes(deps: Pick<Deps, 'store' | 'clock'>, holder: string, count: number, settings: DeliverySettings): Promise<string[]> {
  if (count <= 0) return [];
  const now = deps.clock.now();
  return deps.store.webhooks.claimLanes(holder, now, new Date(now.getTime() + settings.leaseMs), count);
}

async function secretsFor(deps: Pick<Deps, 'store'>, head: WebhookDelivery, now: Date): Promise<string[] | 'removed'> {
  if (head.endpointId !== null) {
    const endpoint = await deps.store.webhooks.endpoint(head.endpointId);
    return endpoint && endpoint.status === 'enabled' ? activeSecrets(endpoint, now) : 'removed';
  }
  const account = head.accountId === null ? null : await deps.store.webhooks.accountSecrets(head.accountId);
  return account ? activeSecrets(account, now) : [];
}

function outcomeOf(delivery: WebhookDelivery, result: OutboundResult, at: Date, settings: DeliverySettings): DeliveryOutcome {
  const attempts = delivery.attempts + 1;
  const base = { id: delivery.id, attempts, at, statusCode: result.statusCode, error: result.error };
  if (result.ok) return { ...base, status: 'delivered', nextAttemptAt: at };
  if (at.getTime() >= delivery.deadlineAt.getTime()) return { ...base, status: 'failed', nextAttemptAt: at };
  const retryAt = Math.min(at.getTime() + retryDelayMs(attempts, settings, settings.random), delivery.deadlineAt.getTime());
  return { ...base, status: 'pending', nextAttemptAt: new Date(retryAt) };
}

/** A sender that throws is treated like a failed attempt, so the lane is still recorded and released. */
async function send(sender: WebhookSender, request: OutboundRequest): Promise<OutboundResult> {
  try {
    return await sender(request);
  } catch (error) {
    return { ok: false, statusCode: null, error: `sender error: ${error instanceof Error ? error.message : String(error)}`, responseExcerpt: null, durationMs: 0 };
  }
}

/** Sends one claimed lane's due deliveries in order and records the results; releases the claim. */
export async function runLane(deps: Pick<Deps, 'store' | 'clock' | 'log'>, sender: WebhookSender, laneKey: string, holder: string, settings: DeliverySettings): Promise<LaneSummary> {
  const started = deps.clock.now();
  const pending = await deps.store.webhooks.pendingInLane(laneKey, settings.runMax);
  const head = pending[0];
  if (!head) {
    await deps.store.transaction((tx) => tx.webhooks.releaseLane(laneKey, holder, started, null));
    return EMPTY;
  }
  const secrets = await secretsFor(deps, head, started);
  if (secrets === 'removed') {
    const cancelled = await deps.store.transaction(async (tx) => {
      const count = await tx.webhooks.cancelLane(laneKey, started);
      await tx.webhooks.releaseLane(laneKey, holder, started, null);
      return count;
    });
    return { ...EMPTY, cancelled };
  }
  const outcomes: DeliveryOutcome[] = [];
  const attempts: WebhookAttempt[] = [];
  let nextAt: Date | null = null;
  for (const delivery of pending) {
    const now = deps.clock.now();
    if (delivery.nextAttemptAt.getTime() > now.getTime()) { nextAt = delivery.nextAttemptAt; break; }
    if (now.getTime() - started.getTime() >= settings.laneBudgetMs) break;
    const result = await send(sender, {
      url: delivery.url, body: delivery.body, eventId: delivery.eventId, eventType: delivery.eventType,
      deliveryId: delivery.id, attempt: delivery.attempts + 1, secrets,
    });
    const at = deps.clock.now();
    const error = result.error === null ? null : result.error.slice(0, ERROR_LENGTH_MAX);
    const outcome = outcomeOf(delivery, { ...result, error }, at, settings);
    outcomes.push(outcome);
    attempts.push({
      deliveryId: delivery.id, attempt: outcome.attempts, at, statusCode: result.statusCode, error,
      durationMs: Math.max(0, Math.round(result.durationMs)), responseExcerpt: result.responseExcerpt,
    });
    // Ordering: nothing after a failed delivery goes out before it (a terminally failed one lets the lane move on).
    if (outcome.status === 'pending') { nextAt = outcome.nextAttemptAt; break; }
    if (outcome.status === 'failed') break;
  }
  const released = await deps.store.transaction(async (tx) => {
    await tx.webhooks.recordOutcomes(outcomes, attempts);
    return tx.webhooks.releaseLane(laneKey, holder, deps.clock.now(), nextAt);
  });
  if (!released) deps.log.warn({ lane: laneKey }, 'webhook lane claim expired while sending; another worker may resend (receivers dedupe by event id)');
  const failed = outcomes.filter((o) => o.status === 'failed');
  for (const o of failed) deps.log.warn({ delivery: o.id, attempts: o.attempts, error: o.error, status: o.statusCode }, 'webhook delivery failed permanently');
  return {
    delivered: outcomes.filter((o) => o.status === 'delivered').length,
    retrying: outcomes.filter((o) => o.status === 'pending').length, failed: failed.length, cancelled: 0,
  };
}

/** Claims due lanes and sends them all, waiting for every lane (tests, CLI and simple loops). */
export async function deliverDue(deps: Pick<Deps, 'store' | 'clock' | 'log'>, sender: WebhookSender, holder: string, settings: DeliverySettings): Promise<LaneSummary> {
  const lanes = await claimLanes(deps, holder, settings.lanesMax, settings);
  const results = await Promise.all(lanes.map((lane) => runLane(deps, sender, lane, holder, settings)));
  return results.reduce((sum, r) => ({
    delivered: sum.delivered + r.delivered, retrying: sum.retrying + r.retrying, failed: sum.failed + r.failed, cancelled: sum.cancelled + r.cancelled,
  }), EMPTY);
}
