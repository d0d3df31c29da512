// Proves on every dialect that a website form which creates something does it once per rendered
// form: the same API-key form or add-funds form submitted twice — one after the other, or both at
// once (a double click) — creates one key (a repeat shows its secret again, once) or one deposit (both
// land on it), through the same idempotent execution as the API's POSTs (issue 15, finding 1).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { InjectBrowser, openWebWorld, textOf } from './support/browser.ts';
import { createAccount } from '../src/usecases/manage-accounts.ts';
import { attachLogin } from '../src/usecases/web-attach-login.ts';

const PASSWORD = 'correct horse battery';

function formKey(body: string): string {
  const key = /name="idempotency_key" value="([^"]+)"/.exec(body)?.[1];
  assert.ok(key, 'the form carries an idempotency key');
  return key;
}

for (const dialect of dialects()) {
  describe(`website forms create once (${dialect})`, () => {
    let world: World;
    let b: InjectBrowser;
    let accountId: string;
    before(async () => {
      world = await openWebWorld(dialect);
      const { account } = await createAccount(world.deps, { type: 'business', currency: 'USD' });
      accountId = account.id;
      await attachLogin(world.deps, { accountId, email: 'forms@example.com', password: PASSWORD });
      b = new InjectBrowser(world.app);
      assert.equal((await b.signIn('forms@example.com', PASSWORD)).statusCode, 303);
    });
    after(() => world.close());

    const credentials = async () => (await world.deps.store.accounts.listCredentials(accountId)).length;

    test('the API-key form submitted twice, then twice at once, creates one key each time', async () => {
      for (const together of [false, true]) {
        const key = formKey((await b.get('/account/keys')).body);
        const before = await credentials();
        const submit = () => b.post('/account/keys', { label: 'checkout', idempotency_key: key });
        // POST-redirect-GET: each answer redirects; the page it leads to shows the key once.
        const shown = async () => textOf((await b.get('/account/keys')).body, 'new-api-secret');
        const secrets: string[] = [];
        if (together) {
          const replies = await Promise.all([submit(), submit()]);
          assert.deepEqual(replies.map((r) => r.statusCode), [303, 303]);
          secrets.push(await shown(), await shown());
          assert.equal(secrets[1], '', 'shown once');
          secrets.pop();
        } else {
          for (const _ of [1, 2]) { assert.equal((await submit()).statusCode, 303); secrets.push(await shown()); }
          assert.equal(secrets[1], secrets[0], 'the repeat shows the key that was created');
        }
        assert.equal(await credentials(), before + 1, 'one key created');
        assert.match(secrets[0]!, /^[0-9a-f]{64}$/);
      }
      const other = await b.post('/account/keys', { label: 'checkout', idempotency_key: 'x'.repeat(300) });
      assert.equal(other.statusCode, 400);
    });

    test('the add-funds form submitted twice at once creates one deposit', async () => {
      const key = formKey((await b.get('/account/add-funds')).body);
      const fields = { currency: 'USD', amount: '25', payment_method: 'bitcoin', idempotency_key: key };
      const replies = await Promise.all([b.post('/account/add-funds', fields), b.post('/account/add-funds', fields)]);
      assert.deepEqual(replies.map((r) => r.statusCode), [303, 303]);
      assert.equal(replies[0]!.headers.location, replies[1]!.headers.location);
      const changed = await b.post('/account/add-funds', { ...fields, amount: '26' });
      assert.equal(changed.statusCode, 422, 'the same form key with other values is refused');
    });
  });
}
