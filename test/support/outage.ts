// Shared steps of the outage suites (chain-faults-*.test.ts): a scripted run of every fault the
// proxy knows, and a sampler that reads an invoice through the API for the whole scenario and
// records every moment it said something untrue (ADVERSARIAL 5: "the invoice's status tells the
// truth meanwhile").

import type { FaultProxy, FaultRule } from './fault-proxy.ts';
import type { ChainWorld, WireInvoice } from './chain-world.ts';
import type { TestAccount } from './harness.ts';

const SAMPLE_EVERY_MS = 15;
const WAIT_STEP_MS = 10;
/** Generous: on a loaded machine a 32 MB answer and a backoff take long; waiting costs only then. */
const WAIT_MS_MAX = 60_000;

/** Statuses in the order a deposit may move through them when nothing is reorged or refused. */
const ORDER = ['unpaid', 'payment_detected', 'payment_confirmed', 'complete'] as const;

/**
 * One use each of every fault a sick node or provider shows, in order: 429 with Retry-After, 5xx,
 * a hang cut by the client's timeout is left out (it costs the client's full timeout), a slow
 * answer, garbage, a body cut mid-way (aborted and cleanly ended), one padded past
 * `oversizeBytes`, and a reset. The follower must come through all of it.
 */
export function flakyScript(oversizeBytes: number): FaultRule[] {
  return [
    { fault: { kind: 'status', status: 429, retryAfterS: 1 }, times: 1 },
    { fault: { kind: 'status', status: 503 }, times: 1 },
    { fault: { kind: 'latency', ms: 150 }, times: 1 },
    { fault: { kind: 'garbage' }, times: 1 },
    { fault: { kind: 'truncate', close: 'abort' }, times: 1 },
    { fault: { kind: 'truncate', close: 'end' }, times: 1 },
    { fault: { kind: 'status', status: 502, body: '<html>bad gateway</html>' }, times: 1 },
    { fault: { kind: 'oversize', bytes: oversizeBytes }, times: 1 },
    { fault: { kind: 'reset' }, times: 1 },
  ];
}

/** The health a watcher last reported (a fresh object per report), as the supervisor holds it. */
export type HealthProbe = () => { readonly ok: boolean } | null | undefined;

/**
 * Applies the rules one at a time, each to the follower's next request, and after each waits for
 * the watcher to report a fresh healthy poll: every fault is met and recovered from on its own (a
 * follower whose every poll fails backs off exponentially and would spend the test asleep).
 */
export async function runScript(proxy: FaultProxy, rules: readonly FaultRule[], health: HealthProbe): Promise<void> {
  await recovered(health, health(), 'before the script');
  for (const rule of rules) {
    proxy.add(rule);
    await waitFor(`the ${rule.fault.kind} fault used`, () => rule.times === 0);
    proxy.remove(rule);
    const atFault = health();
    try {
      await recovered(health, atFault, `after the ${rule.fault.kind} fault`);
    } catch (error) {
      throw new Error(`no healthy poll after the ${rule.fault.kind} fault; last requests: ${JSON.stringify(proxy.log.slice(-5))}`, { cause: error });
    }
  }
}

/** Waits for a health report other than `stale` that is ok (or for ok, when there is none yet). */
async function recovered(health: HealthProbe, stale: ReturnType<HealthProbe>, when: string): Promise<void> {
  await waitFor(`a healthy poll ${when}`, () => {
    const now = health();
    return now !== null && now !== undefined && now.ok && (now !== stale || stale === null || stale === undefined);
  });
}

/** Waits until the proxy logged at least `count` more requests of `kind` than `from`. */
export async function faultsSeen(proxy: FaultProxy, kind: Parameters<FaultProxy['count']>[0], count: number): Promise<void> {
  const from = proxy.count(kind);
  await waitFor(`${count} ${kind} requests`, () => proxy.count(kind) >= from + count);
}

async function waitFor(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS_MAX;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
}

/**
 * Reads an invoice (and its account's balance) until stopped. The truth for a deposit paid once
 * with `creditMinor`-worth: the status never goes back, is never `complete` without the credit,
 * never carries a credit while not complete, never credits more, and the balance never runs ahead.
 */
export class InvoiceTruth {
  readonly seen: string[] = [];
  readonly lies: string[] = [];
  readonly #world: ChainWorld;
  readonly #account: TestAccount;
  readonly #id: string;
  readonly #credit: number;
  #running = true;
  readonly #done: Promise<void>;

  constructor(world: ChainWorld, account: TestAccount, id: string, credit: number) {
    this.#world = world;
    this.#account = account;
    this.#id = id;
    this.#credit = credit;
    this.#done = this.#loop();
  }

  async #loop(): Promise<void> {
    let rank = 0;
    // One last sample after stop(): a status reached just before the stop is always recorded.
    for (let last = false; !last;) {
      last = !this.#running;
      let invoice: WireInvoice;
      let balance: number;
      try {
        invoice = await this.#world.invoice(this.#account, this.#id);
        balance = await this.#world.balance(this.#account);
      } catch (error) {
        // The world closed under a failed test: stop quietly, the test reports its own failure.
        if (!last) this.lies.push(`read failed: ${String(error)}`);
        return;
      }
      this.#check(invoice, balance, rank);
      rank = Math.max(rank, ORDER.indexOf(invoice.status as (typeof ORDER)[number]));
      if (this.seen.at(-1) !== invoice.status) this.seen.push(invoice.status);
      if (!last) await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
  }

  #check(invoice: WireInvoice, balance: number, rank: number): void {
    const at = ORDER.indexOf(invoice.status as (typeof ORDER)[number]);
    const say = (lie: string): void => { if (this.lies.length < 20) this.lies.push(`${lie} (${JSON.stringify({ status: invoice.status, credited: invoice.credited_amount, balance })})`); };
    if (at < 0) say('status outside the deposit path');
    if (at >= 0 && at < rank) say(`status went back from ${ORDER[rank]}`);
    if (invoice.status === 'complete' && invoice.credited_amount !== this.#credit) say('complete without exactly the credit');
    if (invoice.status !== 'complete' && invoice.credited_amount !== 0) say('credited while not complete');
    if (balance > this.#credit) say('balance above what was paid');
  }

  /** Stops sampling; returns the statuses seen, in order. */
  async stop(): Promise<string[]> {
    this.#running = false;
    await this.#done;
    return this.seen;
  }
}

/**
 * Answers the follower's next request with 429 and `Retry-After: seconds`, then returns how long
 * (ms) it waited before asking the node again (DESIGN §6: Retry-After is honoured).
 */
export async function retryAfterGapMs(proxy: FaultProxy, seconds: number): Promise<number> {
  const rule: FaultRule = { fault: { kind: 'status', status: 429, retryAfterS: seconds }, times: 1 };
  proxy.add(rule);
  await waitFor('the 429 used', () => rule.times === 0);
  proxy.remove(rule);
  let at = proxy.log.length - 1;
  while (at >= 0 && proxy.log[at]?.fault !== 'status') at -= 1;
  const limited = proxy.log[at];
  if (limited === undefined) throw new Error('the 429 is not in the log');
  // The log only grows at its end (it drops old entries at LOG_ENTRIES_MAX, far beyond a test's use).
  await waitFor('a request after the 429', () => proxy.log.length > at + 1);
  const next = proxy.log[at + 1];
  return (next?.atMs ?? Number.POSITIVE_INFINITY) - limited.atMs;
}
