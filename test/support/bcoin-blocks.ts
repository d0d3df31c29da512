// Mainnet-shaped blocks on the bcoin regtest node: 1.5–4 MB, thousands of transactions. Block
// weight caps the non-witness bytes at 1 MB, so (as on mainnet) the bulk is witness data: P2WSH
// spends whose witness carries up to 400 items of 520 bytes that the script drops with OP_2DROP
// (201 opcodes per script and 1,000 stack items are the consensus limits; 520 bytes the largest
// element; 400,000 weight the largest transaction bcoin's mempool takes). Regtest does not require
// standard transactions (bcoin networks.js: regtest.requireStandard = false), so these relay.
// Nothing is signed: every output here is an anyone-can-spend P2WSH, and each transaction spends
// the previous one's output ("chains"), so a few funding transactions feed any number of blocks.

import { createHash } from 'node:crypto';
import bcoin from 'bcoin';
import type { BcoinRegtest } from './bcoin-regtest.ts';

const OP_2DROP = 0x6d;
const OP_TRUE = 0x51;
/** MAX_SCRIPT_ELEMENT_SIZE: the largest witness item a P2WSH spend may carry. */
const ITEM_BYTES = 520;
/** 200 OP_2DROP + OP_TRUE stays under MAX_OPS_PER_SCRIPT (201) and drops 400 items. */
const DROPS = 200;
const BIG_SCRIPT = Buffer.from([...new Array<number>(DROPS).fill(OP_2DROP), OP_TRUE]);
const SMALL_SCRIPT = Buffer.from([OP_TRUE]);
const FILLER = Buffer.alloc(ITEM_BYTES, 0xab);
/** Outputs per funding transaction: 43 bytes each, well under the 400,000 weight cap. */
const FUNDING_OUTPUTS_MAX = 1_500;
/** Fees: comfortably above bcoin's 1,000 sat/kvB relay floor, below its absurd-fee guard. */
const SMALL_FEE_SAT = 1_000n;
const BIG_FEE_SAT = 100_000n;
/** Every small transaction also pays this to its payment output (a watched script or a random one). */
const PAYMENT_SAT = 1_000n;

const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
const p2wsh = (script: Buffer): Buffer => Buffer.concat([Buffer.from([0x00, 0x20]), sha256(script)]);
const BIG_SPK = p2wsh(BIG_SCRIPT);
const SMALL_SPK = p2wsh(SMALL_SCRIPT);

function varint(n: number): Buffer {
  if (n < 0xfd) return Buffer.from([n]);
  if (n <= 0xffff) { const b = Buffer.alloc(3); b[0] = 0xfd; b.writeUInt16LE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = 0xfe; b.writeUInt32LE(n, 1); return b;
}
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n: bigint): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return b; };

interface Outpoint { readonly txid: string; readonly vout: number; readonly valueSat: bigint }
export interface BlockOutput { readonly script: Uint8Array; readonly valueSat: bigint }

/** A segwit transaction spending one anyone-can-spend input; returns its raw bytes and txid. */
function spend(input: Outpoint, witness: readonly Buffer[], outputs: readonly { script: Buffer; valueSat: bigint }[]): { raw: Buffer; txid: string } {
  const ins = Buffer.concat([varint(1), Buffer.from(input.txid, 'hex').reverse(), u32(input.vout), varint(0), u32(0xffffffff)]);
  const outs = Buffer.concat([varint(outputs.length), ...outputs.flatMap((o) => [u64(o.valueSat), varint(o.script.length), o.script])]);
  const wit = Buffer.concat([varint(witness.length), ...witness.flatMap((w) => [varint(w.length), w])]);
  const stripped = Buffer.concat([u32(2), ins, outs, u32(0)]);
  const txid = sha256(sha256(stripped)).reverse().toString('hex');
  return { raw: Buffer.concat([u32(2), Buffer.from([0x00, 0x01]), ins, outs, wit, u32(0)]), txid };
}

export interface MainnetBlockShape {
  /** Small (one in, two out) transactions: the transaction count of the block. */
  readonly smallTxs: number;
  /** Witness-heavy transactions of ~210 KB each: the bytes of the block. */
  readonly bigTxs: number;
  /** Scripts paid by small transactions' second output, one each, starting at a chain that moves every block (the rest pay random P2WPKH). */
  readonly payments?: readonly BlockOutput[];
}

