// A raw Bitcoin transaction parser (segwit aware) that reads only what a deposit watcher needs:
// the txid, the outputs (value in sats, scriptPubKey as a view into the input bytes, never a
// copy), the outpoints the inputs spend and whether it signals replace-by-fee (BIP125). It is
// hand-written because a block of thousands of transactions is parsed on every new tip and the
// bench holds block processing to within 2x of bare parsing.

import { createHash } from 'node:crypto';

/** Sequence numbers below this signal opt-in replace-by-fee (BIP125). */
const RBF_SEQUENCE_MAX = 0xffff_fffe;
/** Sanity limits: a standard block is 4 MB of weight, so no count can exceed what fits in it. */
const MAX_ITEMS = 1_000_000;

export interface TxInput {
  /** Txid (display order, hex) of the output spent; all zeros for a coinbase. */
  readonly prevTxid: string;
  readonly prevVout: number;
  readonly sequence: number;
}

export interface TxOutput {
  readonly valueSat: bigint;
  readonly script: Uint8Array;
}

export interface RawTransaction {
  readonly txid: string;
  readonly inputs: readonly TxInput[];
  readonly outputs: readonly TxOutput[];
  /** Any input signals BIP125 replaceability. */
  readonly rbf: boolean;
  readonly segwit: boolean;
}

export class RawParseError extends Error {
  override readonly name = 'RawParseError';
}

/** A cursor over a Buffer with bounds checks; every read throws RawParseError past the end. */
export class ByteReader {
  readonly bytes: Buffer;
  offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  need(length: number): void {
    if (this.offset + length > this.bytes.length) throw new RawParseError(`truncated data at byte ${this.offset} (need ${length})`);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++] as number;
  }

  u32(): number {
    this.need(4);
    const value = this.bytes.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  u64(): bigint {
    this.need(8);
    const value = this.bytes.readBigUInt64LE(this.offset);
    this.offset += 8;
    return value;
  }

  varint(): number {
    const first = this.u8();
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      this.need(2);
      const value = this.bytes.readUInt16LE(this.offset);
      this.offset += 2;
      return value;
    }
    if (first === 0xfe) return this.u32();
    const value = this.u64();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RawParseError('varint too large');
    return Number(value);
  }

  count(): number {
    const n = this.varint();
    if (n > MAX_ITEMS) throw new RawParseError(`implausible item count ${n}`);
    return n;
  }

  skip(length: number): void {
    this.need(length);
    this.offset += length;
  }

  view(length: number): Buffer {
    this.need(length);
    const view = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }
}

/** Reverses a 32-byte hash into Bitcoin's display order as hex. */
export function hashToHex(hash: Uint8Array): string {
  const copy = Buffer.from(hash);
  return copy.reverse().toString('hex');
}

function sha256d(parts: readonly Buffer[]): Buffer {
  const first = createHash('sha256');
  for (const part of parts) first.update(part);
  return createHash('sha256').update(first.digest()).digest();
}

/** Double SHA-256 in display order (txid, block hash). */
export function doubleSha256Hex(parts: readonly Buffer[]): string {
  return sha256d(parts).reverse().toString('hex');
}

/** Where one transaction's parts lie in the bytes it was read from: what its txid commits to. */
interface TxSpans {
  readonly start: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly lockStart: number;
  readonly segwit: boolean;
  /** Any input signals BIP125 replaceability. */
  readonly rbf: boolean;
}

/**
 * Receives a transaction's inputs and outputs as offsets into the bytes: nothing is copied, and
 * no view is made unless the visitor makes one (a Buffer view costs more than reading the bytes).
 */
interface TxVisitor {
  /** `prevOffset`: where the 32-byte txid of the spent output starts. */
  input(prevOffset: number, prevVout: number, sequence: number): void;
  /** `valueOffset`: where the output's 8-byte value starts; its script is `scriptLength` bytes at `scriptOffset`. */
  output(vout: number, valueOffset: number, scriptOffset: number, scriptLength: number): void;
}

/**
 * Walks one transaction at the reader's offset and leaves the offset after it. The one reader of
 * the transaction format: the full parse and the block scan both go through it.
 */
function walkTransaction(reader: ByteReader, visitor: TxVisitor): TxSpans {
  const bytes = reader.bytes;
  const start = reader.offset;
  reader.skip(4); // version
  let segwit = false;
  reader.need(2);
  if (bytes[reader.offset] === 0x00 && bytes[reader.offset + 1] === 0x01) {
    segwit = true;
    reader.offset += 2;
  }
  const bodyStart = reader.offset;
  const inputCount = reader.count();
  let rbf = false;
  for (let i = 0; i < inputCount; i++) {
    const prevOffset = reader.offset;
    reader.skip(32);
    const prevVout = reader.u32();
    reader.skip(reader.varint()); // scriptSig
    const sequence = reader.u32();
    if (sequence < RBF_SEQUENCE_MAX) rbf = true;
    visitor.input(prevOffset, prevVout, sequence);
  }
  const outputCount = reader.count();
  for (let i = 0; i < outputCount; i++) {
    const valueOffset = reader.offset;
    reader.skip(8);
    const scriptLength = reader.varint();
    const scriptOffset = reader.offset;
    reader.skip(scriptLength);
    visitor.output(i, valueOffset, scriptOffset, scriptLength);
  }
  const bodyEnd = reader.offset;
  if (segwit) {
    for (let i = 0; i < inputCount; i++) {
      const items = reader.count();
      for (let j = 0; j < items; j++) reader.skip(reader.varint());
    }
  }
  const lockStart = reader.offset;
  reader.skip(4);
  return { start, bodyStart, bodyEnd, lockStart, segwit, rbf };
}

