// Failures while `coffer` starts, told as the setting to change and what to do, in one line
// (issue 15, finding 7). A raw stack names no setting and reads as a crash; the stack is still
// printed when COFFER_LOG_LEVEL is debug or trace.

import type { Config } from './config.ts';
import { sqlitePath } from './config.ts';
import { ConfigError } from './core/errors.ts';

interface SystemErrorLike {
  readonly code?: unknown;
  readonly syscall?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly path?: unknown;
  readonly message?: unknown;
  readonly errors?: unknown;
}

/** The error's own code, or the first code among an AggregateError's (a host with IPv4 and IPv6 addresses). */
function codeOf(error: SystemErrorLike): string {
  if (typeof error.code === 'string') return error.code;
  if (Array.isArray(error.errors)) for (const inner of error.errors as SystemErrorLike[]) if (typeof inner?.code === 'string') return inner.code;
  return '';
}

function databaseTarget(config: Config): string {
  try {
    const url = new URL(config.databaseUrl ?? '');
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'the configured server';
  }
}

// PostgreSQL SQLSTATEs: https://www.postgresql.org/docs/current/errcodes-appendix.html
const PG_MISSING_DATABASE = '3D000';
const PG_AUTH_FAILED = ['28P01', '28000'];

function postgresProblem(config: Config, error: SystemErrorLike, code: string): ConfigError | null {
  const where = `PostgreSQL at ${databaseTarget(config)}`;
  if (code === PG_MISSING_DATABASE) return new ConfigError('DATABASE_URL', `${where}: the database does not exist; create it (createdb) or correct DATABASE_URL`);
  if (PG_AUTH_FAILED.includes(code)) return new ConfigError('DATABASE_URL', `${where} refused the user or password in DATABASE_URL; correct them`);
  if (code === 'ECONNREFUSED') return new ConfigError('DATABASE_URL', `cannot connect to ${where} (connection refused); start PostgreSQL or correct the host and port in DATABASE_URL`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ConfigError('DATABASE_URL', `cannot resolve the host of ${where}; correct DATABASE_URL`);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new ConfigError('DATABASE_URL', `cannot reach ${where} (${code}); check the network or DATABASE_URL`);
  void error;
  return null;
}

const FILE_CODES = new Set(['ENOTDIR', 'EEXIST', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_NOTADB']);

/** A ConfigError naming the setting behind a start-up failure, or null when none is known. */
export function explainStartupError(error: unknown, config: Config | null): ConfigError | null {
  if (error instanceof ConfigError) return error;
  if (config === null || error === null || typeof error !== 'object') return null;
  const e = error as SystemErrorLike;
  const code = codeOf(e);
  if (e.syscall === 'listen' || code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL') {
    if (code === 'EADDRINUSE') return new ConfigError('PORT', `port ${config.port} on ${config.host} is already in use; stop the other process or set PORT to a free port`);
    if (code === 'EADDRNOTAVAIL') return new ConfigError('HOST', `${config.host} is not an address of this machine; set HOST to one of its addresses (or 0.0.0.0)`);
    if (code === 'EACCES') return new ConfigError('PORT', `not allowed to listen on port ${config.port}; use a port above 1023 or grant the capability`);
    return new ConfigError('PORT', `cannot listen on ${config.host}:${config.port} (${code}); check HOST and PORT`);
  }
  if (config.databaseUrl !== null) return postgresProblem(config, e, code);
  if (FILE_CODES.has(code)) {
    return new ConfigError('COFFER_DATA_DIR', `cannot create or open the SQLite database ${sqlitePath(config)} (${code}); set COFFER_DATA_DIR to a writable directory`);
  }
  return null;
}

/** One line for stderr; the stack only when asked for with COFFER_LOG_LEVEL=debug or trace. */
export function startupMessage(error: unknown, config: Config | null, logLevel: string | undefined): string {
  const explained = explainStartupError(error, config);
  const debug = logLevel === 'debug' || logLevel === 'trace';
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  if (explained) return `Configuration error: ${explained.message}${stack}\n`;
  const message = error instanceof Error ? error.message : String(error);
  return `coffer failed: ${message.split('\n')[0]}${debug ? stack : ' (set COFFER_LOG_LEVEL=debug for details)'}\n`;
}
