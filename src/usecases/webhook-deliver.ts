// Sends due deliveries. A worker claims whole lanes (one endpoint, or one invoice's URL) with a
// lease, sends that lane's pending deliveries one request at a time in order (an endpoint with
// `batch_max` > 1 takes up to that many consecutive events per request, all delivered or all
// retried together), stops at the first
// failure (which is retried later with exponential backoff and jitter until its deadline, then
// marked failed), and records every attempt. The HTTP side is a `WebhookSender` handed in by
// src/webhooks/, which owns signing and outbound safety.

import type { DeliveryOutcome, WebhookAttempt, WebhookDelivery } from '../storage/webhooks-store.ts';
import type { Deps } from './deps.ts';
import { activeSecrets } from './webhook-endpoints.ts';
import { WebhookLimits } from '../core/limits.ts';

export interface OutboundRequest {
  readonly url: string;
  /** Exact bytes to send (UTF-8); signatures are computed over it. */
  readonly body: string;
  /** The event's id; null for a batch (each event in the body carries its own). */
  readonly eventId: string | null;
  /** The event's type, or `batch`. */
  readonly eventType: string;
  /** The (first) delivery's id. */
  readonly deliveryId: string;
  /** Events in the body when it is a batch. */
  readonly batchSize?: number;
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

/** How a lane is sent: the secrets that sign, and how many events one request may carry. */
async function laneTarget(deps: Pick<Deps, 'store'>, head: WebhookDelivery, now: Date): Promise<{ secrets: string[]; batchMax: number } | 'removed' | 'paused'> {
  if (head.endpointId !== null) {
    const endpoint = await deps.store.webhooks.endpoint(head.endpointId);
    if (endpoint?.status === 'paused') return 'paused';
    return endpoint && endpoint.status === 'enabled' ? { secrets: activeSecrets(endpoint, now), batchMax: endpoint.batchMax } : 'removed';
  }
  const account = head.accountId === null ? null : await deps.store.webhooks.accountSecrets(head.accountId);
  return { secrets: account ? activeSecrets(account, now) : [], batchMax: 1 };
}

/**
 * The request for a group of consecutive deliveries: the event itself, or for a batching lane
 * (`batchMax` > 1) always `{"type":"batch","events":[…]}`, even of one, so a receiver sees one shape.
 */
function requestFor(group: readonly WebhookDelivery[], secrets: readonly string[], batchMax: number): OutboundRequest {
  const head = group[0]!;
  const attempt = head.attempts + 1;
  if (batchMax === 1) {
    return { url: head.url, body: head.body, eventId: head.eventId, eventType: head.eventType, deliveryId: head.id, attempt, secrets };
  }
  // The event bodies are exact JSON text; joined verbatim, the batch is signed as sent.
  const body = `{"type":"batch","events":[${group.map((d) => d.body).join(',')}]}`;
  return { url: head.url, body, eventId: null, eventType: 'batch', deliveryId: head.id, attempt, secrets, batchSize: group.length };
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
  const target = await laneTarget(deps, head, started);
  if (target === 'paused') {
    await deps.store.webhooks.parkLane(laneKey, holder);
    return EMPTY;
  }
  if (target === 'removed') {
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
  for (let i = 0; i < pending.length;) {
    const now = deps.clock.now();
    const first = pending[i]!;
    if (first.nextAttemptAt.getTime() > now.getTime()) { nextAt = first.nextAttemptAt; break; }
    if (now.getTime() - started.getTime() >= settings.laneBudgetMs) break;
    const group = [first];
    while (group.length < target.batchMax && i + group.length < pending.length && pending[i + group.length]!.nextAttemptAt.getTime() <= now.getTime()) {
      group.push(pending[i + group.length]!);
    }
    i += group.length;
    const result = await send(sender, requestFor(group, target.secrets, target.batchMax));
    const at = deps.clock.now();
    const error = result.error === null ? null : result.error.slice(0, WebhookLimits.deliveryErrorLengthMax);
    const groupOutcomes = group.map((delivery) => outcomeOf(delivery, { ...result, error }, at, settings));
    // A batch is retried as one: every event still pending waits for the first one's retry time.
    const retryAt = groupOutcomes.find((o) => o.status === 'pending')?.nextAttemptAt;
    group.forEach((delivery, k) => {
      let outcome = groupOutcomes[k]!;
      if (retryAt && outcome.status === 'pending') outcome = { ...outcome, nextAttemptAt: new Date(Math.min(retryAt.getTime(), delivery.deadlineAt.getTime())) };
      outcomes.push(outcome);
      attempts.push({
        deliveryId: delivery.id, attempt: outcome.attempts, at, statusCode: result.statusCode, error,
        durationMs: Math.max(0, Math.round(result.durationMs)), responseExcerpt: result.responseExcerpt,
      });
    });
    // Ordering: nothing after a failed delivery goes out before it (a terminally failed one lets the lane move on).
    if (retryAt) { nextAt = retryAt; break; }
    if (groupOutcomes.some((o) => o.status === 'failed')) break;
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
