// lightningConfigFromEnv: null when unconfigured, typed config per backend, and a ConfigError
// naming the setting for each bad value.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { lightningConfigFromEnv } from './lightning-config.ts';

const MACAROON = '0201036c6e6402f801030a10'.padEnd(64, 'a');
const RUNE = 'tU-RLjMiDpY2U0o3W1oFowar36RFGpWloPbW9-RuZdo9MyZpZD0wMjRiOWExZmE4ZTAwNmYxZTM5MzdmNjVmNjZjNDA4ZTZkYThlMWNhNzI4ZWE0MzIyMmE3MzgxZGYxY2M0NDk2MDU=';

function settingOf(fn: () => unknown): string {
  try { fn(); } catch (error) { if (error instanceof ConfigError) return error.setting; throw error; }
  return 'no error';
}

// No backend configured means lightning is off.
test('returns null when COFFER_LIGHTNING_BACKEND is unset', () => {
  assert.equal(lightningConfigFromEnv({}, 'live'), null);
  assert.equal(lightningConfigFromEnv({ COFFER_LIGHTNING_BACKEND: '' }, 'regtest'), null);
});

// LND settings parse, including a macaroon file read as hex and the mode's network.
test('reads an LND configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-ln-'));
  const file = join(dir, 'invoice.macaroon');
  writeFileSync(file, Buffer.from([1, 2, 3, 250]));
  const config = lightningConfigFromEnv({ COFFER_LIGHTNING_BACKEND: 'lnd', COFFER_LND_REST_URL: 'http://127.0.0.1:8080/', COFFER_LND_MACAROON: file }, 'regtest');
  assert.deepEqual(config?.backend, { kind: 'lnd', restUrl: 'http://127.0.0.1:8080', macaroonHex: '010203fa' });
  assert.equal(config?.network, 'bcrt');
  const hex = lightningConfigFromEnv({ COFFER_LIGHTNING_BACKEND: 'lnd', COFFER_LND_REST_URL: 'https://lnd.example:8080', COFFER_LND_MACAROON: MACAROON }, 'live');
  assert.equal(hex?.backend.kind === 'lnd' ? hex.backend.macaroonHex : '', MACAROON);
  assert.equal(hex?.network, 'bc');
});

// CLN settings parse; signet can be chosen on a testnet deployment.
test('reads a CLN configuration', () => {
  const config = lightningConfigFromEnv({ COFFER_LIGHTNING_BACKEND: 'cln', COFFER_CLN_REST_URL: 'https://cln.example:3010', COFFER_CLN_RUNE: RUNE,
    COFFER_LIGHTNING_NETWORK: 'signet', COFFER_LIGHTNING_NODE_KEY: '02' + 'AB'.repeat(32), COFFER_LIGHTNING_POLL_MS: '2000' }, 'testnet');
  assert.deepEqual(config, { backend: { kind: 'cln', restUrl: 'https://cln.example:3010', rune: RUNE }, network: 'tbs',
    nodeKey: '02' + 'ab'.repeat(32), pollIntervalMs: 2000, requestTimeoutMs: 10_000 });
});

// Each bad value is refused with the setting's name.
test('bad values name their setting', () => {
  const lnd = { COFFER_LIGHTNING_BACKEND: 'lnd', COFFER_LND_REST_URL: 'https://lnd.example:8080', COFFER_LND_MACAROON: MACAROON };
  assert.equal(settingOf(() => lightningConfigFromEnv({ COFFER_LIGHTNING_BACKEND: 'eclair' }, 'live')), 'COFFER_LIGHTNING_BACKEND');
  assert.equal(settingOf(() => lightningConfigFromEnv({ ...lnd, COFFER_LND_REST_URL: 'http://lnd.example:8080' }, 'live')), 'COFFER_LND_REST_URL');
  assert.equal(settingOf(() => lightningConfigFromEnv({ ...lnd, COFFER_LND_REST_URL: 'not a url' }, 'live')), 'COFFER_LND_REST_URL');
  assert.equal(settingOf(() => lightningConfigFromEnv({ ...lnd, COFFER_LND_MACAROON: '/no/such/file' }, 'live')), 'COFFER_LND_MACAROON');
  assert.equal(settingOf(() => lightningConfigFromEnv({ ...lnd, COFFER_LND_TLS_CERT: '/no/such/cert' }, 'live')), 'COFFER_LND_TLS_CERT');
  assert.equal(settingOf(() => lightningConfigFromEnv({ ...lnd, COFFER_LIGHTNING_NODE_KEY: '02abc' }, 'live')), 'COFFER_LIGHTNING_NODE_KEY');
  assert.equal(settingOf(() => lightningConfigFromEnv({ ...lnd, COFFER_LIGHTNING_NETWORK: 'regtest' }, 'live')), 'COFFER_LIGHTNING_NETWORK');
  assert.equal(settingOf(() => lightningConfigFromEnv({ ...lnd, COFFER_LIGHTNING_POLL_MS: '5' }, 'live')), 'COFFER_LIGHTNING_POLL_MS');
  assert.equal(settingOf(() => lightningConfigFromEnv({ COFFER_LIGHTNING_BACKEND: 'cln', COFFER_CLN_REST_URL: 'https://c:1' }, 'live')), 'COFFER_CLN_RUNE');
});
