// Row ids, time-ordered: UUID version 7 (RFC 9562) — 48 bits of Unix milliseconds, then 74
// random bits. A unique index on such ids grows at its end, so the rows of one commit share a few
// index pages instead of dirtying one random page each (on SQLite a commit writes every dirty page
// to the WAL: random v4 ids made it ~45 % dearer). 74 random bits keep ids unguessable.

import { randomFillSync } from 'node:crypto';
import { StorageLimits } from '../core/limits.ts';

const RANDOM_BYTES = 10;
const pool = Buffer.alloc(StorageLimits.idRandomPoolBytes);
let used: number = StorageLimits.idRandomPoolBytes;

/** The UUIDv7 text (8-4-4-4-12 lowercase hex) of `ms` and 10 random bytes. */
export function uuidV7From(ms: number, random: Uint8Array): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new RangeError(`timestamp out of range: ${ms}`);
  if (random.length !== RANDOM_BYTES) throw new RangeError('uuidV7From needs 10 random bytes');
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes.set(random, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A new UUIDv7 (random bytes drawn from a pooled buffer, as `randomUUID` does). */
export function newUuid(): string {
  if (used + RANDOM_BYTES > StorageLimits.idRandomPoolBytes) {
    randomFillSync(pool);
    used = 0;
  }
  const random = pool.subarray(used, used + RANDOM_BYTES);
  used += RANDOM_BYTES;
  return uuidV7From(Date.now(), random);
}

/** `prefix_` and a new UUIDv7 without dashes: `evt_0192…`. */
export function newPrefixedId(prefix: string): string {
  return `${prefix}_${newUuid().replaceAll('-', '')}`;
}
