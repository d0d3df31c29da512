// The website's settings from the environment (or the config file's flat settings). A bad value
// stops the server at start with a ConfigError naming the setting. docs/website.md lists them.

import { ConfigError } from '../core/errors.ts';
import type { Env, Mode } from '../core/mode.ts';
import type { WebOptions } from './web-plugin.ts';

const SECRET_LENGTH_MIN = 32;

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(name, `must be true or false, got "${raw}"`);
  return raw === 'true';
}

/** The website's options, or null when COFFER_WEB=false (API-only deployments). */
export function webConfigFromEnv(env: Env, mode: Mode): WebOptions | null {
  if (!flag(env, 'COFFER_WEB', true)) return null;
  const secret = env['COFFER_WEB_SECRET'] || undefined;
  if (secret !== undefined && secret.length < SECRET_LENGTH_MIN) throw new ConfigError('COFFER_WEB_SECRET', `must be at least ${SECRET_LENGTH_MIN} characters`);
  const secureRaw = env['COFFER_WEB_SECURE_COOKIES'] || 'auto';
  if (!['auto', 'true', 'false'].includes(secureRaw)) throw new ConfigError('COFFER_WEB_SECURE_COOKIES', `must be auto, true or false, got "${secureRaw}"`);
  return {
    ...mailFromEnv(env),
    ...explorersFromEnv(env),
    cookieSecret: secret,
    secureCookies: secureRaw === 'auto' ? 'auto' : secureRaw === 'true',
    sandbox: mode === 'sandbox',
    signUp: flag(env, 'COFFER_WEB_SIGNUP', true),
  };
}

/** COFFER_SMTP_URL (smtp:// or smtps://) needs COFFER_SMTP_FROM; the emailed links use COFFER_PUBLIC_URL (main.ts passes it). */
function mailFromEnv(env: Env): Pick<WebOptions, 'smtpUrl' | 'smtpFrom'> {
  const smtpUrl = env['COFFER_SMTP_URL'] || undefined;
  if (smtpUrl === undefined) return {};
  if (!/^smtps?:\/\/\S+$/.test(smtpUrl)) throw new ConfigError('COFFER_SMTP_URL', 'must be an smtp:// or smtps:// URL');
  const smtpFrom = env['COFFER_SMTP_FROM'] || undefined;
  if (smtpFrom === undefined) throw new ConfigError('COFFER_SMTP_FROM', 'is required with COFFER_SMTP_URL (the From address of password-reset email)');
  return { smtpUrl, smtpFrom };
}

/** COFFER_WEB_EXPLORERS=bitcoin=https://mempool.space/tx/{txid},usdc_base=https://basescan.org/tx/{txid} */
function explorersFromEnv(env: Env): Pick<WebOptions, 'explorers'> {
  const raw = env['COFFER_WEB_EXPLORERS'];
  if (raw === undefined || raw.trim() === '') return {};
  const explorers: Record<string, string> = {};
  for (const item of raw.split(',')) {
    const eq = item.indexOf('=');
    const id = item.slice(0, eq).trim();
    const template = item.slice(eq + 1).trim();
    if (eq <= 0 || !/^[a-z0-9_]+$/.test(id) || !/^https:\/\/[^\s]+$/.test(template) || !template.includes('{txid}')) {
      throw new ConfigError('COFFER_WEB_EXPLORERS', `expected method=https://explorer/tx/{txid}[,...], got "${item}"`);
    }
    explorers[id] = template;
  }
  return { explorers };
}
