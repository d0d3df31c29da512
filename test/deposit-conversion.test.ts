// Proves issue 15 finding 8c: a deposit in another currency than the account's is credited to the
// account's own currency (the `data.balance` a Bitrefill client reads), converted at the invoice's
// locked rates and rounded down once; exact, partial, over, flexible and late-free replays credit
// once; the ledger verifies; a missing rate refuses the invoice. Through HTTP, on every dialect.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../src/core/observation.ts';
import { createStaticSource, staticRateTable } from '../src/rates/static-source.ts';
import { RateAggregator } from '../src/rates/rate-aggregator.ts';
import { silentLogger } from '../src/core/logger.ts';
import { applyObservation } from '../src/usecases/apply-observations.ts';
import { expireInvoices, settleById } from '../src/usecases/expire-invoices.ts';
import { verifyLedger } from '../src/usecases/verify-ledger.ts';
import { businessAccount, dialects, openWorld } from './support/harness.ts';
import type { TestAccount, World } from './support/harness.ts';

const MINUTE = 60_000;
// The static table's defaults (src/rates/static-source.ts): 65000 USD/BTC, 59800 EUR/BTC.
const USD_PER_BTC = 65000n;
const EUR_PER_BTC = 59800n;
/** Cents of EUR → cents of USD at the two locked rates, rounded down once (written out independently). */
const eurToUsd = (eurCents: bigint) => (eurCents * USD_PER_BTC) / EUR_PER_BTC;
/** Sats → EUR cents at the locked EUR rate, rounded down (DESIGN.md §3). */
const satsToEur = (sats: bigint) => (sats * EUR_PER_BTC * 100n) / 100_000_000n;
const cents = (minor: bigint) => Number(minor) / 100;

