import { openWorld, businessAccount, staticRates } from '../test/support/harness.ts';
import { deposit, pay } from '../test/support/observations.ts';
import { applyObservation } from '../src/usecases/apply-observations.ts';
const world = await openWorld('sqlite', { rates: staticRates({ 'BTC/USD': '50000' }) });
const raw = world.testDb.db.sqlite!;
const stats = new Map<string, { n: number; ms: number }>();
const proto = Object.getPrototypeOf(raw.prepare('select 1'));
for (const m of ['run', 'all', 'get']) {
  const f = proto[m];
  proto[m] = function (this: any, ...a: unknown[]) { const t = performance.now(); try { return f.apply(this, a); } finally { const sql = this.source; const s = stats.get(sql) ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - t; stats.set(sql, s); } };
}
const acct = await businessAccount(world.deps);
const invs = [];
for (let i = 0; i < 500; i++) invs.push(await deposit(world.deps, acct.id, '1'));
for (const inv of invs) await applyObservation(world.deps, pay(inv, inv.priceUnits!, 1));
const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
for (const [sql, s] of rows) console.log(s.n, (s.ms / s.n * 1000).toFixed(0) + 'µs', sql.slice(0, 110));
await world.close();
