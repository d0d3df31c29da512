// Bench: processing one block of 3,000 transactions against 100,000 watched addresses, compared
// with just parsing that raw block, in the same run. Target: processing < 2x parsing.
// Run: node --import tsx bench/bitcoin-block.ts
//
// "Processing" is what the watcher does per block once the bytes are fetched: scan the block
// (scanBlock: every transaction walked, only outputs to watched scripts built, only their
// transactions hashed), check the windows, and build the Observations. "Parsing" is parseBlock
// alone (every transaction built and hashed). RPC transfer time is excluded from both.

import { randomBytes } from 'node:crypto';
import { bech32 } from '@scure/base';
import { parseBlock, scanBlock } from '../src/methods/bitcoin/raw-block.ts';
import { WatchedScripts } from '../src/methods/bitcoin/watched-scripts.ts';
import type { WatchedTarget } from '../src/core/payment-method.ts';
import type { Observation } from '../src/core/observation.ts';

const TX_COUNT = 3_000;
const WATCHED_COUNT = 100_000;
const PAYING_TXS = 50;
const RUNS = 40;
const WARMUP = 5;

function varint(n: number): Buffer {
  if (n < 0xfd) return Buffer.from([n]);
  const b = Buffer.alloc(3);
  b[0] = 0xfd;
  b.writeUInt16LE(n, 1);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
}

const p2wpkh = (hash: Uint8Array): Buffer => Buffer.concat([Buffer.from([0x00, 0x14]), hash]);

/** A segwit tx shaped like a typical payment: 1-2 P2WPKH inputs, 2 outputs, signature + key witnesses. */
function segwitTx(outputs: Buffer[]): Buffer {
  const inputs = 1 + Math.floor(Math.random() * 2);
  const parts: Buffer[] = [u32(2), Buffer.from([0x00, 0x01]), varint(inputs)];
  for (let i = 0; i < inputs; i++) parts.push(randomBytes(32), u32(i), varint(0), u32(0xfffffffd));
  parts.push(varint(outputs.length));
  for (const script of outputs) parts.push(u64(BigInt(10_000 + Math.floor(Math.random() * 1e7))), varint(script.length), script);
  for (let i = 0; i < inputs; i++) parts.push(varint(2), varint(72), randomBytes(72), varint(33), randomBytes(33));
  parts.push(u32(0));
  return Buffer.concat(parts);
}

function buildBlock(watched: Uint8Array[]): Buffer {
  const coinbase = Buffer.concat([u32(1), varint(1), Buffer.alloc(32), u32(0xffffffff), varint(4), randomBytes(4), u32(0xffffffff),
    varint(1), u64(625_000_000n), varint(22), p2wpkh(randomBytes(20)), u32(0)]);
  const txs: Buffer[] = [coinbase];
  for (let i = 1; i < TX_COUNT; i++) {
    const pays = i % Math.floor(TX_COUNT / PAYING_TXS) === 0;
    const first = pays ? p2wpkh(watched[i % watched.length] as Uint8Array) : p2wpkh(randomBytes(20));
    // A mix of output types, as on mainnet: P2WPKH, P2TR, P2PKH.
    const second = i % 3 === 0 ? Buffer.concat([Buffer.from([0x51, 0x20]), randomBytes(32)])
      : i % 3 === 1 ? Buffer.concat([Buffer.from([0x76, 0xa9, 0x14]), randomBytes(20), Buffer.from([0x88, 0xac])])
        : p2wpkh(randomBytes(20));
    txs.push(segwitTx([first, second]));
  }
  const header = Buffer.concat([u32(0x20000000), randomBytes(32), randomBytes(32), u32(1_700_000_000), u32(0x1d00ffff), u32(0)]);
  return Buffer.concat([header, varint(txs.length), ...txs]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const hashes = Array.from({ length: WATCHED_COUNT }, () => new Uint8Array(randomBytes(20)));
const watchUntil = new Date(Date.now() + 86_400_000);
const targets: WatchedTarget[] = hashes.map((h, i) => ({
  methodId: 'bitcoin', targetKey: bech32.encode('bcrt', [0, ...bech32.toWords(h)]), invoiceId: `inv_${i}`, watchUntil,
}));
const watched = new WatchedScripts('regtest');
let t = performance.now();
watched.add(targets);
const loadMs = performance.now() - t;
const raw = buildBlock(hashes);

function parseOnly(): number {
  return parseBlock(raw).transactions.length;
}

function processBlock(): number {
  const block = scanBlock(raw, watched.wants);
  const matches = watched.matchScanned(block.outputs, block.time);
  const observations: Observation[] = matches.map((m) => ({
    methodId: 'bitcoin', targetKey: m.targetKey, paymentKey: `${m.txid}:${m.vout}`, amountUnits: m.valueSat,
    state: 'confirmed', confirmations: 1, txid: m.txid, blockHash: block.hash, blockHeight: 1, rbf: m.rbf,
  }));
  return observations.length;
}

for (let i = 0; i < WARMUP; i++) { parseOnly(); processBlock(); }
const parseMs: number[] = [];
const processMs: number[] = [];
let found = 0;
for (let i = 0; i < RUNS; i++) {
  // Interleaved, alternating which goes first, so machine load and GC affect both sides alike.
  const timeParse = (): void => { t = performance.now(); parseOnly(); parseMs.push(performance.now() - t); };
  const timeProcess = (): void => { t = performance.now(); found = processBlock(); processMs.push(performance.now() - t); };
  if (i % 2 === 0) { timeParse(); timeProcess(); } else { timeProcess(); timeParse(); }
}
// The window check alone, on a block scanned once: what processing adds on top of the scan.
const scanned = scanBlock(raw, watched.wants);
const matchMs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  t = performance.now();
  watched.matchScanned(scanned.outputs, scanned.time);
  matchMs.push(performance.now() - t);
}
const parse = median(parseMs);
const process_ = median(processMs);
const ratio = process_ / parse;
console.log(JSON.stringify({
  bench: 'bitcoin-block', txs: TX_COUNT, blockBytes: raw.length, watched: watched.size, watchedLoadMs: +loadMs.toFixed(1),
  matches: found, runs: RUNS, parseMedianMs: +parse.toFixed(2), processMedianMs: +process_.toFixed(2), matchOnlyMedianMs: +median(matchMs).toFixed(2), ratio: +ratio.toFixed(3),
  target: '< 2', pass: ratio < 2,
}));
if (found !== PAYING_TXS - 1 && found !== PAYING_TXS) throw new Error(`expected ~${PAYING_TXS} matches, got ${found}`);
