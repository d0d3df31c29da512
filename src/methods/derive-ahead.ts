// HD child keys derived ahead, on a worker thread. Invoice creation then finds the elliptic-curve
// half of its address (child = tweak·G + parent, ~50 µs of libsecp256k1) already done, and does
// only the hashing; nothing on the request path waits for the worker. What is not ready (a cold
// start, another process's indexes, a dead worker) is derived inline as before, with the same
// result (tested against it).

import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import type { HDKey } from '@scure/bip32';
import type { DeriveReply, DeriveRequest } from './derive-worker.ts';
import { DERIVE_AHEAD_DEFAULT } from './limits.ts';

/**
 * The worker's module, beside this one: derive-worker.ts run through tsx (tests and development),
 * derive-worker.js in the compiled release (dist/).
 */
const WORKER_MODULE = new URL(import.meta.url.endsWith('.ts') ? './derive-worker.ts' : './derive-worker.js', import.meta.url);

/**
 * The compiled module runs as is. From the TypeScript sources, Node 20 does not carry tsx's loader
 * into worker threads, so the worker first registers it through tsx's documented API
 * (`tsx/esm/api` register()) and then imports the module — as storage/database.ts starts the
 * SQLite checkpointer (methods may not import storage, hence the same few lines here).
 */
function moduleWorker(options: WorkerOptions): Worker {
  if (!WORKER_MODULE.pathname.endsWith('.ts')) return new Worker(WORKER_MODULE, options);
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_MODULE.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

type Keys = Array<Uint8Array | null>;

class DeriveWorker {
  #worker: Worker | null = null;
  #failed = false;
  #nextId = 1;
  readonly #waiting = new Map<number, { resolve: (keys: Keys) => void; reject: (error: Error) => void }>();

  /** Child keys [from, from+count) of the parent, or a rejection when no worker can run. */
  derive(publicKey: Uint8Array, chainCode: Uint8Array, from: number, count: number, compressed: boolean): Promise<Keys> {
    const worker = this.#started();
    if (worker === null) return Promise.reject(new Error('derivation worker unavailable'));
    const id = this.#nextId++;
    return new Promise<Keys>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.ref();
      const request: DeriveRequest = { id, publicKey, chainCode, from, count, compressed };
      worker.postMessage(request);
    });
  }

  #started(): Worker | null {
    if (this.#worker !== null || this.#failed) return this.#worker;
    try {
      const worker = moduleWorker({
        // It holds a few hundred keys at a time: a small heap keeps the process's memory small.
        resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 },
      });
      worker.on('message', ({ id, keys }: DeriveReply) => {
        this.#waiting.get(id)?.resolve(keys);
        this.#waiting.delete(id);
        // Nothing outstanding: the idle worker must not keep the process alive.
        if (this.#waiting.size === 0) worker.unref();
      });
      worker.on('error', () => this.#fail());
      worker.on('exit', () => this.#fail());
      worker.unref();
      this.#worker = worker;
    } catch {
      this.#failed = true;
    }
    return this.#worker;
  }

  #fail(): void {
    this.#failed = true;
    this.#worker = null;
    for (const waiting of this.#waiting.values()) waiting.reject(new Error('derivation worker stopped'));
    this.#waiting.clear();
  }

  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#fail();
    await worker?.terminate();
  }
}

const shared = new DeriveWorker();

/** Stops the shared worker; from then on nothing is derived ahead (tests of the fallback). */
export function stopDeriveWorker(): Promise<void> {
  return shared.stop();
}

/**
 * The child keys of one parent (a wallet's receive branch) at the indexes after the last one
 * handed out, derived ahead on the worker. `take` gives a ready key (null: an invalid index, which
 * BIP32 skips) or undefined when it is not ready; `after(index)` keeps the next indexes coming.
 */
export class ChildKeysAhead {
  readonly #keys = new Map<number, Uint8Array | null>();
  #requestedUpTo = -1;

  constructor(private readonly parent: HDKey, private readonly compressed: boolean, private readonly ahead = DERIVE_AHEAD_DEFAULT) {}

  take(index: number): Uint8Array | null | undefined {
    const key = this.#keys.get(index);
    if (key !== undefined) this.#keys.delete(index);
    return key;
  }

  /** `index` was just handed out: make sure the ones after it are derived or on their way. */
  after(index: number): void {
    if (this.#requestedUpTo >= index + this.ahead / 2) return;
    const { publicKey, chainCode } = this.parent;
    if (!publicKey || !chainCode) return;
    const from = Math.max(index + 1, this.#requestedUpTo + 1);
    const to = Math.min(index + this.ahead, 0x7fff_ffff);
    if (to < from) return;
    this.#requestedUpTo = to;
    shared.derive(publicKey, chainCode, from, to - from + 1, this.compressed).then((keys) => {
      // Keys far behind the newest handed-out index will not be asked for: keep the map bounded.
      if (this.#keys.size > this.ahead * 4) this.#keys.clear();
      keys.forEach((key, i) => this.#keys.set(from + i, key));
    }, () => {
      // No worker: every index is derived inline, as before.
    });
  }
}

const aheads = new WeakMap<object, ChildKeysAhead>();

/** The one `ChildKeysAhead` of `owner` (a wallet), made on first use. */
export function childKeysAheadOf(owner: object, parent: HDKey, compressed: boolean): ChildKeysAhead {
  let ahead = aheads.get(owner);
  if (!ahead) {
    ahead = new ChildKeysAhead(parent, compressed);
    aheads.set(owner, ahead);
  }
  return ahead;
}
