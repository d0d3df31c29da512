// The durable position of one chain's watcher: the last fully processed block and the hashes of
// the most recent blocks (the reorg horizon). Stored as one JSON value so it is written
// atomically after the observations of a step were emitted: a crash in between replays the step,
// which is harmless because observations are idempotent.

export class ChainCursor {
  /** Last processed block number; null before the first step. */
  last: number | null;
  readonly #hashes: Map<number, string>;
  readonly #window: number;

  constructor(window: number, last: number | null = null, hashes: Iterable<[number, string]> = []) {
    this.#window = window;
    this.last = last;
    this.#hashes = new Map(hashes);
  }

  static parse(text: string | null, window: number): ChainCursor {
    if (text === null) return new ChainCursor(window);
    const raw = JSON.parse(text) as { last?: unknown; hashes?: unknown };
    if (typeof raw.last !== 'number' || !Array.isArray(raw.hashes)) throw new Error('evm cursor state is corrupt');
    const hashes: [number, string][] = [];
    for (const pair of raw.hashes as unknown[]) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'number' || typeof pair[1] !== 'string') throw new Error('evm cursor state is corrupt');
      hashes.push([pair[0], pair[1]]);
    }
    return new ChainCursor(window, raw.last, hashes);
  }

  serialize(): string {
    return JSON.stringify({ last: this.last, hashes: [...this.#hashes.entries()] });
  }

  hashAt(height: number): string | undefined {
    return this.#hashes.get(height);
  }

  /** Records a processed block and forgets hashes older than the window. */
  record(height: number, hash: string): void {
    this.#hashes.set(height, hash);
    const oldest = height - this.#window;
    for (const h of this.#hashes.keys()) if (h <= oldest) this.#hashes.delete(h);
  }

  /** Heights with a stored hash, newest first (for walking back to a fork point). */
  heightsDescending(): number[] {
    return [...this.#hashes.keys()].sort((a, b) => b - a);
  }

  /** Rewinds to `height` (the fork point): later hashes are dropped. */
  rewind(height: number): void {
    for (const h of this.#hashes.keys()) if (h > height) this.#hashes.delete(h);
    this.last = height;
  }
}
