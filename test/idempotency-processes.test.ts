// Proves on every dialect, with three real server processes on one database: they all come up
// when started at once on an empty database; one Idempotency-Key sent to all three at once runs
// its effect once (sandbox payment: one payment and one credit; admin account and credential:
// one of each) and every reply carries that one result; an empty or over-long key is a 400
// before anything runs; a server killed with SIGKILL mid-stream leaves, after retries under the
// same keys, every invoice paid exactly once (issue 15, findings 1 and 5).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/storage/database.ts';
import type { Db } from '../src/storage/database.ts';
import { Store } from '../src/storage/store.ts';
import { verifyLedger } from '../src/usecases/verify-ledger.ts';
import { TEST_DATABASE_URL, dialects } from './support/harness.ts';
import type { Dialect } from './support/harness.ts';

const SCRIPT = new URL('./support/http-process.ts', import.meta.url).pathname;
const ADMIN_TOKEN = 'test-admin-token-0123456789';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const SERVERS = 3;

interface Server { readonly child: ChildProcess; readonly base: string }

/** An empty database (no tables) another process can open, and how to drop it. */
async function emptyDatabase(dialect: Dialect): Promise<{ location: { sqlitePath?: string; databaseUrl?: string; schema?: string }; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-idem-'));
    return { location: { sqlitePath: join(dir, 'coffer.db') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `coffer_idem_${randomBytes(6).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try { await client.query(statement); } finally { await client.end(); }
  };
  await run(`create schema ${schema}`);
  return { location: { databaseUrl: TEST_DATABASE_URL, schema }, drop: () => run(`drop schema ${schema} cascade`) };
}

function start(jobPath: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, jobPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const port = /listening (\d+)/.exec(chunk)?.[1];
      if (port) resolve({ child, base: `http://127.0.0.1:${port}` });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${err}`)));
  });
}

async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGKILL');
  await exited;
}

async function post(base: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; replayed: boolean; json: any }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, replayed: response.headers.get('idempotent-replayed') === 'true', json: await response.json() };
}

