// `coffer operator create --email <e> --role read_only|operator [--password-stdin] [--json]`,
// `coffer operator list [--json]`, and for an existing operator `reset-password` (same password
// rules and sources as create), `reset-2fa`, `recovery-codes` and `remove`: operator users of the
// console (docs/operator-console.md). There is no default password: it is typed at a hidden
// prompt (twice) or read from standard input with --password-stdin; two-factor sign-in is set up
// at the first sign-in. Each change is audited as the command line (CLI_ACTOR).

import { readFileSync } from 'node:fs';
import type { UseCases } from '../usecases/use-cases.ts';
import { output, parse, required, UsageError } from './args.ts';
import { passwordFromText } from './web-command.ts';

const USAGE = [
  'usage: coffer operator create --email <email> --role read_only|operator [--password-stdin] [--json]',
  '       coffer operator list [--json]',
  '       coffer operator reset-password --email <email> [--password-stdin] [--json]',
  '       coffer operator reset-2fa --email <email> [--json]',
  '       coffer operator recovery-codes --email <email> [--json]',
  '       coffer operator remove --email <email> [--json]',
].join('\n');
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

async function password(usesStdin: boolean, sources: PasswordSources, question: string): Promise<string> {
  if (usesStdin) return passwordFromText(sources.stdin());
  if (!sources.prompt) throw new UsageError('no terminal to ask for the password: pass it on standard input with --password-stdin');
  const first = await sources.prompt(question);
  const second = await sources.prompt('Repeat the password: ');
  if (first !== second) throw new UsageError('the two passwords differ');
  return first;
}

type Subcommand = (useCases: UseCases, rest: readonly string[], sources: PasswordSources) => Promise<number>;

const ended = (n: number) => `${n} session${n === 1 ? '' : 's'} ended`;

const subcommands: Readonly<Record<string, Subcommand>> = {
  async list(useCases, rest) {
    const { values } = parse(rest, {});
    const operators = await useCases.listOperators();
    output(values.json === true,
      operators.map((o) => ({ id: o.id, email: o.email, role: o.role, two_factor: o.totpEnabledAt !== null, removed: o.disabledAt !== null })),
      operators.map((o) => `${o.id}  ${o.email}  ${o.role}  ${o.disabledAt ? 'removed' : o.totpEnabledAt ? '2FA on' : '2FA not set up yet'}`).join('\n') || 'no operators');
    return 0;
  },

  async create(useCases, rest, sources) {
    const { values } = parse(rest, { email: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
    const email = required(values, 'email');
    const role = required(values, 'role');
    const operator = await useCases.createOperator({ email, role, password: await password(values['password-stdin'] === true, sources, 'Password for the new operator: ') }, CLI_ACTOR);
    output(values.json === true, { id: operator.id, email: operator.email, role: operator.role },
      `Operator ${operator.email} (${operator.role}) created. Sign in at /admin/console and set up two-factor sign-in.`);
    return 0;
  },

  async 'reset-password'(useCases, rest, sources) {
    const { values } = parse(rest, { email: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
    const email = required(values, 'email');
    const { sessionsEnded } = await useCases.resetOperatorPassword({ email, password: await password(values['password-stdin'] === true, sources, `New password for ${email}: `) }, CLI_ACTOR);
    output(values.json === true, { email, sessions_ended: sessionsEnded }, `Password of ${email} replaced; ${ended(sessionsEnded)}.`);
    return 0;
  },

  async 'reset-2fa'(useCases, rest) {
    const { values } = parse(rest, { email: { type: 'string' } });
    const email = required(values, 'email');
    const { sessionsEnded } = await useCases.resetOperatorTwoFactor({ email }, CLI_ACTOR);
    output(values.json === true, { email, sessions_ended: sessionsEnded },
      `Two-factor sign-in of ${email} cleared (recovery codes too); ${ended(sessionsEnded)}. The next sign-in sets it up again.`);
    return 0;
  },

  async 'recovery-codes'(useCases, rest) {
    const { values } = parse(rest, { email: { type: 'string' } });
    const email = required(values, 'email');
    const codes = await useCases.regenerateRecoveryCodes({ email }, CLI_ACTOR);
    output(values.json === true, { email, recovery_codes: codes },
      `New recovery codes for ${email} (each works once; the previous ones no longer work). They are not shown again:\n${codes.join('\n')}`);
    return 0;
  },

  async remove(useCases, rest) {
    const { values } = parse(rest, { email: { type: 'string' } });
    const email = required(values, 'email');
    const { sessionsEnded } = await useCases.removeOperator({ email }, CLI_ACTOR);
    output(values.json === true, { email, removed: true, sessions_ended: sessionsEnded }, `Operator ${email} removed: it can no longer sign in; ${ended(sessionsEnded)}.`);
    return 0;
  },
};

export async function operatorCommand(useCases: UseCases, args: readonly string[], sources: PasswordSources = terminalPasswords): Promise<number> {
  const [sub, ...rest] = args;
  const run = sub === undefined || !Object.hasOwn(subcommands, sub) ? undefined : subcommands[sub];
  if (!run) throw new UsageError(USAGE);
  return run(useCases, rest, sources);
}
