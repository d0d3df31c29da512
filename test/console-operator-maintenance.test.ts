// Proves `coffer operator reset-password|reset-2fa|recovery-codes|remove` on every dialect by
// their effect on the real console sign-in over inject(): the operator's sessions end (an old
// cookie is sent back to sign-in); a new password works and the old one does not; after reset-2fa
// the next sign-in enrols again; regenerated recovery codes replace the old ones and work once; a
// removed operator cannot sign in and the last operator with role `operator` cannot be removed.
// Each change has its audit entry (actor: the command line); a refused one has none.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { InjectBrowser, textOf } from './support/browser.ts';
import { dialects } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { createOperatorByCli, openConsoleWorld, OPERATOR_PASSWORD, totpCode } from './support/console.ts';
import { capture, printedJson } from './support/cli-output.ts';
import { operatorCommand } from '../src/cli/operator-command.ts';
import type { PasswordSources } from '../src/cli/operator-command.ts';
import { UsageError } from '../src/cli/args.ts';
import { isCofferError } from '../src/core/errors.ts';
import { WebLimits } from '../src/core/limits.ts';
import type { AuditRow } from '../src/storage/operators-store.ts';

const C = '/admin/console';
const NEW_PASSWORD = 'a brand new passphrase';
const RECOVERY_RE = /<li><code class="value">([a-z2-7-]+)<\/code><\/li>/g;

