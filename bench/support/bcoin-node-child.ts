// A bcoin regtest node in its own process for the bitcoin benches: the node's memory and CPU are
// not the watcher's (in production they are separate processes too). Driven over IPC:
//   parent → { type: 'build', blocks, smallTxs, bigTxs, payments: hex scripts (one per block, or '') }
//   child  → { type: 'ready', url, port, apiKey } once started, { type: 'built', hashes, tip, buildMs, cached } per build.
// Run only through fork() from a bench. With `--cache <dir>` as its argument the node keeps its
// chain on disk there: the first run builds the blocks and records them in <dir>/built.json; a
// later run with the same directory (the bench names it after the block shape and payments)
// reopens that chain and answers the first build from it, without building anything.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BcoinRegtest } from '../../test/support/bcoin-regtest.ts';
import { MainnetBlocks } from '../../test/support/bcoin-blocks.ts';

interface BuildRequest {
  readonly type: 'build';
  readonly blocks: number;
  readonly smallTxs: number;
  readonly bigTxs: number;
  /** Per block, the script (hex) its first small transaction pays, or '' for none. */
  readonly payments: readonly string[];
  readonly paymentSat: string;
}

const PAYMENT_CHAINS = 1;
const cacheAt = process.argv.indexOf('--cache');
const cacheDir = cacheAt === -1 ? null : resolve(process.argv[cacheAt + 1] as string);
const builtFile = cacheDir === null ? null : join(cacheDir, 'built.json');
let cached: { hashes: string[]; tip: number; buildMs: number } | null = null;
if (cacheDir !== null && builtFile !== null) {
  if (existsSync(builtFile)) cached = JSON.parse(readFileSync(builtFile, 'utf8')) as typeof cached;
  else rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
}
const node = await BcoinRegtest.start(undefined, cacheDir === null ? {} : { prefix: cacheDir });
const blocks = new MainnetBlocks(node);
let funded = false;

process.on('message', (message: BuildRequest | { type: 'stop' }) => {
  void (async () => {
    if (message.type === 'stop') {
      await node.close();
      process.exit(0);
    }
    if (cached !== null) {
      process.send?.({ type: 'built', ...cached, cached: true });
      cached = null;
      return;
    }
    if (!funded) {
      await blocks.fund(Math.max(message.smallTxs, PAYMENT_CHAINS), message.bigTxs);
      funded = true;
    }
    const started = performance.now();
    const hashes: string[] = [];
    for (let i = 0; i < message.blocks; i++) {
      const script = message.payments[i] ?? '';
      const payments = script === '' ? [] : [{ script: Buffer.from(script, 'hex'), valueSat: BigInt(message.paymentSat) }];
      hashes.push(await blocks.mine({ smallTxs: Math.max(message.smallTxs, payments.length), bigTxs: message.bigTxs, payments }));
      if ((i + 1) % 12 === 0) process.stderr.write(`built ${i + 1}/${message.blocks} blocks\n`);
    }
    const built = { hashes, tip: await node.height(), buildMs: performance.now() - started };
    if (builtFile !== null) writeFileSync(builtFile, JSON.stringify(built));
    process.send?.({ type: 'built', ...built, cached: false });
  })().catch((error: unknown) => {
    process.stderr.write(`bcoin child failed: ${String(error)}\n`);
    process.exit(1);
  });
});
process.send?.({ type: 'ready', url: node.url, port: node.port, apiKey: node.apiKey });
