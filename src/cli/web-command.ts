// `coffer web-login attach --account <id> --email <e> [--password-stdin] [--json]`: give an
// existing account (typically a business account) a website login. Without --password-stdin a
// random password is generated and printed once, for the customer to change after signing in.

import { readFileSync } from 'node:fs';
import type { Deps } from '../usecases/deps.ts';
import { attachLogin } from '../usecases/web-attach-login.ts';
import { output, parse, required, UsageError } from './args.ts';

const USAGE = 'usage: coffer web-login attach --account <account-id> --email <email> [--password-stdin] [--json]';

/** Reads the password from `stdin` text (first line, without its newline). */
export function passwordFromText(text: string): string {
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line.length === 0) throw new UsageError('--password-stdin: no password on standard input');
  return line;
}

export async function webLoginCommand(deps: Deps, args: readonly string[], readStdin: () => string = () => readFileSync(0, 'utf8')): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'attach') throw new UsageError(USAGE);
  const { values } = parse(rest, { account: { type: 'string' }, email: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
  const password = values['password-stdin'] === true ? passwordFromText(readStdin()) : undefined;
  const { user, generatedPassword } = await attachLogin(deps, { accountId: required(values, 'account'), email: required(values, 'email'), password });
  output(values.json === true,
    { account_id: user.accountId, email: user.email, user_id: user.id, ...(generatedPassword ? { password: generatedPassword } : {}) },
    `Website login ${user.email} attached to ${user.accountId}` + (generatedPassword ? `\nPassword (shown once; change it after signing in): ${generatedPassword}` : ''));
  return 0;
}