for (const dialect of dialects()) {
  describe(`operator maintenance from the CLI (${dialect})`, () => {
    let world: World;
    /** Each operator's TOTP key and recovery codes, as its enrolment page showed them. */
    const secrets = new Map<string, string>();
    const recovery = new Map<string, string[]>();
    before(async () => {
      world = await openConsoleWorld(dialect);
      await createOperatorByCli(world, 'ops@example.com', 'operator');
      await createOperatorByCli(world, 'second@example.com', 'operator');
      await createOperatorByCli(world, 'viewer@example.com', 'read_only');
    });
    after(() => world.close());
    // Each test refuses a few codes on purpose: start each past any sign-in lock they left.
    beforeEach(() => world.clock.advance(WebLimits.loginWindowMs + WebLimits.loginLockMs));

    const quiet = (stdin = ''): PasswordSources => ({ stdin: () => stdin, prompt: null });
    const cli = (args: string[], sources = quiet()) => capture(() => operatorCommand(world.useCases, args, sources));

    /** Posts email and password; the browser is at the second factor on success (303). */
    async function password(email: string, pass: string): Promise<{ b: InjectBrowser; status: number }> {
      const b = new InjectBrowser(world.app);
      await b.get(`${C}/signin`);
      const res = await b.post(`${C}/signin`, { email, password: pass });
      return { b, status: res.statusCode };
    }

    /** Signs in fully: enrols (keeping the key and codes) when the page asks to, else gives a fresh TOTP code. */
    async function signIn(email: string, pass = OPERATOR_PASSWORD): Promise<InjectBrowser> {
      const { b, status } = await password(email, pass);
      assert.equal(status, 303);
      const page = await b.get(`${C}/two-factor`);
      world.clock.advance(30_000);
      const key = textOf(page.body, 'totp-secret');
      if (key) {
        const done = await b.post(`${C}/two-factor`, { code: totpCode(key, world.clock.now()) });
        assert.equal(done.statusCode, 200, done.body);
        secrets.set(email, key);
        recovery.set(email, [...done.body.matchAll(RECOVERY_RE)].map((m) => m[1]!));
      } else {
        const done = await b.post(`${C}/two-factor`, { code: totpCode(secrets.get(email)!, world.clock.now()) });
        assert.equal(done.statusCode, 303, done.body);
      }
      assert.equal((await b.get(`${C}/overview`)).statusCode, 200);
      return b;
    }

    /** A second factor given as a recovery code after the password: the status of that post. */
    async function withRecoveryCode(email: string, code: string, pass = OPERATOR_PASSWORD): Promise<number> {
      const { b } = await password(email, pass);
      await b.get(`${C}/two-factor`);
      return (await b.post(`${C}/two-factor`, { code })).statusCode;
    }

    const signedOut = async (b: InjectBrowser) => (await b.get(`${C}/overview`)).headers.location === `${C}/signin`;

    async function operatorId(email: string): Promise<string> {
      return (await world.useCases.listOperators()).find((o) => o.email === email)!.id;
    }

    async function auditOf(email: string): Promise<AuditRow[]> {
      return world.deps.store.operators.audit({ target: `operator:${await operatorId(email)}`, limit: 50 });
    }

    test('reset-password: the new password signs in, the old one does not, and every session ended', async () => {
      const first = await signIn('ops@example.com');
      const second = await signIn('ops@example.com');
      await assert.rejects(cli(['reset-password', '--email', 'ops@example.com', '--password-stdin'], quiet('short\n')), (e) => isCofferError(e));
      assert.equal(await signedOut(first), false, 'a refused reset changes nothing');

      const { code, out } = await cli(['reset-password', '--email', 'OPS@example.com', '--password-stdin'], quiet(`${NEW_PASSWORD}\n`));
      assert.equal(code, 0);
      assert.match(out, /2 sessions ended/);
      assert.ok(await signedOut(first));
      assert.ok(await signedOut(second));
      assert.equal((await password('ops@example.com', OPERATOR_PASSWORD)).status, 401);
      await signIn('ops@example.com', NEW_PASSWORD);

      // At a terminal the password is asked twice, hidden, as by create.
      const asked: string[] = [];
      const answers = [OPERATOR_PASSWORD, OPERATOR_PASSWORD];
      const prompt = (question: string) => { asked.push(question); return Promise.resolve(answers.shift()!); };
      assert.equal((await cli(['reset-password', '--email', 'ops@example.com'], { stdin: () => '', prompt })).code, 0);
      assert.equal(asked.length, 2);
      await assert.rejects(cli(['reset-password', '--email', 'ops@example.com'], quiet()), UsageError);
      await signIn('ops@example.com');

      const rows = (await auditOf('ops@example.com')).filter((r) => r.action === 'operator.reset_password');
      assert.equal(rows.length, 2);
      assert.equal(rows[1]!.actorId, 'cli');
      assert.equal(rows[1]!.actorName, 'coffer command line');
      assert.deepEqual(JSON.parse(rows[1]!.after!), { email: 'ops@example.com', sessions_ended: 2 });
      assert.ok(rows.every((r) => !`${r.before}${r.after}`.includes('scrypt$')), 'no password hash in the audit log');
    });

    test('recovery-codes: ten new codes printed once; the old ones stop working, a new one works once', async () => {
      await signIn('ops@example.com');
      const old = recovery.get('ops@example.com')!;
      assert.equal(old.length, 10);
      const printed = await printedJson(() => operatorCommand(world.useCases, ['recovery-codes', '--email', 'ops@example.com', '--json'], quiet())) as { recovery_codes: string[] };
      const codes = printed.recovery_codes;
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes).size, 10);
      assert.equal(await withRecoveryCode('ops@example.com', old[1]!), 401);
      assert.equal(await withRecoveryCode('ops@example.com', codes[0]!), 303);
      assert.equal(await withRecoveryCode('ops@example.com', codes[0]!), 401, 'single use');
      assert.equal(await withRecoveryCode('ops@example.com', codes[1]!), 303);
      // Stored hashed, as those of the enrolment.
      assert.equal(await world.deps.store.operators.unusedRecoveryCodes(await operatorId('ops@example.com')), 8);

      // Before enrolment there are no codes to replace: the first sign-in issues them.
      await assert.rejects(cli(['recovery-codes', '--email', 'viewer@example.com']), /not set up two-factor sign-in yet/);
      const rows = (await auditOf('ops@example.com')).filter((r) => r.action === 'operator.recovery_codes');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.actorId, 'cli');
      assert.ok(codes.every((c) => !`${rows[0]!.after}`.includes(c)), 'the codes are not in the audit log');
      assert.equal((await auditOf('viewer@example.com')).some((r) => r.action === 'operator.recovery_codes'), false);
    });

    test('reset-2fa: sessions end, the next sign-in enrols again, and the old key and codes are gone', async () => {
      const b = await signIn('ops@example.com');
      const oldKey = secrets.get('ops@example.com')!;
      const { code, out } = await cli(['reset-2fa', '--email', 'ops@example.com']);
      assert.equal(code, 0);
      // Every session: the full ones and those left at the second factor by the test before.
      assert.match(out, /\d+ sessions ended/);
      assert.ok(await signedOut(b));

      const { b: next } = await password('ops@example.com', OPERATOR_PASSWORD);
      const page = await next.get(`${C}/two-factor`);
      const key = textOf(page.body, 'totp-secret');
      assert.ok(key, 'the sign-in asks to enrol');
      assert.notEqual(key, oldKey);
      world.clock.advance(30_000);
      assert.equal((await next.post(`${C}/two-factor`, { code: totpCode(oldKey, world.clock.now()) })).statusCode, 401, 'the old key does not enrol');
      assert.equal((await next.post(`${C}/two-factor`, { code: recovery.get('ops@example.com')![2]! })).statusCode, 401);
      assert.equal(await world.deps.store.operators.unusedRecoveryCodes(await operatorId('ops@example.com')), 0);
      await signIn('ops@example.com');
      assert.equal(recovery.get('ops@example.com')!.length, 10);

      const rows = (await auditOf('ops@example.com')).filter((r) => r.action === 'operator.reset_2fa');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.actorId, 'cli');
      assert.deepEqual(JSON.parse(rows[0]!.before!), { two_factor: true });
      const after = JSON.parse(rows[0]!.after!) as { two_factor: boolean; sessions_ended: number };
      assert.equal(after.two_factor, false);
      assert.equal(after.sessions_ended, Number(/(\d+) sessions ended/.exec(out)![1]));
    });

    test('remove: the operator cannot sign in, its sessions end, its audit entries keep resolving; the last operator is refused', async () => {
      const b = await signIn('second@example.com');
      const id = await operatorId('second@example.com');
      const { code, out } = await cli(['remove', '--email', 'second@example.com']);
      assert.equal(code, 0);
      assert.match(out, /removed/);
      assert.ok(await signedOut(b));
      const refused = await password('second@example.com', OPERATOR_PASSWORD);
      assert.equal(refused.status, 401);
      const listed = await printedJson(() => operatorCommand(world.useCases, ['list', '--json'], quiet())) as { id: string; removed: boolean }[];
      assert.equal(listed.find((o) => o.id === id)!.removed, true);
      // Its own sign-in entries still name it.
      const own = await world.deps.store.operators.audit({ limit: 200 });
      assert.ok(own.some((r) => r.actorId === id && r.actorName === 'second@example.com'));

      await assert.rejects(cli(['remove', '--email', 'second@example.com']), /was removed/);
      await assert.rejects(cli(['reset-password', '--email', 'second@example.com', '--password-stdin'], quiet(`${NEW_PASSWORD}\n`)), /was removed/);
      await assert.rejects(cli(['create', '--email', 'second@example.com', '--role', 'operator', '--password-stdin'], quiet(`${NEW_PASSWORD}\n`)), /exists already/);

      // ops@ is now the only operator with role operator; the read-only one does not count.
      const ops = await signIn('ops@example.com');
      await assert.rejects(cli(['remove', '--email', 'ops@example.com']), /last operator with role operator/);
      assert.equal(await signedOut(ops), false);
      assert.equal((await auditOf('ops@example.com')).some((r) => r.action === 'operator.remove'), false, 'a refused removal writes no entry');
      assert.equal((await cli(['remove', '--email', 'viewer@example.com'])).code, 0);

      const rows = (await auditOf('second@example.com')).filter((r) => r.action === 'operator.remove');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.actorId, 'cli');
      assert.deepEqual(JSON.parse(rows[0]!.before!), { email: 'second@example.com', role: 'operator' });
      assert.equal(JSON.parse(rows[0]!.after!).sessions_ended, 1);
    });

    test('two removals at once of the last two operators with role operator: exactly one is done', async () => {
      await createOperatorByCli(world, 'race1@example.com', 'operator');
      await createOperatorByCli(world, 'race2@example.com', 'operator');
      for (const o of await world.useCases.listOperators()) {
        if (o.role === 'operator' && o.disabledAt === null && !o.email.startsWith('race')) assert.equal((await cli(['remove', '--email', o.email])).code, 0);
      }
      const emails = ['race1@example.com', 'race2@example.com'];
      const removeBoth = () => Promise.allSettled(emails.map((email) => world.useCases.removeOperator({ email }, { id: 'cli', name: 'coffer command line' })));
      const results = await removeBoth();
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      assert.match(String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason), /last operator with role operator/);
      const acting = (await world.useCases.listOperators()).filter((o) => o.role === 'operator' && o.disabledAt === null);
      assert.equal(acting.length, 1);
    });

    test('an unknown email is refused by every command (not_found), and a missing --email is a usage error', async () => {
      for (const sub of ['reset-password', 'reset-2fa', 'recovery-codes', 'remove']) {
        await assert.rejects(cli([sub, '--email', 'nobody@example.com', '--password-stdin'].slice(0, sub === 'reset-password' ? 4 : 3), quiet(`${NEW_PASSWORD}\n`)),
          (e) => isCofferError(e) && e.code === 'not_found' && /No operator has the email nobody@example\.com/.test(e.message));
        await assert.rejects(cli([sub]), /--email is required/);
      }
      await assert.rejects(cli(['rename']), UsageError);
    });
  });
}
