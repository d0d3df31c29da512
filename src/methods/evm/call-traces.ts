// ETH moved by contracts (a smart-contract wallet paying out, an exchange batcher) leaves no
// transaction to the deposit address and no log: only the call trace shows it. This reads geth's
// callTracer frames (debug_traceBlockByNumber / debug_traceTransaction; same shape in erigon,
// reth and anvil): { type, from, to, value, error?, calls?: frame[] } — geth docs "Built-in
// tracers", callTracer. An inner transfer counts when it moves value (CALL, CREATE, CREATE2,
// SELFDESTRUCT; DELEGATECALL and STATICCALL move nothing, and DELEGATECALL's `value` is only the
// parent's msg.value), its value is > 0, and neither it nor any frame above it failed (a reverted
// frame undoes everything below it). The top-level frame is the transaction itself, which the
// watcher reads from the block; it is skipped here.

const VALUE_MOVING = new Set(['CALL', 'CREATE', 'CREATE2', 'SELFDESTRUCT']);
const ADDRESS_RE = /^0x[0-9a-f]{40}$/;

export interface InternalTransfer {
  /** Frame indices from the top-level call, e.g. "0.1" (first inner call's second inner call). */
  readonly path: string;
  /** Lowercase recipient. */
  readonly to: string;
  readonly valueWei: bigint;
}

/** Thrown for a frame that is not a callTracer frame (the node answered garbage). */
export class MalformedTraceError extends Error {
  override readonly name = 'MalformedTraceError';
}

interface Frame {
  readonly type: string;
  readonly to: string | null;
  readonly valueWei: bigint;
  readonly failed: boolean;
  readonly calls: readonly unknown[];
}

function parseFrame(raw: unknown): Frame {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new MalformedTraceError('trace frame is not an object');
  const f = raw as Record<string, unknown>;
  if (typeof f.type !== 'string') throw new MalformedTraceError('trace frame has no type');
  const to = typeof f.to === 'string' ? f.to.toLowerCase() : null;
  if (to !== null && !ADDRESS_RE.test(to)) throw new MalformedTraceError('trace frame `to` is not an address');
  let valueWei = 0n;
  if (f.value !== undefined && f.value !== null) {
    if (typeof f.value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(f.value)) throw new MalformedTraceError('trace frame value is not a hex quantity');
    valueWei = BigInt(f.value);
  }
  if (f.calls !== undefined && !Array.isArray(f.calls)) throw new MalformedTraceError('trace frame calls is not an array');
  const failed = (typeof f.error === 'string' && f.error !== '') || (typeof f.revertReason === 'string' && f.revertReason !== '');
  return { type: f.type.toUpperCase(), to, valueWei, failed, calls: (f.calls as unknown[] | undefined) ?? [] };
}

/** Successful inner value transfers of one transaction's call tree, in tree order. */
export function internalTransfers(root: unknown): InternalTransfer[] {
  const top = parseFrame(root);
  if (top.failed) return [];
  const out: InternalTransfer[] = [];
  // Iterative walk (a call tree can be 1,024 frames deep): [frame, path].
  const stack: [unknown, string][] = top.calls.map((c, i) => [c, String(i)] as [unknown, string]).reverse();
  while (stack.length > 0) {
    const [raw, path] = stack.pop() as [unknown, string];
    const frame = parseFrame(raw);
    if (frame.failed) continue; // nothing at or below a failed frame happened
    if (VALUE_MOVING.has(frame.type) && frame.valueWei > 0n && frame.to !== null) out.push({ path, to: frame.to, valueWei: frame.valueWei });
    for (let i = frame.calls.length - 1; i >= 0; i--) stack.push([frame.calls[i], `${path}.${i}`]);
  }
  return out;
}

/** The inner transfer at `path`, or null when it is not there, failed, or moved nothing. */
export function internalTransferAt(root: unknown, path: string): InternalTransfer | null {
  return internalTransfers(root).find((t) => t.path === path) ?? null;
}

/** True when a node's error says it does not offer the method (so the watcher stops asking). */
export function isMethodMissing(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : '';
  return e?.code === -32601 || /method .*(not (found|supported|available|exist)|does not exist)|not supported|unsupported method|unknown method|tracer not found|not enabled/i.test(message);
}
