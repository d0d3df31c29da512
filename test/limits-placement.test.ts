// Proves the limits rule of docs/design-decisions.md ("Limits") holds in every layer: a named
// bound (a constant whose name ends in _MAX, _MS, _BYTES, _DEFAULT, …, or a `…Limits` object) is
// declared in its owner's limits.ts (core's for usecases, storage, http, web, webhooks and cli),
// unless it is listed below as a fact of a protocol or format, a unit, a precision rule of money,
// or a setting's accepted range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

const SRC = resolve(new URL('../src', import.meta.url).pathname);
const LAYERS = ['core', 'methods', 'rates', 'usecases', 'http', 'web', 'webhooks', 'cli', 'storage'];
const BOUND_WORDS = new Set(['MAX', 'MIN', 'MS', 'BYTES', 'DEFAULT', 'LIMIT', 'TIMEOUT', 'RETRIES', 'BATCH', 'SECONDS', 'SIZE', 'WINDOW', 'INTERVAL', 'DIGITS', 'CHARS', 'ITEMS']);

/** Not limits: each stays beside the code that needs it, as `file name`. */
const NOT_LIMITS: readonly string[] = [
  'core/assets.ts PRICE_PRECISION_MAX', // precision rule of money
  'core/rate.ts RATE_SCALE_MAX', // precision rule of money
  'methods/bitcoin/raw-block.ts HEADER_BYTES', // block header size (Bitcoin protocol)
  'methods/bitcoin/raw-transaction.ts RBF_SEQUENCE_MAX', // BIP125
  'methods/bitcoin/raw-transaction.ts MAX_ITEMS', // what fits in a 4 MB block
  'methods/bitcoin/rpc-client.ts ID_DIGITS_MAX', // a JSON-RPC id read as a safe integer
  'methods/lightning/bolt11.ts DEFAULT_EXPIRY_SECONDS', // BOLT11
  'methods/lightning/bolt11.ts DEFAULT_MIN_FINAL_CLTV', // BOLT11
  'methods/lightning/bolt11.ts DESCRIPTION_BYTES_MAX', // BOLT11 tagged field
  'methods/lightning/bolt11.ts DEFAULT_FEATURES', // BOLT11 feature bits
  'methods/solana/keys.ts KEY_BYTES', // ed25519 public key
  'usecases/admin-overview.ts DAY_MS', // unit
  'usecases/operator-totp.ts TOTP_DIGITS', // RFC 6238: the codes authenticator apps show
  'usecases/operator-totp.ts TOTP_WINDOW', // RFC 6238 §5.2: at most one time step of drift
  'web/flash.ts IV_BYTES', // AES-GCM nonce
  'web/flash.ts TAG_BYTES', // AES-GCM tag
  'web/web-config.ts SECRET_LENGTH_MIN', // accepted range of COFFER_WEB_SECRET
  'http/webhook-routes.ts HOUR_MS', // unit
  'webhooks/webhook-config.ts DAY_MS', // unit
  'cli/webhook-command.ts HOUR_MS', // unit
  'storage/ids.ts RANDOM_BYTES', // UUIDv7 (RFC 9562 §5.7): 74 random bits in 10 bytes
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** Top-level constants that name a numeric bound, and `…Limits` objects. */
function namedBounds(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/^(?:export\s+)?const\s+([A-Z][A-Z0-9_]*)\s*(?::[^=]+)?=\s*([-(\d])/gm)) {
    if (m[1]!.split('_').some((word) => BOUND_WORDS.has(word))) found.push(m[1]!);
  }
  for (const m of source.matchAll(/^(?:export\s+)?const\s+(\w*Limits)\s*=/gm)) found.push(m[1]!);
  return found;
}

test('named bounds live in their owner\'s limits.ts', () => {
  const strays: string[] = [];
  const facts: string[] = [];
  for (const layer of LAYERS) {
    for (const file of files(join(SRC, layer))) {
      if (basename(file) === 'limits.ts') continue;
      for (const name of namedBounds(readFileSync(file, 'utf8'))) {
        const entry = `${relative(SRC, file)} ${name}`;
        (NOT_LIMITS.includes(entry) ? facts : strays).push(entry);
      }
    }
  }
  assert.deepEqual(strays, [], 'move these into the limits.ts of their folder (or list a protocol fact in NOT_LIMITS)');
  assert.deepEqual(NOT_LIMITS.filter((entry) => !facts.includes(entry)), [], 'listed but gone: remove from NOT_LIMITS');
});

test('each rail folder has its limits.ts', () => {
  const rails = readdirSync(join(SRC, 'methods')).filter((name) => statSync(join(SRC, 'methods', name)).isDirectory() && name !== 'sandbox');
  assert.ok(rails.length >= 5, `found rails ${rails.join(', ')}`);
  assert.deepEqual(rails.filter((rail) => !readdirSync(join(SRC, 'methods', rail)).includes('limits.ts')), []);
});
