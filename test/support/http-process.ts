// A separate OS process serving the real HTTP app (customer, sandbox and admin API) on a database
// a test shares with it: it migrates at start (as `coffer serve` does), listens on a free port and
// prints "listening <port>". Used to send the same request to several processes at once and to
// kill -9 a server between commit and answer.
// Usage: node --import tsx test/support/http-process.ts <job.json>

import { readFileSync } from 'node:fs';
import { ManualClock, systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { buildApp } from '../../src/http/app.ts';
import { migrate, openDatabase } from '../../src/storage/database.ts';
import { Store } from '../../src/storage/store.ts';
import type { Deps } from '../../src/usecases/deps.ts';
import { createUseCases } from '../../src/usecases/use-cases.ts';
import { defaultSettings, sandboxRegistry, staticRates } from './harness.ts';

export interface HttpJob {
  readonly location: { sqlitePath?: string; databaseUrl?: string; schema?: string };
  readonly rates: Record<string, string>;
  readonly adminToken: string;
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as HttpJob;
const db = await openDatabase({
  ...(job.location.sqlitePath ? { sqlitePath: job.location.sqlitePath } : {}),
  ...(job.location.databaseUrl ? { databaseUrl: job.location.databaseUrl, schema: job.location.schema!, poolSize: 8 } : {}),
});
await migrate(db);
const deps: Deps = {
  store: new Store(db), clock: systemClock, log: silentLogger, rates: staticRates(job.rates),
  methods: sandboxRegistry(new ManualClock()), settings: defaultSettings,
};
const { app } = await buildApp(createUseCases(deps), { adminToken: job.adminToken, rateLimitPerMinute: 0, logLevel: 'silent' });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
process.once('SIGTERM', () => void app.close().then(() => db.close()).then(() => process.exit(0)));
