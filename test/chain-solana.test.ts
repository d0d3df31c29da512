// Proves usdc_solana deposits END TO END on every dialect: POST /v2/accounts/deposit returns a Solana Pay transfer request, a wallet pays it with a real signed SPL Token transaction (LiteSVM behind JSON-RPC), the real watcher under the WatcherSupervisor settles it, and GET /v2/invoices/{id} and the balance tell the truth; under/over/late/repeated follow the shared rules, and nothing else is ever credited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.ts';
import { buildMethods } from '../src/runtime.ts';
import { SOLANA_METHOD_ID } from '../src/methods/solana/solana-method.ts';
import { silentLogger } from '../src/core/logger.ts';
import { ChainWorld } from './support/chain-world.ts';
import type { WireInvoice } from './support/chain-world.ts';
import { dialects, staticRates } from './support/harness.ts';
import type { TestAccount } from './support/harness.ts';
import { payUsdc, startUsdcChain } from './support/solana-rpc.ts';
import type { Payer, SolanaTestNode, UsdcFixture } from './support/solana-rpc.ts';

const RATES = staticRates({ 'USDC/USD': '1', 'BTC/USD': '50000', 'ETH/USD': '2000', 'USDT/USD': '1' });
const EXPIRY_MS = 30 * 60 * 1000;

let node: SolanaTestNode;
let fx: UsdcFixture;
let payer: Payer;

before(async () => { ({ node, fx, payer } = await startUsdcChain(1_000_000_000_000n)); });

after(() => node.close());

function referenceOf(inv: WireInvoice): string {
  const match = /[?&]reference=([1-9A-HJ-NP-Za-km-z]+)/.exec(inv.payment.uri);
  if (match === null) throw new Error(`no reference in ${inv.payment.uri}`);
  return match[1] as string;
}

