// Webhook delivery settings from the environment (or the config file's flat settings).
// Every bound has a default (core/limits.ts, WebhookLimits); a bad value stops the server with the
// setting's name.

import { ConfigError } from '../core/errors.ts';
import { integerSetting as integer } from '../core/mode.ts';
import { WebhookLimits } from '../core/limits.ts';

export interface WebhookConfig {
  /** Allow loopback/private/link-local targets. Off by default: URLs are untrusted input. */
  readonly allowPrivate: boolean;
  /** Whole attempt: lookup, connect, send, response. */
  readonly timeoutMs: number;
  readonly responseBytesMax: number;
  /** A delivery is retried for this long, then marked failed. */
  readonly maxAgeMs: number;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  /** How often the worker looks for new outbox rows and due lanes. */
  readonly pollMs: number;
  /** Lanes (endpoints / invoice URLs) one worker sends to concurrently. */
  readonly lanesMax: number;
  /** Deliveries sent per lane claim, and outbox rows fanned out per transaction. */
  readonly runMax: number;
  readonly fanOutBatchMax: number;
  /** Longest a lane run starts new sends (the claim lease is this + timeout + a margin). */
  readonly laneBudgetMs: number;
  /** PostgreSQL: how long the fan-out waits on an outbox sequence gap before moving past it. */
  readonly gapWaitMs: number;
}

/** The settings' defaults, from core/limits.ts. */
export const WebhookDefaults: WebhookConfig = {
  allowPrivate: false,
  timeoutMs: WebhookLimits.timeoutMsDefault,
  responseBytesMax: WebhookLimits.responseBytesMaxDefault,
  maxAgeMs: WebhookLimits.deliveryMaxAgeMsDefault,
  retryBaseMs: WebhookLimits.retryBaseMsDefault,
  retryCapMs: WebhookLimits.retryCapMsDefault,
  pollMs: WebhookLimits.pollMsDefault,
  lanesMax: WebhookLimits.lanesMaxDefault,
  runMax: WebhookLimits.runMaxDefault,
  fanOutBatchMax: WebhookLimits.fanOutBatchMaxDefault,
  laneBudgetMs: WebhookLimits.laneBudgetMsDefault,
  gapWaitMs: WebhookLimits.gapWaitMsDefault,
};

type Env = Readonly<Record<string, string | undefined>>;

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function webhookConfigFromEnv(env: Env): WebhookConfig {
  const d = WebhookDefaults;
  const retryBaseMs = integer(env, 'COFFER_WEBHOOK_RETRY_BASE_MS', d.retryBaseMs, 100, DAY_MS);
  const retryCapMs = integer(env, 'COFFER_WEBHOOK_RETRY_CAP_MS', d.retryCapMs, 1000, 7 * DAY_MS);
  if (retryCapMs < retryBaseMs) throw new ConfigError('COFFER_WEBHOOK_RETRY_CAP_MS', `must be at least COFFER_WEBHOOK_RETRY_BASE_MS (${retryBaseMs})`);
  return {
    allowPrivate: flag(env, 'COFFER_WEBHOOK_ALLOW_PRIVATE', d.allowPrivate),
    timeoutMs: integer(env, 'COFFER_WEBHOOK_TIMEOUT_MS', d.timeoutMs, 100, 60_000),
    responseBytesMax: integer(env, 'COFFER_WEBHOOK_RESPONSE_BYTES_MAX', d.responseBytesMax, 0, 1024 * 1024),
    maxAgeMs: integer(env, 'COFFER_WEBHOOK_MAX_AGE_MS', d.maxAgeMs, 60_000, 30 * DAY_MS),
    retryBaseMs, retryCapMs,
    pollMs: integer(env, 'COFFER_WEBHOOK_POLL_MS', d.pollMs, 10, 60_000),
    lanesMax: integer(env, 'COFFER_WEBHOOK_LANES', d.lanesMax, 1, 256),
    runMax: integer(env, 'COFFER_WEBHOOK_RUN_MAX', d.runMax, 1, 1000),
    fanOutBatchMax: integer(env, 'COFFER_WEBHOOK_FANOUT_BATCH', d.fanOutBatchMax, 1, 2000),
    laneBudgetMs: integer(env, 'COFFER_WEBHOOK_LANE_BUDGET_MS', d.laneBudgetMs, 100, 60_000),
    gapWaitMs: integer(env, 'COFFER_WEBHOOK_GAP_WAIT_MS', d.gapWaitMs, 0, 10 * 60_000),
  };
}
