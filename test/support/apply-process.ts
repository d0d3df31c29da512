// A separate OS process that opens the same database as a test and applies a list of
// observations through the real use case, printing "applied <n>" as it goes. Used to prove
// exactly-once across processes and across kill -9.
// Usage: node --import tsx test/support/apply-process.ts <job.json>

import { readFileSync } from 'node:fs';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Observation } from '../../src/core/observation.ts';
import { migrate, openDatabase } from '../../src/storage/database.ts';
import { Store } from '../../src/storage/store.ts';
import { applyObservation } from '../../src/usecases/apply-observations.ts';
import type { Deps } from '../../src/usecases/deps.ts';
import { defaultSettings, sandboxRegistry, staticRates } from './harness.ts';
import { ManualClock } from '../../src/core/clock.ts';

interface Job {
  readonly location: { sqlitePath?: string; databaseUrl?: string; schema?: string };
  readonly observations: ReadonlyArray<Omit<Observation, 'amountUnits'> & { amountUnits: string }>;
  readonly rates: Record<string, string>;
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Job;
const db = await openDatabase({
  ...(job.location.sqlitePath ? { sqlitePath: job.location.sqlitePath } : {}),
  ...(job.location.databaseUrl ? { databaseUrl: job.location.databaseUrl, schema: job.location.schema!, poolSize: 4 } : {}),
});
await migrate(db);
const deps: Deps = {
  store: new Store(db), clock: systemClock, log: silentLogger, rates: staticRates(job.rates),
  methods: sandboxRegistry(new ManualClock()), settings: defaultSettings,
};
let applied = 0;
for (const o of job.observations) {
  await applyObservation(deps, { ...o, amountUnits: BigInt(o.amountUnits) });
  applied++;
  if (applied % 10 === 0) process.stdout.write(`applied ${applied}\n`);
}
process.stdout.write(`done ${applied}\n`);
await db.close();
