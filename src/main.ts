// The `coffer` command and the composition root's entry: `serve` runs the server (API, watchers,
// workers, by COFFER_ROLES); the other commands act on the database and exit.

import { loadConfig, sqlitePath } from './config.ts';
import type { Config } from './config.ts';
import { ConfigError } from './core/errors.ts';
import { isCofferError } from './core/errors.ts';
import { Limits } from './core/limits.ts';
import { buildApp } from './http/app.ts';
import { accountCommand, chargeCommand, keyCommand, ledgerCommand } from './cli/commands.ts';
import { output, UsageError } from './cli/args.ts';
import type { FastifyInstance } from 'fastify';
import { createLogger, openRuntime, railSettingsText } from './runtime.ts';
import { WatcherSupervisor } from './usecases/run-watchers.ts';
import { WorkerLoops } from './usecases/run-workers.ts';
import { createWebPlugin } from './web/web-plugin.ts';
import { createConsolePlugin } from './web/console/console-plugin.ts';
import { webConfigFromEnv } from './web/web-config.ts';
import { webLoginCommand } from './cli/web-command.ts';
import { walletCommand } from './cli/wallet-command.ts';
import { rescanCommand } from './cli/rescan-command.ts';
import { webhookCommand } from './cli/webhook-command.ts';
import { operatorCommand } from './cli/operator-command.ts';
import { webhookConfigFromEnv } from './webhooks/webhook-config.ts';
import { webhookLoops } from './webhooks/webhook-worker.ts';
import { purgeExpiredSessions } from './usecases/web-sessions.ts';
import { purgeOperatorSessions } from './usecases/operators.ts';
import { USAGE } from './cli/usage.ts';
import { startupMessage } from './startup-error.ts';

/**
 * Stops accepting connections and lets in-flight requests finish. A keep-alive connection whose
 * request was in flight when closing began stays open after its response (the client may hold it
 * for the server's keep-alive timeout, over a minute), and the server would wait for it: idle
 * connections are closed every 100 ms until the close completes.
 */
async function closeHttp(app: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}

async function serve(config: Config): Promise<void> {
  const log = createLogger(config);
  const runtime = await openRuntime(config, { log });
  const { deps, useCases } = runtime;
  // Live money with nothing to receive it is a misconfiguration, not a warning (other modes are for trying things).
  if (config.mode === 'live' && deps.methods.ids().length === 0) {
    await runtime.close();
    throw new ConfigError('COFFER_MODE', `live mode needs at least one payment method; set ${railSettingsText()} (docs/configuration.md), or use COFFER_MODE=sandbox`);
  }
  const web = webConfigFromEnv(config.env, config.mode);
  // The console reads the same cookie settings (COFFER_WEB_SECRET, COFFER_WEB_SECURE_COOKIES) even when the website is off.
  const consoleCookies = web ?? webConfigFromEnv({ ...config.env, COFFER_WEB: 'true' }, config.mode);
  const { app } = await buildApp(useCases, {
    adminToken: config.adminToken, rateLimitPerMinute: config.rateLimitPerMinute, logLevel: config.logLevel, trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    plugins: [
      ...(web ? [createWebPlugin({ ...web, publicUrl: config.publicUrl })] : []),
      // The operator console (docs/operator-console.md): no operator can sign in until `coffer operator create` made one.
      createConsolePlugin({ cookieSecret: consoleCookies?.cookieSecret, secureCookies: consoleCookies?.secureCookies ?? 'auto', redeliveryMaxAgeMs: webhookConfigFromEnv(config.env).maxAgeMs }),
    ],
  });
  const watchers = new WatcherSupervisor(deps);
  const webhooks = webhookLoops(useCases, webhookConfigFromEnv(config.env));
  const workers = new WorkerLoops(deps, [
    ...webhooks.loops,
    { name: 'purge-web-sessions', intervalMs: 60 * 60 * 1000, run: () => purgeExpiredSessions(deps) },
    { name: 'purge-operator-sessions', intervalMs: 60 * 60 * 1000, run: () => purgeOperatorSessions(deps) },
  ]);
  // Listen first: a port in use stops the start before watchers and workers begin.
  if (config.roles.includes('api')) {
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      await runtime.close();
      throw error;
    }
    log.info({ mode: config.mode, database: config.databaseUrl ? 'postgresql' : sqlitePath(config), roles: config.roles, publicUrl: config.publicUrl },
      `Coffer listening on http://${config.host}:${config.port} (${config.mode} mode)`);
  }
  if (config.roles.includes('watcher')) await watchers.start();
  if (config.roles.includes('worker')) workers.start();
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests and passes');
    // Each step is named, so a shutdown that outlasts its grace says what it was waiting for.
    let step = 'http: finishing in-flight requests';
    const started = Date.now();
    const force = setTimeout(() => {
      log.error({ step, elapsedMs: Date.now() - started }, 'shutdown took too long; exiting');
      process.exit(1);
    }, Limits.shutdownGraceMs);
    force.unref();
    const steps: ReadonlyArray<readonly [string, () => Promise<void>]> = [
      ['http: finishing in-flight requests', () => closeHttp(app)],
      ['watchers: finishing their pass', () => watchers.stop()],
      ['workers: finishing their pass', () => workers.stop()],
      ['webhooks: finishing deliveries', () => webhooks.worker.stop()],
      ['storage and methods: closing', () => runtime.close()],
    ];
    for (const [name, run] of steps) {
      step = name;
      await run();
    }
    log.info({ elapsedMs: Date.now() - started }, 'shut down');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function runCommand(config: Config, command: string, args: readonly string[]): Promise<number> {
  // Commands log only warnings, to stderr: stdout carries their result.
  const runtime = await openRuntime({ ...config, logLevel: 'warn' }, { log: createLogger({ logLevel: 'warn' }, 2) });
  try {
    switch (command) {
      case 'migrate': output(args.includes('--json'), { migrated: true }, 'database is up to date'); return 0;
      case 'account': return await accountCommand(runtime.useCases, args);
      case 'key': return await keyCommand(runtime.useCases, args);
      case 'charge': return await chargeCommand(runtime.useCases, args);
      case 'ledger': return await ledgerCommand(runtime.useCases, args);
      case 'web-login': return await webLoginCommand(runtime.useCases, args, undefined, config.publicUrl);
      case 'wallet': return await walletCommand(runtime.useCases, args);
      case 'rescan': return await rescanCommand(runtime.useCases, args);
      case 'webhook': return await webhookCommand(runtime.useCases, args, webhookConfigFromEnv(config.env).maxAgeMs);
      case 'operator': return await operatorCommand(runtime.useCases, args);
      default: throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } finally {
    await runtime.close();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  const config = loadConfig(process.env);
  started = config;
  if (command === 'serve') {
    await serve(config);
    return -1;
  }
  return runCommand(config, command, args);
}

/** The loaded configuration, once there is one: start-up errors are explained in its terms. */
let started: Config | null = null;

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exitCode = code;
}, (error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`${error.message}\n`);
  else if (isCofferError(error)) process.stderr.write(`${error.code}: ${error.message}\n`);
  else process.stderr.write(startupMessage(error, started, process.env['COFFER_LOG_LEVEL']));
  // Exit now: a failed start may leave a pool or timer open that would keep the process alive.
  process.exit(error instanceof UsageError ? 2 : 1);
});