/**
 * The txid commits to the legacy serialisation: version, inputs, outputs, locktime, without the
 * segwit marker/flag and witnesses. Hashing the slices avoids copying the transaction.
 */
function txidOf(bytes: Buffer, spans: TxSpans): string {
  const { start, bodyStart, bodyEnd, lockStart } = spans;
  return spans.segwit
    ? doubleSha256Hex([bytes.subarray(start, start + 4), bytes.subarray(bodyStart, bodyEnd), bytes.subarray(lockStart, lockStart + 4)])
    : doubleSha256Hex([bytes.subarray(start, lockStart + 4)]);
}

/** Builds every input and output of a transaction as objects (the full parse). */
class CollectingVisitor implements TxVisitor {
  readonly inputs: TxInput[] = [];
  readonly outputs: TxOutput[] = [];
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  input(prevOffset: number, prevVout: number, sequence: number): void {
    this.inputs.push({ prevTxid: hashToHex(this.#bytes.subarray(prevOffset, prevOffset + 32)), prevVout, sequence });
  }

  output(_vout: number, valueOffset: number, scriptOffset: number, scriptLength: number): void {
    this.outputs.push({ valueSat: this.#bytes.readBigUInt64LE(valueOffset), script: this.#bytes.subarray(scriptOffset, scriptOffset + scriptLength) });
  }
}

/** Parses one transaction at the reader's offset and leaves the offset after it. */
export function readTransaction(reader: ByteReader): RawTransaction {
  const visitor = new CollectingVisitor(reader.bytes);
  const spans = walkTransaction(reader, visitor);
  return { txid: txidOf(reader.bytes, spans), inputs: visitor.inputs, outputs: visitor.outputs, rbf: spans.rbf, segwit: spans.segwit };
}

/** One output a scan was asked for, with what a payment needs. */
export interface ScannedOutput {
  readonly txid: string;
  readonly vout: number;
  readonly valueSat: bigint;
  readonly script: Uint8Array;
  readonly rbf: boolean;
}

/** Whether an output script (`length` bytes of `bytes` at `offset`) is one a scan keeps. */
export type ScriptFilter = (bytes: Uint8Array, offset: number, length: number) => boolean;

/** Keeps only the outputs `wants` accepts; reused across the transactions of a block. */
class ScanningVisitor implements TxVisitor {
  readonly #bytes: Buffer;
  readonly #wants: ScriptFilter;
  readonly hits: Array<{ vout: number; valueOffset: number; script: Buffer }> = [];

  constructor(bytes: Buffer, wants: ScriptFilter) {
    this.#bytes = bytes;
    this.#wants = wants;
  }

  input(): void {}

  output(vout: number, valueOffset: number, scriptOffset: number, scriptLength: number): void {
    if (!this.#wants(this.#bytes, scriptOffset, scriptLength)) return;
    this.hits.push({ vout, valueOffset, script: this.#bytes.subarray(scriptOffset, scriptOffset + scriptLength) });
  }

  /** Appends this transaction's hits to `out` (hashing the transaction only if there are any). */
  flush(spans: TxSpans, out: ScannedOutput[]): void {
    if (this.hits.length === 0) return;
    const txid = txidOf(this.#bytes, spans);
    for (const hit of this.hits) {
      out.push({ txid, vout: hit.vout, valueSat: this.#bytes.readBigUInt64LE(hit.valueOffset), script: hit.script, rbf: spans.rbf });
    }
    this.hits.length = 0;
  }
}

/**
 * Reads `count` transactions at the reader's offset, keeping only the outputs `wants` accepts.
 * Nothing is built for the other outputs and a transaction is hashed only when one of its
 * outputs is kept: a watcher matching a 3,000-transaction block against its scripts needs the
 * txid of the few that pay it, not of all of them.
 */
export function scanTransactions(reader: ByteReader, count: number, wants: ScriptFilter): ScannedOutput[] {
  const out: ScannedOutput[] = [];
  const visitor = new ScanningVisitor(reader.bytes, wants);
  for (let i = 0; i < count; i++) visitor.flush(walkTransaction(reader, visitor), out);
  return out;
}

/** Parses a whole raw transaction (hex from getrawtransaction, or bytes); trailing bytes are an error. */
export function parseTransaction(raw: string | Uint8Array): RawTransaction {
  const reader = new ByteReader(typeof raw === 'string' ? Buffer.from(raw, 'hex') : raw);
  const tx = readTransaction(reader);
  if (reader.offset !== reader.bytes.length) throw new RawParseError(`${reader.bytes.length - reader.offset} trailing bytes after transaction`);
  return tx;
}
