// Raw block parsing (`getblock <hash> false` returns the block as hex on Bitcoin Core and
// bcoin alike): the 80-byte header, from which the hash and the parent hash come, then every
// transaction through the transaction parser.

import { ByteReader, RawParseError, doubleSha256Hex, hashToHex, readTransaction } from './raw-transaction.ts';
import type { RawTransaction } from './raw-transaction.ts';

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

export function parseBlock(raw: string | Uint8Array): RawBlock {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'hex') : raw;
  const header = parseBlockHeader(bytes);
  const reader = new ByteReader(bytes, HEADER_BYTES);
  const count = reader.count();
  if (count === 0) throw new RawParseError('block without transactions');
  const transactions: RawTransaction[] = new Array(count);
  for (let i = 0; i < count; i++) transactions[i] = readTransaction(reader);
  if (reader.offset !== reader.bytes.length) throw new RawParseError(`${reader.bytes.length - reader.offset} trailing bytes after block`);
  return { ...header, transactions };
}
