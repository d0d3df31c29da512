// End-to-end harness for the chain suites: real Deps on a real store (SQLite or PostgreSQL), a
// MethodRegistry holding the REAL adapters against in-process nodes, static rates, a ManualClock,
// the real WatcherSupervisor, and the Fastify app for inject(). Tests drive it the way a client
// and an operator would: POST /v2/accounts/deposit, pay on chain, read GET /v2/invoices/{id}.

import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ManualClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Logger } from '../../src/core/logger.ts';
import { createLogger } from '../../src/runtime.ts';
import type { RateProvider } from '../../src/core/rate.ts';
import type { Deps, SettlementSettings } from '../../src/usecases/deps.ts';
import { createUseCases } from '../../src/usecases/use-cases.ts';
import type { UseCases } from '../../src/usecases/use-cases.ts';
import type { MethodRegistry } from '../../src/usecases/method-registry.ts';
import { WatcherSupervisor } from '../../src/usecases/run-watchers.ts';
import { expireInvoices } from '../../src/usecases/expire-invoices.ts';
import { buildApp } from '../../src/http/app.ts';
import { businessAccount, defaultSettings, openTestDb } from './harness.ts';
import type { Dialect, TestAccount, TestDb } from './harness.ts';
import { assertSettlementInvariants } from './chain-invariants.ts';
import type { InvariantReport } from './chain-invariants.ts';

/** Wire invoice as the API returns it (only the fields the suites read are typed). */
export interface WireInvoice {
  readonly id: string;
  readonly status: string;
  readonly amount: number | null;
  readonly credited_amount: number;
  readonly completed_time?: string;
  readonly payment: {
    readonly address: string;
    readonly price: number;
    readonly status: string;
    readonly uri: string;
    readonly received: string;
    readonly lightning_invoice?: string;
    readonly confirmations_required: number;
    readonly contract_address?: string;
    readonly chain_id?: number;
    readonly transactions: ReadonlyArray<{ id: string; amount: string; confirmations: number; status: string; late: boolean; method?: string; credited_amount?: number }>;
  };
}

export interface ChainWorldOptions {
  readonly rates: RateProvider;
  readonly settings?: Partial<SettlementSettings>;
  /** Builds the registry with the world's clock (adapters get the same clock as settlement). */
  readonly methods: (clock: ManualClock) => Promise<MethodRegistry>;
}

const WAIT_MS_DEFAULT = 15_000;

/** CHAIN_TEST_LOG=debug|info|warn prints the server's logs (watchers, settlement) to stderr. */
function testLogger(): Logger {
  const level = process.env['CHAIN_TEST_LOG'];
  return level ? createLogger({ logLevel: level }, 2) : silentLogger;
}
const WAIT_STEP_MS = 20;

export class ChainWorld {
  readonly deps: Deps;
  readonly useCases: UseCases;
  readonly clock: ManualClock;
  readonly app: FastifyInstance;
  readonly testDb: TestDb;
  #supervisor: WatcherSupervisor | null = null;

  private constructor(deps: Deps, clock: ManualClock, app: FastifyInstance, testDb: TestDb) {
    this.deps = deps;
    this.useCases = createUseCases(deps);
    this.clock = clock;
    this.app = app;
    this.testDb = testDb;
  }

  static async open(dialect: Dialect, options: ChainWorldOptions): Promise<ChainWorld> {
    const testDb = await openTestDb(dialect);
    const clock = new ManualClock(new Date());
    try {
      const methods = await options.methods(clock);
      const deps: Deps = {
        store: testDb.store, clock, log: testLogger(), rates: options.rates, methods,
        settings: { ...defaultSettings, sandbox: false, ...options.settings },
      };
      const { app } = await buildApp(createUseCases(deps), { adminToken: 'test-admin-token-0123456789', rateLimitPerMinute: 0, logLevel: 'silent' });
      await app.ready();
      return new ChainWorld(deps, clock, app, testDb);
    } catch (error) {
      await testDb.close();
      throw error;
    }
  }

