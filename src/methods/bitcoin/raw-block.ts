// Raw block parsing (`getblock <hash> 0` returns the block as serialized hex on Bitcoin Core and
// bcoin alike — https://developer.bitcoin.org/reference/rpc/getblock.html: "If verbosity is 0,
// returns a string that is serialized, hex-encoded data for block 'hash'"): the 80-byte header,
// from which the hash and the parent hash come, then the transactions. parseBlock builds every
// transaction; scanBlock (what the watcher uses) keeps only the outputs it is asked for.

import { ByteReader, RawParseError, doubleSha256Hex, hashToHex, readTransaction, scanTransactions } from './raw-transaction.ts';
import type { RawTransaction, ScannedOutput, ScriptFilter } from './raw-transaction.ts';

const HEADER_BYTES = 80;

export interface BlockHeader {
  readonly hash: string;
  readonly prevHash: string;
  readonly time: number;
}

export interface RawBlock extends BlockHeader {
  readonly transactions: readonly RawTransaction[];
}

export function parseBlockHeader(raw: Uint8Array): BlockHeader {
  const reader = new ByteReader(raw);
  reader.need(HEADER_BYTES);
  const header = reader.bytes.subarray(0, HEADER_BYTES);
  return {
    hash: doubleSha256Hex([header]),
    prevHash: hashToHex(header.subarray(4, 36)),
    time: header.readUInt32LE(68),
  };
}

export interface ScannedBlock extends BlockHeader {
  readonly transactionCount: number;
  /** The outputs `wants` accepted, in block order. */
  readonly outputs: readonly ScannedOutput[];
}

export function parseBlock(raw: string | Uint8Array): RawBlock {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'hex') : raw;
  const header = parseBlockHeader(bytes);
  const reader = new ByteReader(bytes, HEADER_BYTES);
  const count = transactionCount(reader);
  const transactions: RawTransaction[] = new Array(count);
  for (let i = 0; i < count; i++) transactions[i] = readTransaction(reader);
  endOfBlock(reader);
  return { ...header, transactions };
}

/**
 * Walks the whole block (every transaction is read and bounds-checked, trailing bytes refused,
 * as parseBlock does) but builds only the outputs `wants` accepts, and hashes only the
 * transactions that have one.
 */
export function scanBlock(raw: Uint8Array, wants: ScriptFilter): ScannedBlock {
  const header = parseBlockHeader(raw);
  const reader = new ByteReader(raw, HEADER_BYTES);
  const count = transactionCount(reader);
  const outputs = scanTransactions(reader, count, wants);
  endOfBlock(reader);
  return { ...header, transactionCount: count, outputs };
}

function transactionCount(reader: ByteReader): number {
  const count = reader.count();
  if (count === 0) throw new RawParseError('block without transactions');
  return count;
}

function endOfBlock(reader: ByteReader): void {
  if (reader.offset !== reader.bytes.length) throw new RawParseError(`${reader.bytes.length - reader.offset} trailing bytes after block`);
}