for (const dialect of dialects()) {
  describe(`deposits in another currency than the account's (${dialect})`, () => {
    let world: World;
    before(async () => {
      world = await openWorld(dialect);
    });
    after(() => world.close());

    const call = (acct: TestAccount, method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) =>
      world.app.inject({ method, url, headers: { ...acct.headers, ...headers }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
    const balanceOf = async (acct: TestAccount) => (await call(acct, 'GET', '/v2/accounts/balance')).json().data;
    const invoiceOf = async (acct: TestAccount, id: string) => (await call(acct, 'GET', `/v2/invoices/${id}`)).json().data;
    const eurDeposit = async (acct: TestAccount, amount?: number) => {
      const res = await call(acct, 'POST', '/v2/accounts/deposit', { currency: 'EUR', payment_method: 'bitcoin', ...(amount === undefined ? {} : { amount }) });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().data;
    };

    test('a paid 25 EUR deposit on a USD account raises data.balance by the converted amount, and only USD', async () => {
      const acct = await businessAccount(world.deps, 'USD');
      const invoice = await eurDeposit(acct, 25);
      assert.equal(invoice.currency, 'EUR');
      assert.equal(invoice.amount, 25);
      assert.equal(invoice.conversion.currency, 'USD');
      assert.equal(invoice.conversion.credit_rate, '65000');
      assert.equal(invoice.conversion.invoice_rate, '59800');
      assert.equal(invoice.conversion.rate, '1.086956521739130434');
      assert.deepEqual(invoice.conversion.rate_sources, ['static']);
      assert.equal(invoice.conversion.amount, cents(eurToUsd(2500n)));
      assert.equal(invoice.conversion.credited_amount, 0);

      const paid = await call(acct, 'POST', `/v2/sandbox/invoices/${invoice.id}/pay`, {});
      assert.equal(paid.statusCode, 200, paid.body);
      const balance = await balanceOf(acct);
      assert.equal(balance.currency, 'USD');
      assert.equal(balance.balance, 27.17);
      assert.equal(balance.balance, cents(eurToUsd(2500n)));
      assert.deepEqual(balance.balances, [{ currency: 'USD', balance: 27.17, pending: 0 }]);

      const read = await invoiceOf(acct, invoice.id);
      assert.equal(read.status, 'complete');
      assert.equal(read.credited_amount, 25, 'credited_amount keeps its meaning: in the invoice currency');
      assert.equal(read.conversion.credited_amount, 27.17);
      assert.equal(read.payment.transactions[0].credited_amount, 25);
      assert.equal(read.payment.transactions[0].credited_balance_amount, 27.17);

      const history = (await call(acct, 'GET', '/v2/accounts/transactions')).json().data;
      assert.equal(history.length, 1);
      assert.equal(history[0].currency, 'USD');
      assert.equal(history[0].amount, 27.17);
      assert.match(history[0].description, /^25 EUR × 65000 USD\/BTC ÷ 59800 EUR\/BTC .* = 27\.17 USD$/);
      // The ledger: sats into fx:BTC, cents out of fx:USD; no EUR owed to anyone.
      const transfers = await world.deps.store.ledger.forPayment((await world.deps.store.payments.forInvoice(invoice.id))[0]!.id);
      assert.deepEqual(transfers.map((t) => [t.kind, t.currency, t.debitAccount.split(':')[0], t.creditAccount]),
        [['receive', 'BTC', 'received', 'fx:BTC'], ['credit', 'USD', 'fx', `customer:${acct.id}:USD`]]);
      assert.equal(await world.deps.store.ledger.balance(`customer:${acct.id}:EUR`), 0n);
      // The balance event says both: the invoice's credit and what the balance moved by.
      const events = (await world.deps.store.webhooks.outboxAfter(0, 100_000))
        .filter((e) => e.invoiceId === invoice.id && e.type === 'balance.credited');
      assert.equal(events.length, 1);
      const payload = JSON.parse(events[0]!.payload);
      assert.deepEqual([payload.currency, payload.amount, payload.balance_currency, payload.balance_amount], ['EUR', '25', 'USD', '27.17']);
      const report = await verifyLedger(world.deps.store);
      assert.ok(report.ok, JSON.stringify(report));
    });

    test('replaying the payment (same key, same observation, a later confirmation) credits nothing twice', async () => {
      const acct = await businessAccount(world.deps, 'USD');
      const invoice = await eurDeposit(acct, 25);
      const key = { 'idempotency-key': `pay-${invoice.id}` };
      const first = await call(acct, 'POST', `/v2/sandbox/invoices/${invoice.id}/pay`, {}, key);
      const again = await call(acct, 'POST', `/v2/sandbox/invoices/${invoice.id}/pay`, {}, key);
      assert.equal(again.statusCode, first.statusCode);
      const [payment] = await world.deps.store.payments.forInvoice(invoice.id);
      const seen: Observation = {
        methodId: payment!.methodId, targetKey: payment!.targetKey, paymentKey: payment!.paymentKey, amountUnits: payment!.amountUnits,
        state: 'confirmed', confirmations: payment!.confirmations, txid: payment!.txid,
        ...(payment!.blockHash ? { blockHash: payment!.blockHash } : {}), ...(payment!.blockHeight !== null ? { blockHeight: payment!.blockHeight } : {}),
      };
      assert.equal(await applyObservation(world.deps, seen), 'unchanged');
      assert.equal(await applyObservation(world.deps, { ...seen, confirmations: seen.confirmations + 3 }), 'applied');
      await settleById(world.deps, invoice.id);
      assert.equal((await balanceOf(acct)).balance, 27.17);
      assert.equal((await world.deps.store.ledger.forPayment(payment!.id)).length, 2);
      assert.ok((await verifyLedger(world.deps.store)).ok);

      // The payment leaving the chain reverses exactly what it credited, in USD.
      assert.equal(await applyObservation(world.deps, { ...seen, state: 'gone', confirmations: 0 }), 'applied');
      assert.equal((await balanceOf(acct)).balance, 0);
      assert.ok((await verifyLedger(world.deps.store)).ok);
    });

    test('an underpayment is credited at expiry at the locked rates, converted once', async () => {
      const acct = await businessAccount(world.deps, 'USD');
      const invoice = await eurDeposit(acct, 25);
      assert.equal((await call(acct, 'POST', `/v2/sandbox/invoices/${invoice.id}/pay`, { amount: '0.0002' })).statusCode, 200);
      assert.equal((await invoiceOf(acct, invoice.id)).payment.status, 'partially_paid');
      world.clock.advance(31 * MINUTE);
      try {
        await expireInvoices(world.deps);
        await settleById(world.deps, invoice.id); // settling the complete invoice again decides nothing new
      } finally {
        world.clock.advance(-31 * MINUTE);
      }
      const eur = satsToEur(20_000n); // 11.96 EUR
      const read = await invoiceOf(acct, invoice.id);
      assert.equal(read.status, 'complete');
      assert.equal(read.credited_amount, cents(eur));
      assert.equal(read.conversion.credited_amount, cents(eurToUsd(eur)));
      assert.equal((await balanceOf(acct)).balance, 13, '11.96 EUR × 65000/59800 is exactly 13.00 USD: no rounded cross rate in between');
      assert.ok((await verifyLedger(world.deps.store)).ok);
    });

    test('an overpayment credits the amount plus the extra at the locked rate, converted once', async () => {
      const acct = await businessAccount(world.deps, 'USD');
      const invoice = await eurDeposit(acct, 25);
      const priceSats = BigInt(Math.round(invoice.payment.price * 1e8));
      assert.equal((await call(acct, 'POST', `/v2/sandbox/invoices/${invoice.id}/pay`, { amount: '0.0005' })).statusCode, 200);
      const eur = 2500n + satsToEur(50_000n - priceSats);
      const read = await invoiceOf(acct, invoice.id);
      assert.equal(read.payment.status, 'overpaid');
      assert.equal(read.credited_amount, cents(eur));
      assert.equal((await balanceOf(acct)).balance, cents(eurToUsd(eur)));
      assert.ok((await verifyLedger(world.deps.store)).ok);
    });

    test('a flexible EUR deposit is credited in USD; a detected fixed one shows as pending in USD', async () => {
      const acct = await businessAccount(world.deps, 'USD');
      const flexible = await eurDeposit(acct);
      assert.equal(flexible.conversion.amount, null);
      assert.equal((await call(acct, 'POST', `/v2/sandbox/invoices/${flexible.id}/pay`, { amount: '0.001' })).statusCode, 200);
      assert.equal((await balanceOf(acct)).balance, cents(eurToUsd(satsToEur(100_000n))));

      const fixed = await eurDeposit(acct, 25);
      assert.equal((await call(acct, 'POST', `/v2/sandbox/invoices/${fixed.id}/pay`, { confirmations: 0 })).statusCode, 200);
      assert.deepEqual((await balanceOf(acct)).balances, [{ currency: 'USD', balance: 65, pending: 27.17 }]);
    });

    test('two payments completing one invoice: each share converted once, the invoice and the balance agree', async () => {
      const acct = await businessAccount(world.deps, 'USD');
      const invoice = await eurDeposit(acct, 25);
      const priceSats = BigInt(Math.round(invoice.payment.price * 1e8));
      const firstSats = 20_000n;
      for (const sats of [firstSats, priceSats - firstSats]) {
        const amount = `0.${sats.toString().padStart(8, '0')}`;
        assert.equal((await call(acct, 'POST', `/v2/sandbox/invoices/${invoice.id}/pay`, { amount })).statusCode, 200);
      }
      // The 25 EUR is split over the payments by amount, exactly; each share is converted on its own.
      const first = (firstSats * 2500n) / priceSats;
      const expected = eurToUsd(first) + eurToUsd(2500n - first);
      const read = await invoiceOf(acct, invoice.id);
      assert.equal(read.status, 'complete');
      assert.equal(read.credited_amount, 25);
      assert.equal(read.conversion.credited_amount, cents(expected));
      assert.equal((await balanceOf(acct)).balance, cents(expected));
      assert.ok(eurToUsd(2500n) - expected <= 1n, 'at most one cent per payment below the single conversion');
      assert.ok((await verifyLedger(world.deps.store)).ok);
    });

    test('a late payment is decided at the rate when seen, then converted at the locked ratio', async () => {
      const acct = await businessAccount(world.deps, 'USD');
      const invoice = await eurDeposit(acct, 25);
      assert.equal((await call(acct, 'POST', `/v2/sandbox/invoices/${invoice.id}/pay`, {})).statusCode, 200);
      assert.equal((await call(acct, 'POST', `/v2/sandbox/invoices/${invoice.id}/pay`, { amount: '0.0001' })).statusCode, 200);
      const read = await invoiceOf(acct, invoice.id);
      const late = read.payment.transactions.find((t: { late: boolean }) => t.late);
      assert.equal(late.credited_amount, cents(satsToEur(10_000n)));
      assert.equal(late.credited_balance_amount, cents(eurToUsd(satsToEur(10_000n))));
      assert.equal((await balanceOf(acct)).balance, cents(eurToUsd(2500n) + eurToUsd(satsToEur(10_000n))));
      assert.ok((await verifyLedger(world.deps.store)).ok);
    });

    test('a USD deposit on a BTC account is credited in satoshis, at most one below the exact value', async () => {
      const acct = await businessAccount(world.deps, 'BTC');
      const res = await call(acct, 'POST', '/v2/accounts/deposit', { currency: 'USD', payment_method: 'bitcoin', amount: 10 });
      assert.equal(res.statusCode, 200, res.body);
      const invoice = res.json().data;
      assert.equal(invoice.conversion.currency, 'BTC');
      assert.equal(invoice.conversion.credit_rate, '1', 'BTC per BTC: the identity, no market rate');
      assert.equal(invoice.conversion.invoice_rate, '65000');
      assert.equal((await call(acct, 'POST', `/v2/sandbox/invoices/${invoice.id}/pay`, {})).statusCode, 200);
      // 10.00 USD ÷ 65000 USD/BTC = 15384.6… sats, rounded down; the price sent was 15385 sats (rounded up).
      assert.equal(invoice.payment.price, 0.00015385);
      assert.equal((await balanceOf(acct)).balance, 0.00015384);
      assert.ok((await verifyLedger(world.deps.store)).ok);
    });

    test('an invoice stored before migration 005 (no conversion) still credits its own currency', async () => {
      const acct = await businessAccount(world.deps, 'USD');
      const invoice = await eurDeposit(acct, 25);
      await world.testDb.db.kysely.updateTable('invoices').where('id', '=', invoice.id).set({
        credit_currency: null, credit_rate_units: null, credit_rate_scale: null, fx_invoice_rate_units: null, fx_invoice_rate_scale: null,
        fx_sources: null, fx_at: null,
      }).execute();
      assert.equal((await invoiceOf(acct, invoice.id)).conversion, undefined);
      assert.equal((await call(acct, 'POST', `/v2/sandbox/invoices/${invoice.id}/pay`, {})).statusCode, 200);
      assert.deepEqual((await balanceOf(acct)).balances, [{ currency: 'USD', balance: 0, pending: 0 }, { currency: 'EUR', balance: 25, pending: 0 }]);
      assert.ok((await verifyLedger(world.deps.store)).ok);
    });

    test('a deposit in the account\'s own currency is unchanged: no conversion', async () => {
      const acct = await businessAccount(world.deps, 'EUR');
      const invoice = await eurDeposit(acct, 25);
      assert.equal(invoice.conversion, undefined);
      assert.equal((await call(acct, 'POST', `/v2/sandbox/invoices/${invoice.id}/pay`, {})).statusCode, 200);
      assert.deepEqual((await balanceOf(acct)).balances, [{ currency: 'EUR', balance: 25, pending: 0 }]);
    });
  });

  describe(`a missing rate for the account currency refuses the deposit (${dialect})`, () => {
    let world: World;
    before(async () => {
      // A real aggregator over a static table that has no BTC/USD.
      const table = new Map(staticRateTable());
      table.delete('BTC/USD');
      const rates = new RateAggregator({ sources: [createStaticSource(table)], minSources: 1, outlierBasisPoints: 500n, cacheTtlMs: 0, maxAgeMs: 60_000 },
        { clock: { now: () => new Date() }, log: silentLogger });
      world = await openWorld(dialect, { rates });
    });
    after(() => world.close());

    test('EUR on a USD account, fixed or flexible → 503 rate_unavailable and no invoice; EUR on a EUR account still works', async () => {
      const usd = await businessAccount(world.deps, 'USD');
      for (const body of [{ currency: 'EUR', payment_method: 'bitcoin', amount: 25 }, { currency: 'EUR', payment_method: 'bitcoin' }]) {
        const res = await world.app.inject({ method: 'POST', url: '/v2/accounts/deposit', headers: usd.headers, payload: JSON.stringify(body) });
        assert.equal(res.statusCode, 503, res.body);
        assert.equal(res.json().error_code, 'rate_unavailable');
      }
      const listed = await world.app.inject({ method: 'GET', url: '/v2/invoices', headers: usd.headers });
      assert.deepEqual(listed.json().data, []);
      const eur = await businessAccount(world.deps, 'EUR');
      const ok = await world.app.inject({ method: 'POST', url: '/v2/accounts/deposit', headers: eur.headers,
        payload: JSON.stringify({ currency: 'EUR', payment_method: 'bitcoin', amount: 25 }) });
      assert.equal(ok.statusCode, 200, ok.body);
    });
  });
}