  /** Starts the real watcher supervisor (a fresh one: a stopped supervisor is not restarted). */
  async startWatchers(): Promise<WatcherSupervisor> {
    if (this.#supervisor) throw new Error('watchers already running');
    this.#supervisor = new WatcherSupervisor(this.deps);
    await this.#supervisor.start();
    return this.#supervisor;
  }

  /** Stops the supervisor as a server shutdown would; its in-memory state is gone. */
  async stopWatchers(): Promise<void> {
    const supervisor = this.#supervisor;
    this.#supervisor = null;
    await supervisor?.stop();
  }

  get supervisor(): WatcherSupervisor | null {
    return this.#supervisor;
  }

  account(currency = 'USD'): Promise<TestAccount> {
    return businessAccount(this.deps, currency);
  }

  call(account: TestAccount, method: 'GET' | 'POST', url: string, body?: unknown): Promise<LightMyRequestResponse> {
    return this.app.inject({ method, url, headers: account.headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  }

  /** POST /v2/accounts/deposit; throws unless 200. */
  async deposit(account: TestAccount, body: Record<string, unknown>): Promise<WireInvoice> {
    const res = await this.call(account, 'POST', '/v2/accounts/deposit', body);
    if (res.statusCode !== 200) throw new Error(`deposit refused: ${res.statusCode} ${res.body}`);
    return res.json().data as WireInvoice;
  }

  async invoice(account: TestAccount, id: string): Promise<WireInvoice> {
    const res = await this.call(account, 'GET', `/v2/invoices/${id}`);
    if (res.statusCode !== 200) throw new Error(`invoice read failed: ${res.statusCode} ${res.body}`);
    return res.json().data as WireInvoice;
  }

  async balance(account: TestAccount): Promise<number> {
    const res = await this.call(account, 'GET', '/v2/accounts/balance');
    if (res.statusCode !== 200) throw new Error(`balance read failed: ${res.statusCode} ${res.body}`);
    return (res.json().data as { balance: number }).balance;
  }

  /** Nothing recorded, nothing credited: the invoice is as it was created. */
  async assertUntouched(account: TestAccount, invoice: WireInvoice): Promise<void> {
    const read = await this.invoice(account, invoice.id);
    assert.equal(read.status, 'unpaid');
    assert.deepEqual(read.payment.transactions, []);
    assert.equal(read.credited_amount, 0);
    assert.equal(await this.balance(account), 0);
  }

  /** Polls GET /v2/invoices/{id} until `until` holds; the error names the last state seen. */
  async waitInvoice(account: TestAccount, id: string, until: (invoice: WireInvoice) => boolean, timeoutMs = WAIT_MS_DEFAULT): Promise<WireInvoice> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const invoice = await this.invoice(account, id);
      if (until(invoice)) return invoice;
      if (Date.now() > deadline) throw new Error(`invoice ${id} never reached the expected state; last: ${JSON.stringify(invoice)}`);
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  /** Polls until `check` resolves true. */
  async waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = WAIT_MS_DEFAULT): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  /** Moves the clock past the invoices' expiry and runs the expiry sweeper, as the worker would. */
  async expireAfter(ms: number): Promise<number> {
    this.clock.advance(ms);
    return expireInvoices(this.deps);
  }

  async readyz(): Promise<{ statusCode: number; body: { status: string; checks: Record<string, { ok: boolean; detail?: string }> } }> {
    const res = await this.app.inject({ method: 'GET', url: '/readyz' });
    return { statusCode: res.statusCode, body: res.json() };
  }

  /** The watcher's durable state (heights, cursors), as the supervisor stores it. */
  watcherState(watcher: string, key: string): Promise<string | null> {
    return this.deps.store.watcherState.get(watcher, key);
  }

  invariants(observedKeys: readonly string[] = []): Promise<InvariantReport> {
    return assertSettlementInvariants(this.deps.store, this.testDb.db, observedKeys);
  }

  async close(): Promise<void> {
    await this.stopWatchers();
    await this.app.close();
    for (const adapter of this.deps.methods.adapters()) await adapter.close?.();
    await this.testDb.close();
  }
}