async function count(db: Db, table: 'accounts' | 'credentials'): Promise<number> {
  const row = await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const dialect of dialects()) {
  describe(`idempotency across processes (${dialect})`, () => {
    let servers: Server[] = [];
    let database: Awaited<ReturnType<typeof emptyDatabase>>;
    let jobPath: string;
    let db: Db;
    let store: Store;
    let customer: Record<string, string>;

    before(async () => {
      database = await emptyDatabase(dialect);
      jobPath = join(mkdtempSync(join(tmpdir(), 'coffer-idem-job-')), 'job.json');
      writeFileSync(jobPath, JSON.stringify({ location: database.location, rates: { 'BTC/USD': '50000' }, adminToken: ADMIN_TOKEN }));
      // All started at once on the empty database: each migrates, none may die (finding 5).
      servers = await Promise.all(Array.from({ length: SERVERS }, () => start(jobPath)));
      db = await openDatabase({ ...database.location, ...(database.location.schema ? { poolSize: 4 } : {}) });
      store = new Store(db);
      const created = await post(servers[0]!.base, '/admin/accounts', { type: 'business', currency: 'USD' }, ADMIN);
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const credential = created.json.data.credential as { api_id: string; api_secret: string };
      customer = { authorization: 'Basic ' + Buffer.from(`${credential.api_id}:${credential.api_secret}`).toString('base64'), 'content-type': 'application/json' };
    });
    after(async () => {
      await Promise.all(servers.map(stop));
      await db?.close();
      await database?.drop();
    });

    async function invoices(n: number, base = servers[0]!.base): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const created = await post(base, '/v2/accounts/deposit', { amount: '600', currency: 'USD', payment_method: 'bitcoin' }, customer);
        assert.equal(created.status, 200, JSON.stringify(created.json));
        ids.push(created.json.data.id as string);
      }
      return ids;
    }

    test('one sandbox payment key sent to three processes at once pays the invoice once', async () => {
      const ids = await invoices(8);
      for (const id of ids) {
        const headers = { ...customer, 'idempotency-key': `pay-${id}` };
        const replies = await Promise.all(servers.map((s) => post(s.base, `/v2/sandbox/invoices/${id}/pay`, {}, headers)));
        for (const reply of replies) assert.ok(reply.status === 200 || reply.json.error_code === 'idempotency_key_in_use', JSON.stringify(reply.json));
        const answered = replies.filter((r) => r.status === 200);
        assert.equal(answered.filter((r) => !r.replayed).length, 1, 'exactly one reply ran the payment');
        assert.equal(new Set(answered.map((r) => r.json.meta.txid)).size, 1, 'every reply names the same payment');
        const payments = await store.payments.forInvoice(id);
        assert.equal(payments.length, 1, `invoice ${id} has one payment`);
        assert.equal(payments[0]!.creditedMinor, 60_000n);
      }
      const report = await verifyLedger(store);
      assert.ok(report.ok, JSON.stringify(report));
    });

    test('one admin key sent to three processes at once creates one account, one credential', async () => {
      const [accountsBefore, credentialsBefore] = [await count(db, 'accounts'), await count(db, 'credentials')];
      const keys = Array.from({ length: 6 }, (_, i) => `acct-${i}-${randomBytes(4).toString('hex')}`);
      for (const key of keys) {
        const replies = await Promise.all(servers.map((s) => post(s.base, '/admin/accounts', { type: 'business', currency: 'EUR' }, { ...ADMIN, 'idempotency-key': key })));
        const answered = replies.filter((r) => r.status === 201);
        assert.equal(answered.length + replies.filter((r) => r.json.error_code === 'idempotency_key_in_use').length, SERVERS);
        assert.equal(new Set(answered.map((r) => r.json.data.credential.api_id)).size, 1, 'every reply shows the one credential made');
      }
      assert.equal(await count(db, 'accounts'), accountsBefore + keys.length);
      assert.equal(await count(db, 'credentials'), credentialsBefore + keys.length);

      const account = (await post(servers[0]!.base, '/admin/accounts', { type: 'business', currency: 'USD' }, ADMIN)).json.data.id as string;
      const issuedBefore = await count(db, 'credentials');
      for (const key of keys) {
        const replies = await Promise.all(servers.map((s) => post(s.base, `/admin/accounts/${account}/credentials`, {}, { ...ADMIN, 'idempotency-key': `cred-${key}` })));
        assert.equal(new Set(replies.filter((r) => r.status === 201).map((r) => r.json.data.api_id)).size, 1);
      }
      assert.equal(await count(db, 'credentials'), issuedBefore + keys.length);
    });

    test('an empty, over-long or non-ASCII Idempotency-Key is a 400 and nothing is done', async () => {
      const account = (await post(servers[0]!.base, '/admin/accounts', { type: 'business', currency: 'USD' }, ADMIN)).json.data.id as string;
      const accountsBefore = await count(db, 'accounts');
      for (const key of ['', 'k'.repeat(256), 'naïve']) {
        const headers = { ...ADMIN, 'idempotency-key': key };
        const charge = await post(servers[0]!.base, `/admin/accounts/${account}/charges`, { amount: '1', currency: 'USD' }, headers);
        assert.equal(charge.status, 400, JSON.stringify(charge.json));
        assert.equal(charge.json.error_code, 'invalid_idempotency_key');
        const created = await post(servers[1]!.base, '/admin/accounts', { type: 'business', currency: 'USD' }, headers);
        assert.equal(created.json.error_code, 'invalid_idempotency_key');
        const deposit = await post(servers[2]!.base, '/v2/accounts/deposit', { amount: '1', currency: 'USD', payment_method: 'bitcoin' }, { ...customer, 'idempotency-key': key });
        assert.equal(deposit.json.error_code, 'invalid_idempotency_key');
      }
      assert.equal(await count(db, 'accounts'), accountsBefore);
    });

    test('kill -9 while payments are answered, restart, retry every key: each invoice paid exactly once', async () => {
      const ids = await invoices(40);
      const victim = servers[2]!;
      const pay = (base: string, id: string) => post(base, `/v2/sandbox/invoices/${id}/pay`, {}, { ...customer, 'idempotency-key': `crash-${id}` });
      let answered = 0;
      const inFlight = ids.map((id) => pay(victim.base, id).then(() => {
        if (++answered === 5) victim.child.kill('SIGKILL');
      }, () => undefined));
      await Promise.all(inFlight);
      servers[2] = await start(jobPath);
      const retried = await Promise.all(ids.map((id) => pay(servers[2]!.base, id)));
      for (const [i, reply] of retried.entries()) {
        assert.equal(reply.status, 200, JSON.stringify(reply.json));
        const payments = await store.payments.forInvoice(ids[i]!);
        assert.equal(payments.length, 1, `invoice ${ids[i]} has one payment`);
        assert.equal(payments[0]!.txid, reply.json.meta.txid);
        assert.equal(payments[0]!.state, 'confirmed');
      }
      const report = await verifyLedger(store);
      assert.ok(report.ok, JSON.stringify(report));
    });
  });
}
