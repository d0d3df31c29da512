// Proves on every dialect that the sign-in limits hold under concurrency (issue 15, finding 2):
// a burst of simultaneous guesses for one email, or from one address near its limit, gets no
// more password checks than the limit allows (each attempt is counted before its hash runs), and
// a success gives back only its own attempt, never the failures others made in the window.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, throttleFailures } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { InjectBrowser, openWebWorld } from './support/browser.ts';
import { WebLimits } from '../src/core/limits.ts';

const PASSWORD = 'correct horse battery';

for (const dialect of dialects()) {
  describe(`sign-in limits under concurrency (${dialect})`, () => {
    let world: World;
    before(async () => { world = await openWebWorld(dialect, {}, { app: { trustProxy: true } }); });
    after(() => world.close());

    /** A signed-out browser at `ip` holding the sign-in form's CSRF token. */
    async function browserAt(ip: string): Promise<InjectBrowser> {
      const b = new InjectBrowser(world.app, { 'x-forwarded-for': ip });
      await b.get('/signin');
      return b;
    }

    test('40 simultaneous sign-ins for one email: at most the per-email limit is checked, the rest are 429', async () => {
      const owner = new InjectBrowser(world.app, { 'x-forwarded-for': '198.51.100.1' });
      await owner.signUp('burst@example.com');
      const b = await browserAt('198.51.100.2');
      const attempts = Array.from({ length: 40 }, (_, i) => (i === 39 ? PASSWORD : `wrong password ${i}`));
      const replies = await Promise.all(attempts.map((password) => b.post('/signin', { email: 'burst@example.com', password })));
      const statuses = replies.map((r) => r.statusCode);
      const checked = statuses.filter((s) => s !== 429).length;
      assert.ok(checked <= WebLimits.loginFailuresPerEmailMax, `${checked} passwords checked: ${statuses.join(',')}`);
      assert.deepEqual(statuses.filter((s) => s !== 429 && s !== 401 && s !== 303), []);
    });

    test('an address at 44 of its 50 failures: a burst of 150 gets at most 6 password checks', async () => {
      const ip = '203.0.113.9';
      const now = world.clock.now();
      const already = WebLimits.loginFailuresPerAddressMax - 6;
      await world.deps.store.web.putThrottle({ key: `ip:${ip}`, failures: already, windowStartedAt: now, lockedUntil: null });
      const b = await browserAt(ip);
      const replies = await Promise.all(Array.from({ length: 150 }, (_, i) => b.post('/signin', { email: `guess${i}@example.com`, password: 'wrong password!' })));
      const checked = replies.filter((r) => r.statusCode !== 429).length;
      assert.ok(checked <= 6, `${checked} passwords checked`);
      assert.equal(await throttleFailures(world, `ip:${ip}`), WebLimits.loginFailuresPerAddressMax);
    });

    test('a success gives back its own attempt only: failures made by others in the window stay counted', async () => {
      const owner = new InjectBrowser(world.app, { 'x-forwarded-for': '192.0.2.1' });
      await owner.signUp('keep@example.com');
      await owner.post('/signout', {});
      const attacker = await browserAt('192.0.2.66');
      for (let i = 0; i < 3; i++) assert.equal((await attacker.post('/signin', { email: 'keep@example.com', password: 'wrong password!' })).statusCode, 401);
      assert.equal((await owner.signIn('keep@example.com', PASSWORD)).statusCode, 303);
      assert.equal(await throttleFailures(world, 'email:keep@example.com'), 3);
      // The attacker has the limit's remaining attempts, not a fresh window.
      const more = await browserAt('192.0.2.67');
      const statuses = [];
      for (let i = 0; i < WebLimits.loginFailuresPerEmailMax; i++) statuses.push((await more.post('/signin', { email: 'keep@example.com', password: 'wrong password!' })).statusCode);
      assert.deepEqual(statuses, [401, 401, 429, 429, 429]);
    });
  });
}
