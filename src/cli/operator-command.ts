// `coffer operator create --email <e> --role read_only|operator [--password-stdin] [--json]` and
// `coffer operator list [--json]`: operator users of the console (docs/operator-console.md).
// There is no default password: it is typed at a hidden prompt (twice) or read from standard
// input with --password-stdin; two-factor sign-in is set up at the first sign-in.

import { readFileSync } from 'node:fs';
import type { UseCases } from '../usecases/use-cases.ts';
import { output, parse, required, UsageError } from './args.ts';
import { passwordFromText } from './web-command.ts';

const USAGE = 'usage: coffer operator create --email <email> --role read_only|operator [--password-stdin] [--json]\n       coffer operator list [--json]';
const CLI_ACTOR = { id: 'cli', name: 'coffer command line' };

export interface PasswordSources {
  readonly stdin: () => string;
  /** Asks for the password at a terminal without echoing it; null when there is no terminal. */
  readonly prompt: ((question: string) => Promise<string>) | null;
}

/** Reads a line from the terminal with echo off (raw mode); Ctrl-C aborts. */
function hiddenPrompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    let typed = '';
    const done = (error: Error | null) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\u0003') return done(new UsageError('cancelled'));
        if (char === '\r' || char === '\n') return done(null);
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}

export const terminalPasswords: PasswordSources = {
  stdin: () => readFileSync(0, 'utf8'),
  prompt: process.stdin.isTTY ? hiddenPrompt : null,
};

async function password(usesStdin: boolean, sources: PasswordSources): Promise<string> {
  if (usesStdin) return passwordFromText(sources.stdin());
  if (!sources.prompt) throw new UsageError('no terminal to ask for the password: pass it on standard input with --password-stdin');
  const first = await sources.prompt('Password for the new operator: ');
  const second = await sources.prompt('Repeat the password: ');
  if (first !== second) throw new UsageError('the two passwords differ');
  return first;
}

export async function operatorCommand(useCases: UseCases, args: readonly string[], sources: PasswordSources = terminalPasswords): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    const { values } = parse(rest, {});
    const operators = await useCases.listOperators();
    output(values.json === true, operators.map((o) => ({ id: o.id, email: o.email, role: o.role, two_factor: o.totpEnabledAt !== null })),
      operators.map((o) => `${o.id}  ${o.email}  ${o.role}  ${o.totpEnabledAt ? '2FA on' : '2FA not set up yet'}`).join('\n') || 'no operators');
    return 0;
  }
  if (sub !== 'create') throw new UsageError(USAGE);
  const { values } = parse(rest, { email: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
  const email = required(values, 'email');
  const role = required(values, 'role');
  const operator = await useCases.createOperator({ email, role, password: await password(values['password-stdin'] === true, sources) }, CLI_ACTOR);
  output(values.json === true, { id: operator.id, email: operator.email, role: operator.role },
    `Operator ${operator.email} (${operator.role}) created. Sign in at /admin/console and set up two-factor sign-in.`);
  return 0;
}
