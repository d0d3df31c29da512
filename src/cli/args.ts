// Small helpers for the `coffer` command line.

import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { Limits } from '../core/limits.ts';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

export function parse(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): ParsedArgs {
  try {
    const parsed = parseArgs({ args: [...args], options: { json: { type: 'boolean' }, ...options }, allowPositionals: true, strict: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`--${name} is required`);
  return value;
}

const WHOLE_NUMBER = new RegExp(`^[0-9]{1,${Limits.inputIntegerDigitsMax}}$`);

/** A whole-number flag (`--limit 50`), undefined when absent: the one parser every command uses for them. */
export function wholeNumberFlag(values: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !WHOLE_NUMBER.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

/** Prints a result: one JSON line with --json (the last stdout line, for scripts), else text. */
export function output(json: boolean, data: unknown, text: string): void {
  process.stdout.write(json ? JSON.stringify(data) + '\n' : text + '\n');
}

/** A progress bar on stderr when it is a terminal; silent otherwise. */
export function progress(label: string): (done: number, total?: number) => void {
  if (!process.stderr.isTTY) return () => {};
  return (done, total) => {
    const width = 30;
    const filled = total ? Math.min(width, Math.round((done / total) * width)) : width;
    const bar = total ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}` : `${done}`;
    process.stderr.write(`\r${label} ${bar}`);
  };
}
