// Proves the admin half of @coffer/client against the real app over real HTTP on every
// dialect: accounts and credentials (create, read, issue, revoke, freeze), charges and refunds
// with exact amounts and key-based replay (including a charge whose answer is lost), overdraft
// and frozen-account refusals, admin invoice reads, and a clean ledger at the end.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, openWorld } from './support/harness.ts';
import type { World } from './support/harness.ts';
import {
  CofferAdminClient, CofferAuthenticationError, CofferClient, CofferPermissionError, CofferUnprocessableError,
} from '../packages/client/src/index.ts';
import type { FetchLike } from '../packages/client/src/index.ts';

const ADMIN_TOKEN = 'test-admin-token-0123456789';

for (const dialect of dialects()) {
  describe(`sdk admin (${dialect})`, () => {
    let world: World;
    let origin: string;
    let admin: CofferAdminClient;
    before(async () => {
      world = await openWorld(dialect);
      origin = await world.app.listen({ port: 0, host: '127.0.0.1' });
      admin = new CofferAdminClient({ baseUrl: `${origin}/admin`, adminToken: ADMIN_TOKEN, sleep: async () => {} });
    });
    after(() => world.close());

    /** A business account created through the admin API, funded with `amount` USD through the sandbox. */
    async function fundedAccount(amount: string) {
      const created = await admin.accounts.create({ type: 'business', currency: 'USD', label: 'shop' });
      const customer = new CofferClient({ baseUrl: `${origin}/v2`, apiId: created.credential.api_id!, apiSecret: created.credential.api_secret!, sleep: async () => {} });
      const invoice = await customer.accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount });
      await customer.sandbox.pay(invoice.id);
      return { created, customer, invoice };
    }

    test('create an account, use its credential, read it back with balances', async () => {
      const { created, customer, invoice } = await fundedAccount('100');
      assert.equal(created.lastResponse.status, 201);
      assert.equal(created.type, 'business');
      assert.equal(created.status, 'active');
      assert.equal(created.label, 'shop');
      assert.equal(created.credential.kind, 'basic');
      assert.equal((await customer.accounts.getBalance()).balance, '100');
      const read = await admin.accounts.get(created.id);
      assert.deepEqual(read.balances, [{ currency: 'USD', balance: '100' }]);
      const adminInvoice = await admin.invoices.get(invoice.id);
      assert.equal(adminInvoice.account_id, created.id);
      assert.equal(adminInvoice.status, 'complete');
      assert.equal(adminInvoice.credited_amount, '100');
    });

    test('charge and refund: exact amounts, a repeated key replays, overdraft and frozen accounts are refused', async () => {
      const { created, customer } = await fundedAccount('100');
      const charge = await admin.charges.create(created.id, { amount: '12.34', currency: 'USD', description: 'order 1' }, { idempotencyKey: 'order-1' });
      assert.equal(charge.lastResponse.status, 201);
      assert.equal(charge.lastResponse.replayed, false);
      assert.deepEqual([charge.amount, charge.refunded_amount, charge.balance, charge.description], ['12.34', '0', '87.66', 'order 1']);

      const replay = await admin.charges.create(created.id, { amount: '12.34', currency: 'USD', description: 'order 1' }, { idempotencyKey: 'order-1' });
      assert.equal(replay.id, charge.id);
      assert.equal(replay.lastResponse.replayed, true);
      assert.equal(replay.balance, '87.66');

      const partial = await admin.charges.refund(charge.id, { amount: { units: 234n, scale: 2 } });
      assert.deepEqual([partial.refunded_amount, partial.balance], ['2.34', '90']);
      const rest = await admin.charges.refund(charge.id);
      assert.deepEqual([rest.refunded_amount, rest.balance], ['12.34', '100']);
      assert.equal((await customer.accounts.getBalance()).balance, '100');
      const kinds = (await customer.accounts.listTransactions()).data.map((t) => [t.type, t.amount]);
      assert.deepEqual(kinds, [['refund', '10'], ['refund', '2.34'], ['charge', '-12.34'], ['credit', '100']]);

      const overdraft = await admin.charges.create(created.id, { amount: '100.01', currency: 'USD' }).catch((e: unknown) => e);
      assert.ok(overdraft instanceof CofferUnprocessableError);
      assert.equal(overdraft.errorCode, 'balance_too_low');

      const frozen = await admin.accounts.setStatus(created.id, 'frozen');
      assert.equal(frozen.status, 'frozen');
      const refused = await admin.charges.create(created.id, { amount: '1', currency: 'USD' }).catch((e: unknown) => e);
      assert.ok(refused instanceof CofferPermissionError);
      assert.equal(refused.errorCode, 'account_frozen');
      await admin.accounts.setStatus(created.id, 'active');
      assert.equal((await admin.charges.create(created.id, { amount: '1', currency: 'USD' })).balance, '99');
    });

    test('a charge whose answer is lost is retried under the same key and charges once', async () => {
      const { created, customer } = await fundedAccount('50');
      const keys: Array<string | undefined> = [];
      let lose = 1;
      const lossy: FetchLike = async (url, init) => {
        keys.push(init.headers['idempotency-key']);
        const response = await fetch(url, init);
        if (lose-- > 0) { await response.text(); throw new TypeError('fetch failed: socket hang up'); }
        return response;
      };
      const flaky = new CofferAdminClient({ baseUrl: `${origin}/admin`, adminToken: ADMIN_TOKEN, sleep: async () => {}, fetch: lossy });
      const charge = await flaky.charges.create(created.id, { amount: '20', currency: 'USD' });
      assert.equal(keys.length, 2);
      assert.equal(keys[0], keys[1]);
      assert.equal(charge.lastResponse.attempts, 2);
      assert.equal(charge.lastResponse.replayed, true);
      assert.equal(charge.balance, '30');
      assert.equal((await customer.accounts.getBalance()).balance, '30');
    });

    test('issue a second credential; a revoked one is refused with 401', async () => {
      const created = await admin.accounts.create({ type: 'personal', currency: 'EUR' });
      assert.equal(created.credential.kind, 'bearer');
      const issued = await admin.accounts.issueCredential(created.id);
      const second = new CofferClient({ baseUrl: `${origin}/v2`, apiKey: issued.api_key! });
      assert.equal((await second.accounts.getBalance()).currency, 'EUR');
      const revoked = await admin.credentials.revoke(issued.credential_id);
      assert.equal(revoked.revoked, true);
      const error = await second.accounts.getBalance().catch((e: unknown) => e);
      assert.ok(error instanceof CofferAuthenticationError);
      assert.equal(error.errorCode, 'unauthorized');
    });

    test('a wrong admin token is a CofferAuthenticationError; the ledger verifies clean', async () => {
      const wrong = new CofferAdminClient({ baseUrl: `${origin}/admin`, adminToken: 'wrong-token-0123456789' });
      const error = await wrong.ledger.verify().catch((e: unknown) => e);
      assert.ok(error instanceof CofferAuthenticationError);
      const report = await admin.ledger.verify();
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.ok(report.transfers > 0);
      assert.deepEqual([report.drift, report.imbalance, report.negative], [[], [], []]);
    });
  });
}
