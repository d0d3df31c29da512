// `coffer web-login attach --account <id> --email <e> [--password-stdin] [--json]`: give an
// existing account (typically a business account) a website login. Without --password-stdin a
// random password is generated and printed once, for the customer to change after signing in.
// `coffer web-login reset-link --email <e> [--base-url <url>] [--json]`: a one-time password-reset
// link for a customer who cannot sign in (how recovery works when no SMTP server is configured).
// The base URL defaults to COFFER_PUBLIC_URL.

import { readFileSync } from 'node:fs';
import type { UseCases } from '../usecases/use-cases.ts';
import { resetLink } from '../usecases/web-password-reset.ts';
import { output, parse, required, UsageError } from './args.ts';

const USAGE = 'usage: coffer web-login attach --account <account-id> --email <email> [--password-stdin] [--json]\n'
  + '       coffer web-login reset-link --email <email> [--base-url <https://coffer.example.com>] [--json]';

/** Reads the password from `stdin` text (first line, without its newline). */
export function passwordFromText(text: string): string {
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line.length === 0) throw new UsageError('--password-stdin: no password on standard input');
  return line;
}

export async function webLoginCommand(useCases: UseCases, args: readonly string[], readStdin: () => string = () => readFileSync(0, 'utf8'), publicUrl?: string): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'reset-link') return resetLinkCommand(useCases, rest, publicUrl);
  if (sub !== 'attach') throw new UsageError(USAGE);
  const { values } = parse(rest, { account: { type: 'string' }, email: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
  const password = values['password-stdin'] === true ? passwordFromText(readStdin()) : undefined;
  const { user, generatedPassword } = await useCases.attachLogin({ accountId: required(values, 'account'), email: required(values, 'email'), password });
  output(values.json === true,
    { account_id: user.accountId, email: user.email, user_id: user.id, ...(generatedPassword ? { password: generatedPassword } : {}) },
    `Website login ${user.email} attached to ${user.accountId}` + (generatedPassword ? `\nPassword (shown once; change it after signing in): ${generatedPassword}` : ''));
  return 0;
}

async function resetLinkCommand(useCases: UseCases, args: readonly string[], publicUrl: string | undefined): Promise<number> {
  const { values } = parse(args, { email: { type: 'string' }, 'base-url': { type: 'string' } });
  const base = (values['base-url'] as string | undefined) || publicUrl;
  if (!base || !/^https?:\/\/\S+$/.test(base)) throw new UsageError('reset-link: give --base-url https://your-coffer-site (or set COFFER_PUBLIC_URL)');
  const issued = await useCases.issueResetLinkByOperator(required(values, 'email'));
  const link = resetLink(base, issued.token);
  output(values.json === true, { email: issued.email, link, expires_at: issued.expiresAt.toISOString() },
    `Password-reset link for ${issued.email} (works once, until ${issued.expiresAt.toISOString()}; give it only to the customer):\n${link}`);
  return 0;
}
