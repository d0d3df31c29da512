// `coffer rescan`: rewinds a chain watcher's stored position to a height so its next start
// rescans from there (payments missed for any reason are found; found ones are idempotent), and
// by default runs that watcher here until it reaches the tip, reporting progress. Refused while
// another process's watcher holds the lease: a running watcher would overwrite the rewind.

import { randomUUID } from 'node:crypto';
import { CofferError } from '../core/errors.ts';
import { AdminLimits, Limits } from '../core/limits.ts';
import type { PaymentMethodAdapter, RescanCapability } from '../core/payment-method.ts';
import type { Deps } from './deps.ts';
import { MethodRegistry } from './method-registry.ts';
import { WatcherSupervisor, watcherName } from './run-watchers.ts';

export interface RescanInput {
  readonly methodId: string;
  readonly fromHeight: number;
  /** Run the watcher here until it reaches the tip (default); false only rewinds. */
  readonly run?: boolean;
  /** Called with blocks done and blocks to do while running. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Give up when the height has not moved for this long (node down, for instance). */
  readonly stallMs?: number;
}

export interface RescanResult {
  readonly watcher: string;
  readonly fromHeight: number;
  readonly tipHeight: number;
  /** Height the watcher reached here, or null when only rewound. */
  readonly reachedHeight: number | null;
}


export async function rescan(deps: Deps, input: RescanInput): Promise<RescanResult> {
  const method = deps.methods.get(input.methodId);
  if (!method) throw new CofferError('unsupported_payment_method', `payment method "${input.methodId}" is not configured`);
  const adapter = method.adapter;
  const source = adapter.capabilities?.rescan;
  if (!source) throw new CofferError('invalid_param', `payment method "${input.methodId}" has no chain to rescan`);
  const name = watcherName(adapter);
  const lease = `watcher:${name}`;
  const holder = `rescan_${randomUUID()}`;
  const now = deps.clock.now();
  if (!(await deps.store.leases.acquire(lease, holder, now, new Date(now.getTime() + Limits.leaseMs)))) {
    throw new CofferError('conflict', `the ${name} watcher is running in another process; stop its watcher role, then rescan (or restart it after a rescan --only-reset)`);
  }
  let state: { key: string; value: string; tipHeight: number };
  try {
    state = await source.rescanState(input.fromHeight);
    await deps.store.watcherState.set(name, state.key, state.value, deps.clock.now());
    deps.log.warn({ watcher: name, fromHeight: input.fromHeight, tipHeight: state.tipHeight }, 'watcher rewound: the next start rescans from this height');
  } finally {
    await deps.store.leases.release(lease, holder);
  }
  const base = { watcher: name, fromHeight: input.fromHeight, tipHeight: state.tipHeight };
  if (input.run === false) return { ...base, reachedHeight: null };
  return { ...base, reachedHeight: await runToTip(deps, adapter, source, input, state) };
}

/** Runs only this adapter's watcher (through the supervisor, under its lease) until `tipHeight`. */
async function runToTip(deps: Deps, adapter: PaymentMethodAdapter, source: RescanCapability, input: RescanInput,
  state: { key: string; tipHeight: number }): Promise<number> {
  const tipHeight = state.tipHeight;
  const only = new MethodRegistry(deps.methods.known());
  for (const id of deps.methods.ids()) {
    const configured = deps.methods.get(id);
    if (configured && configured.adapter === adapter) only.add(configured);
  }
  const supervisor = new WatcherSupervisor({ ...deps, methods: only });
  await supervisor.start();
  try {
    const status = () => supervisor.status()[0];
    if (!status()?.running) throw new CofferError('conflict', 'another process started the watcher; it will do the rescan');
    const total = Math.max(1, tipHeight - input.fromHeight + 1);
    const stallMs = input.stallMs ?? AdminLimits.rescanStallMsDefault;
    let last = -1;
    let movedAt = Date.now();
    for (;;) {
      // The watcher stores its position after each committed batch: progress within one long sync.
      const stored = await deps.store.watcherState.get(watcherName(adapter), state.key);
      const height = stored === null ? -1 : source.stateHeight(stored);
      const health = status()?.health;
      if (height > last) {
        last = height;
        movedAt = Date.now();
        input.onProgress?.(Math.min(total, Math.max(0, height - input.fromHeight + 1)), total);
      }
      if (height >= tipHeight) return height;
      if (Date.now() - movedAt > stallMs) {
        throw new CofferError('service_unavailable', `rescan stalled at height ${last}: ${health?.detail ?? 'no progress from the node'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, AdminLimits.rescanProgressPollMs));
    }
  } finally {
    await supervisor.stop();
  }
}