/**
 * Feeds mainnet-shaped blocks to a BcoinRegtest node. `fund` once (spends mature coinbases), then
 * `mine` blocks of a chosen shape; transactions go into bcoin's mempool in-process (no RPC hex
 * round trip) and `generatetoaddress` mines them.
 */
export class MainnetBlocks {
  readonly #node: BcoinRegtest;
  #small: Outpoint[] = [];
  #big: Outpoint[] = [];
  /** Blocks mined so far: the payments start at a different chain each block, so no chain runs dry. */
  #mined = 0;

  constructor(node: BcoinRegtest) {
    this.#node = node;
  }

  /** Creates `small` and `big` spendable chains and mines their funding. */
  async fund(small: number, big: number): Promise<void> {
    const wanted: Array<{ script: Buffer; into: Outpoint[] }> = [
      ...Array.from({ length: small }, () => ({ script: SMALL_SPK, into: this.#small })),
      ...Array.from({ length: big }, () => ({ script: BIG_SPK, into: this.#big })),
    ];
    for (let i = 0; i < wanted.length; i += FUNDING_OUTPUTS_MAX) {
      const part = wanted.slice(i, i + FUNDING_OUTPUTS_MAX);
      const coin = await this.#node.takeCoin();
      const each = (coin.valueSat - 1_000_000n) / BigInt(part.length);
      const tx = this.#node.buildScriptTx(coin, part.map((w) => ({ script: w.script, amountSat: each })), 500_000n);
      await this.#node.broadcast(tx);
      part.forEach((w, vout) => w.into.push({ txid: tx.txid, vout, valueSat: each }));
    }
    await this.#node.mine(1);
  }

  get chains(): { small: number; big: number } {
    return { small: this.#small.length, big: this.#big.length };
  }

  /** Mines one block of the given shape; returns its hash. */
  async mine(shape: MainnetBlockShape): Promise<string> {
    if (shape.smallTxs > this.#small.length || shape.bigTxs > this.#big.length) throw new Error('not enough funded chains');
    const mempool = (this.#node.node as unknown as { mempool: { addTX(tx: unknown): Promise<unknown> } }).mempool;
    const payments = shape.payments ?? [];
    if (payments.length > shape.smallTxs) throw new Error('more payments than small transactions');
    for (let i = 0; i < shape.bigTxs; i++) {
      const input = this.#big[i] as Outpoint;
      const valueSat = input.valueSat - BIG_FEE_SAT;
      const tx = spend(input, [...new Array<Buffer>(2 * DROPS).fill(FILLER), BIG_SCRIPT], [{ script: BIG_SPK, valueSat }]);
      await mempool.addTX(bcoin.TX.fromRaw(tx.raw));
      this.#big[i] = { txid: tx.txid, vout: 0, valueSat };
    }
    for (let i = 0; i < shape.smallTxs; i++) {
      const input = this.#small[i] as Outpoint;
      // Payment p is made by chain (mined + p) mod smallTxs.
      const payment = payments[(i - (this.#mined % shape.smallTxs) + shape.smallTxs) % shape.smallTxs];
      const paid = payment ? { script: Buffer.from(payment.script), valueSat: payment.valueSat } : { script: randomP2wpkh(i), valueSat: PAYMENT_SAT };
      const valueSat = input.valueSat - SMALL_FEE_SAT - paid.valueSat;
      const tx = spend(input, [SMALL_SCRIPT], [{ script: SMALL_SPK, valueSat }, paid]);
      await mempool.addTX(bcoin.TX.fromRaw(tx.raw));
      this.#small[i] = { txid: tx.txid, vout: 0, valueSat };
    }
    const [hash] = await this.#node.mine(1);
    this.#mined += 1;
    return hash as string;
  }
}

let counter = 0;
/** A P2WPKH script to nobody in particular (distinct per call). */
function randomP2wpkh(i: number): Buffer {
  const hash = sha256(Buffer.from(`${++counter}:${i}`)).subarray(0, 20);
  return Buffer.concat([Buffer.from([0x00, 0x14]), hash]);
}
