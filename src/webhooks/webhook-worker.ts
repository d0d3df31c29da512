// The worker-role webhook loop: each pass fans new outbox rows out to deliveries, then claims
// due lanes for free slots and sends them in the background, so one slow or dead receiver never
// holds up the others. A lane that finishes with work left wakes the next pass at once.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { UseCases } from '../usecases/use-cases.ts';
import type { DeliverySettings, LaneSummary, WebhookSender } from '../usecases/webhook-deliver.ts';
import type { FanOutSettings } from '../usecases/webhook-fanout.ts';
import type { WebhookConfig } from './webhook-config.ts';
import { createWebhookSender } from './outbound-post.ts';
import { WebhookLimits } from '../core/limits.ts';

/** Same shape as run-workers' Loop, so WorkerLoops accepts it. */
export interface WebhookLoop {
  readonly name: string;
  readonly intervalMs: number;
  readonly run: () => Promise<unknown>;
}


export function deliverySettings(config: WebhookConfig, random: () => number = Math.random): DeliverySettings {
  return {
    maxAgeMs: config.maxAgeMs, retryBaseMs: config.retryBaseMs, retryCapMs: config.retryCapMs, runMax: config.runMax,
    lanesMax: config.lanesMax, laneBudgetMs: config.laneBudgetMs, leaseMs: config.laneBudgetMs + config.timeoutMs + WebhookLimits.leaseMarginMs, random,
  };
}

export function fanOutSettings(config: WebhookConfig): FanOutSettings {
  return { batchMax: config.fanOutBatchMax, maxAgeMs: config.maxAgeMs, gapWaitMs: config.gapWaitMs };
}

export interface WebhookWorkerOptions {
  /** Replaces the HTTP sender (tests of the loop itself). */
  readonly sender?: WebhookSender;
  readonly holder?: string;
  readonly random?: () => number;
}

export class WebhookWorker {
  readonly holder: string;
  readonly #useCases: UseCases;
  readonly #config: WebhookConfig;
  readonly #send: WebhookSender;
  readonly #closeSender: () => void;
  readonly #delivery: DeliverySettings;
  readonly #lanes = new Set<Promise<unknown>>();
  #passing: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(useCases: UseCases, config: WebhookConfig, options: WebhookWorkerOptions = {}) {
    this.#useCases = useCases;
    this.#config = config;
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.#delivery = deliverySettings(config, options.random);
    if (options.sender) {
      this.#send = options.sender;
      this.#closeSender = () => {};
    } else {
      const handle = createWebhookSender({ allowPrivate: config.allowPrivate, timeoutMs: config.timeoutMs, responseBytesMax: config.responseBytesMax, socketsPerHostMax: WebhookLimits.socketsPerHostMax }, { clock: useCases.clock });
      this.#send = handle.send;
      this.#closeSender = handle.close;
    }
  }

  get sender(): WebhookSender {
    return this.#send;
  }

  get settings(): DeliverySettings {
    return this.#delivery;
  }

  /** One pass: fan out, then start lanes in free slots. Concurrent calls share one pass (and queue one more). */
  pass(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#passing) {
      this.#again = true;
      return this.#passing;
    }
    this.#passing = this.#pass().finally(() => {
      this.#passing = null;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        void this.pass().catch((error: unknown) => this.#useCases.log.error({ err: error }, 'webhook pass failed; will retry'));
      }
    });
    return this.#passing;
  }

  async #pass(): Promise<void> {
    await this.#useCases.fanOutEvents(fanOutSettings(this.#config));
    const free = this.#config.lanesMax - this.#lanes.size;
    const lanes = await this.#useCases.claimLanes(this.holder, free, this.#delivery);
    for (const lane of lanes) {
      const task = this.#useCases.runLane(this.#send, lane, this.holder, this.#delivery)
        .then((summary: LaneSummary) => { if (summary.delivered + summary.failed > 0) void this.pass().catch(() => {}); })
        .catch((error: unknown) => this.#useCases.log.error({ err: error, lane }, 'webhook lane failed; its claim expires and it is retried'))
        .finally(() => this.#lanes.delete(task));
      this.#lanes.add(task);
    }
  }

  /** Waits until no lane is in flight (tests and benches). */
  async drain(): Promise<void> {
    while (this.#lanes.size > 0 || this.#passing) {
      await Promise.allSettled([...this.#lanes, ...(this.#passing ? [this.#passing] : [])]);
    }
  }

  /** Runs fan-out and delivery to completion once, waiting for every lane (tests, `coffer webhook deliver`). */
  async runOnce(): Promise<LaneSummary> {
    await this.#useCases.fanOutEvents(fanOutSettings(this.#config));
    return this.#useCases.deliverDue(this.#send, this.holder, this.#delivery);
  }

  loops(): WebhookLoop[] {
    return [{ name: 'webhooks', intervalMs: this.#config.pollMs, run: () => this.pass() }];
  }

  /** Stops starting work, waits for lanes in flight (their results are recorded), closes sockets. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.drain();
    this.#closeSender();
  }
}

/** The loops the worker role runs; keep the worker to stop it on shutdown. */
export function webhookLoops(useCases: UseCases, config: WebhookConfig): { worker: WebhookWorker; loops: WebhookLoop[] } {
  const worker = new WebhookWorker(useCases, config);
  return { worker, loops: worker.loops() };
}