for (const dialect of dialects()) {
  describe(`usdc_solana end to end (${dialect})`, () => {
    let world: ChainWorld;

    before(async () => {
      world = await ChainWorld.open(dialect, {
        rates: RATES,
        // Built by the composition root from the environment, as `coffer serve` does.
        methods: (clock) => buildMethods(loadConfig({
          COFFER_MODE: 'regtest', COFFER_SOLANA_RPC_URL: node.url, COFFER_SOLANA_OWNER: fx.owner,
          COFFER_SOLANA_USDC_MINT: fx.mint, COFFER_SOLANA_POLL_INTERVAL_MS: '20',
        }), clock, silentLogger),
      });
      assert.deepEqual(world.deps.methods.ids(), [SOLANA_METHOD_ID]);
      await world.startWatchers();
    });
    after(() => world.close());

    async function deposit(amount: number): Promise<{ acct: TestAccount; inv: WireInvoice }> {
      const acct = await world.account();
      return { acct, inv: await world.deposit(acct, { amount, currency: 'USD', payment_method: SOLANA_METHOD_ID }) };
    }

    test('exact payment: the transfer request is paid, the invoice completes, the balance holds the amount', async () => {
      const { acct, inv } = await deposit(25);
      const res = await world.call(acct, 'GET', `/v2/invoices/${inv.id}`);
      const raw = res.json().data as { payment: { network: string } };
      assert.equal(raw.payment.network, 'solana-localnet');
      assert.equal(inv.payment.price, 25);
      assert.equal(inv.payment.address, fx.owner);
      assert.equal(inv.payment.contract_address, fx.mint);
      assert.equal(inv.payment.confirmations_required, 1);
      const reference = referenceOf(inv);
      assert.match(inv.payment.uri, new RegExp(`^solana:${fx.owner}\\?amount=25&spl-token=${fx.mint}&reference=${reference}&label=Coffer&message=`));
      const paid = await payUsdc(fx, payer, 25_000_000n, { reference });
      const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      assert.equal(done.credited_amount, 25);
      assert.deepEqual(done.payment.transactions.map((t) => [t.id, t.amount, t.status]), [[paid.signature, '25', 'credited']]);
      assert.equal(await world.balance(acct), 25);
      await world.invariants([`solana:${paid.signature}:0`]);
    });

    test('detected while confirmed, credited once finalized', async () => {
      const { acct, inv } = await deposit(5);
      node.autoFinalize = false;
      try {
        const paid = await payUsdc(fx, payer, 5_000_000n, { reference: referenceOf(inv) });
        const detected = await world.waitInvoice(acct, inv.id, (i) => i.status === 'payment_detected');
        assert.equal(detected.credited_amount, 0);
        assert.equal(detected.payment.transactions[0]?.confirmations, 0);
        node.finalize();
        const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
        assert.equal(done.credited_amount, 5);
        await world.invariants([`solana:${paid.signature}:0`]);
      } finally {
        node.autoFinalize = true;
        node.finalize();
      }
    });

    test('underpayment waits; a top-up to the same reference completes it with exactly the amount', async () => {
      const { acct, inv } = await deposit(10);
      const reference = referenceOf(inv);
      const first = await payUsdc(fx, payer, 7_500_000n, { reference });
      const partial = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.confirmations === 1);
      assert.equal(partial.status, 'payment_confirmed');
      assert.equal(partial.payment.status, 'partially_paid');
      assert.equal(partial.credited_amount, 0);
      const topUp = await payUsdc(fx, payer, 2_500_000n, { reference });
      const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      assert.equal(done.credited_amount, 10);
      assert.equal(await world.balance(acct), 10);
      await world.invariants([`solana:${first.signature}:0`, `solana:${topUp.signature}:0`]);
    });

    test('overpayment credits the extra; a repeated payment after completion is credited as late', async () => {
      const { acct, inv } = await deposit(10);
      const reference = referenceOf(inv);
      const over = await payUsdc(fx, payer, 12_000_000n, { reference });
      const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      assert.equal(done.credited_amount, 12);
      const again = await payUsdc(fx, payer, 1_000_000n, { reference });
      const repeated = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions.length === 2 && i.credited_amount === 13);
      assert.equal(repeated.payment.transactions.find((t) => t.id === again.signature)?.late, true);
      assert.equal(await world.balance(acct), 13);
      await world.invariants([`solana:${over.signature}:0`, `solana:${again.signature}:0`]);
    });

    test('a payment after expiry is still found and credited, marked late', async () => {
      const { acct, inv } = await deposit(4);
      await world.expireAfter(EXPIRY_MS + 1_000);
      assert.equal((await world.invoice(acct, inv.id)).status, 'expired');
      const paid = await payUsdc(fx, payer, 4_000_000n, { reference: referenceOf(inv) });
      const late = await world.waitInvoice(acct, inv.id, (i) => i.credited_amount === 4);
      assert.equal(late.payment.transactions[0]?.late, true);
      assert.equal(await world.balance(acct), 4);
      await world.invariants([`solana:${paid.signature}:0`]);
    });

    test('another mint, another account, a failed transaction, no reference: nothing is credited', async () => {
      const bad = await deposit(5);
      const reference = referenceOf(bad.inv);
      await payUsdc(fx, payer, 5_000_000n, { reference, otherMint: true });
      const stranger = await fx.payer(0n);
      await payUsdc(fx, payer, 5_000_000n, { reference, destination: stranger.ata });
      assert.equal((await payUsdc(fx, payer, 10n ** 15n, { reference })).ok, false);
      await payUsdc(fx, payer, 5_000_000n);
      // A good payment made after them completes only once the watcher has polled past them.
      const good = await deposit(1);
      await payUsdc(fx, payer, 1_000_000n, { reference: referenceOf(good.inv) });
      await world.waitInvoice(good.acct, good.inv.id, (i) => i.status === 'complete');
      await world.assertUntouched(bad.acct, bad.inv);
      await world.invariants();
    });

    test('a payment made while Coffer is down is found on restart', async () => {
      const { acct, inv } = await deposit(6);
      await world.stopWatchers();
      const paid = await payUsdc(fx, payer, 6_000_000n, { reference: referenceOf(inv) });
      assert.equal((await world.invoice(acct, inv.id)).status, 'unpaid');
      await world.startWatchers();
      const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      assert.equal(done.credited_amount, 6);
      await world.invariants([`solana:${paid.signature}:0`]);
    });
  });
}
