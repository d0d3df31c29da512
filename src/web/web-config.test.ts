// Proves the website's settings: defaults, sandbox follows the mode, COFFER_WEB=false turns the
// website off, and bad values fail with an error naming the setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../core/errors.ts';
import { webConfigFromEnv } from './web-config.ts';

test('defaults: on, auto-secure cookies, sign-up open, sandbox from the mode', () => {
  assert.deepEqual(webConfigFromEnv({}, 'sandbox'), { cookieSecret: undefined, secureCookies: 'auto', sandbox: true, signUp: true });
  assert.equal(webConfigFromEnv({}, 'live')?.sandbox, false);
  assert.equal(webConfigFromEnv({ COFFER_WEB: 'false' }, 'live'), null);
  const set = webConfigFromEnv({ COFFER_WEB_SECRET: 's'.repeat(32), COFFER_WEB_SECURE_COOKIES: 'true', COFFER_WEB_SIGNUP: 'false' }, 'live');
  assert.deepEqual(set, { cookieSecret: 's'.repeat(32), secureCookies: true, sandbox: false, signUp: false });
});

test('block explorers per method for receipts', () => {
  const set = webConfigFromEnv({ COFFER_WEB_EXPLORERS: 'bitcoin=https://mempool.space/tx/{txid}, usdc_base=https://basescan.org/tx/{txid}' }, 'live');
  assert.deepEqual(set?.explorers, { bitcoin: 'https://mempool.space/tx/{txid}', usdc_base: 'https://basescan.org/tx/{txid}' });
});

test('password-reset email: COFFER_SMTP_URL with its from-address', () => {
  const mail = webConfigFromEnv({ COFFER_SMTP_URL: 'smtps://u:p@mail.example.com:465', COFFER_SMTP_FROM: 'Coffer <coffer@example.com>' }, 'live');
  assert.equal(mail?.smtpUrl, 'smtps://u:p@mail.example.com:465');
  assert.equal(mail?.smtpFrom, 'Coffer <coffer@example.com>');
});

test('bad values name their setting', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ COFFER_WEB: 'yes' }, 'COFFER_WEB'],
    [{ COFFER_WEB_SECRET: 'short' }, 'COFFER_WEB_SECRET'],
    [{ COFFER_WEB_SECURE_COOKIES: 'maybe' }, 'COFFER_WEB_SECURE_COOKIES'],
    [{ COFFER_WEB_SIGNUP: '1' }, 'COFFER_WEB_SIGNUP'],
    [{ COFFER_SMTP_URL: 'mail.example.com' }, 'COFFER_SMTP_URL'],
    [{ COFFER_SMTP_URL: 'smtp://mail.example.com' }, 'COFFER_SMTP_FROM'],
    [{ COFFER_WEB_EXPLORERS: 'bitcoin=http://insecure.example/tx/{txid}' }, 'COFFER_WEB_EXPLORERS'],
    [{ COFFER_WEB_EXPLORERS: 'bitcoin=https://mempool.space/tx/' }, 'COFFER_WEB_EXPLORERS'],
  ];
  for (const [env, setting] of cases) {
    assert.throws(() => webConfigFromEnv(env, 'live'), (error: unknown) => error instanceof ConfigError && error.setting === setting);
  }
});
