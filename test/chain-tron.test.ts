// Proves usdt_trc20 deposits END TO END on every dialect, on the in-process EVM node (EDR) run with
// Tron mainnet's chain id (0x2b6653dc, java-tron's eth_chainId) behind a java-tron-shaped JSON-RPC
// front that refuses eth_getLogs ranges wider than its limit the way java-tron does ("exceed max
// block range: N"). A TRC-20-like token (6 decimals, standard Transfer event) stands in for USDT;
// java-tron's JSON-RPC carries the same logs, receipts and 0x 20-byte addresses (docs/tron.md).
// POST /v2/accounts/deposit returns a T… address; a payment to its 20-byte hex is credited once at
// 20 confirmations; under/over/late follow the shared rules; a same-symbol token from another contract
// is never credited; a payment reorged out before 20 confirmations is never credited; a payment
// made while Coffer is down is found on restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HDKey } from '@scure/bip32';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import type { Hex } from 'viem';
import { loadConfig } from '../src/config.ts';
import { buildMethods } from '../src/runtime.ts';
import { silentLogger } from '../src/core/logger.ts';
import { deriveTronAddress, isTronAddress, parseTronWalletKey, TRON_ACCOUNT_PATH, tronFromHex, tronToHex } from '../src/methods/tron/address.ts';
import { rescan } from '../src/usecases/rescan.ts';
import { TRON_METHOD_ID, TronChainIds } from '../src/methods/tron/config.ts';
import { ChainWorld } from './support/chain-world.ts';
import type { WireInvoice } from './support/chain-world.ts';
import { dialects, staticRates } from './support/harness.ts';
import type { TestAccount } from './support/harness.ts';
import { startEvmNode } from './support/evm-node.ts';
import type { EvmNode } from './support/evm-node.ts';
import { deployToken, payToken, receiptOf } from './support/evm-chain.ts';
import { ABANDON_MNEMONIC } from './support/evm-fixture.ts';
import { startProviderFront } from './support/evm-provider-front.ts';
import type { ProviderFront } from './support/evm-provider-front.ts';

const RATES = staticRates({ 'USDT/USD': '1', 'USDC/USD': '1', 'BTC/USD': '50000', 'ETH/USD': '2000' });
const CONFIRMATIONS = 20;
const EXPIRY_MS = 30 * 60 * 1000;
/** The front's eth_getLogs limit: smaller than the follower's first request, so it must adapt. */
const LOGS_RANGE_MAX = 8;

let node: EvmNode;
let front: ProviderFront;
let usdt: Hex;
let lookalike: Hex;

function tronXpub(): string {
  const enc = new TextEncoder();
  const seed = pbkdf2(sha512, enc.encode(ABANDON_MNEMONIC), enc.encode('mnemonic'), { c: 2048, dkLen: 64 });
  return HDKey.fromMasterSeed(seed).derive(TRON_ACCOUNT_PATH).publicExtendedKey;
}

before(async () => {
  node = await startEvmNode({ chainId: TronChainIds.mainnet });
  usdt = await deployToken(node, 'USDT', 6);
  // Same name, symbol and decimals, another contract: what a scammer deploys on Tron.
  lookalike = await deployToken(node, 'USDT', 6);
  front = await startProviderFront({ upstream: node.url, shape: 'java-tron', logsRangeMax: LOGS_RANGE_MAX });
});

after(async () => {
  await front.close();
  await node.close();
});

/** Pays `units` of `token` to the invoice's T… address (the node is given its 0x form, as a Tron wallet does internally). */
async function pay(inv: WireInvoice, units: bigint, token: Hex = usdt): Promise<Hex> {
  const tx = await payToken(node, token, tronToHex(inv.payment.address), units);
  assert.equal((await receiptOf(node, tx)).status, '0x1');
  return tx;
}

for (const dialect of dialects()) {
  describe(`usdt_trc20 end to end (${dialect})`, () => {
    let world: ChainWorld;

    before(async () => {
      world = await ChainWorld.open(dialect, {
        rates: RATES,
        // Built by the composition root from the environment, as `coffer serve` does.
        methods: (clock) => buildMethods(loadConfig({
          COFFER_MODE: 'regtest', COFFER_TRON_XPUB: tronXpub(), COFFER_TRON_RPC_URL: front.url,
          COFFER_TRON_CHAIN_ID: String(TronChainIds.mainnet), COFFER_TRON_USDT_CONTRACT: tronFromHex(usdt),
          COFFER_TRON_POLL_INTERVAL_MS: '20',
        }), clock, silentLogger),
      });
      assert.deepEqual(world.deps.methods.ids(), [TRON_METHOD_ID]);
      await world.startWatchers();
    });
    after(() => world.close());

    async function deposit(amount: number): Promise<{ acct: TestAccount; inv: WireInvoice }> {
      // A follower that just met an injected node error reports itself unhealthy until its next good
      // step, and deposits are refused (503) meanwhile — as a client would, wait for it first.
      await world.waitUntil('usdt_trc20 healthy', () => world.deps.methods.get(TRON_METHOD_ID)?.adapter.health().ok === true);
      const acct = await world.account();
      return { acct, inv: await world.deposit(acct, { amount, currency: 'USD', payment_method: TRON_METHOD_ID }) };
    }

    test('exact payment: a T… address, detected, credited once at 20 confirmations', async () => {
      const { acct, inv } = await deposit(25);
      assert.ok(isTronAddress(inv.payment.address), inv.payment.address);
      assert.equal(inv.payment.uri, inv.payment.address);
      assert.equal(inv.payment.contract_address, tronFromHex(usdt));
      assert.equal(inv.payment.confirmations_required, CONFIRMATIONS);
      const raw = (await world.call(acct, 'GET', `/v2/invoices/${inv.id}`)).json().data as { payment: { network: string } };
      assert.equal(raw.payment.network, 'tron-local');
      const tx = await pay(inv, 25_000_000n);
      const detected = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions.length === 1);
      assert.notEqual(detected.status, 'complete');
      assert.equal(detected.credited_amount, 0);
      await node.mine(CONFIRMATIONS - 2);
      const short = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.confirmations === CONFIRMATIONS - 1);
      assert.equal(short.credited_amount, 0, 'not credited at 19 confirmations');
      await node.mine(1);
      const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      assert.equal(done.credited_amount, 25);
      assert.deepEqual(done.payment.transactions.map((t) => [t.id, t.amount, t.status]), [[tx, '25', 'credited']]);
      assert.equal(await world.balance(acct), 25);
      await node.mine(3);
      await world.waitInvoice(acct, inv.id, (i) => (i.payment.transactions[0]?.confirmations ?? 0) >= CONFIRMATIONS + 3);
      assert.equal(await world.balance(acct), 25, 'credited once');
      await world.invariants([`tron-local:${tx}:0`]);
    });

    test('underpayment waits; a top-up completes it; an overpayment credits the extra', async () => {
      const under = await deposit(10);
      const first = await pay(under.inv, 7_500_000n);
      const over = await deposit(10);
      const big = await pay(over.inv, 12_000_000n);
      await node.mine(CONFIRMATIONS);
      const partial = await world.waitInvoice(under.acct, under.inv.id, (i) => (i.payment.transactions[0]?.confirmations ?? 0) >= CONFIRMATIONS);
      assert.equal(partial.payment.status, 'partially_paid');
      assert.equal(partial.credited_amount, 0);
      const topUp = await pay(under.inv, 2_500_000n);
      await node.mine(CONFIRMATIONS);
      const done = await world.waitInvoice(under.acct, under.inv.id, (i) => i.status === 'complete');
      assert.equal(done.credited_amount, 10);
      const overDone = await world.waitInvoice(over.acct, over.inv.id, (i) => i.status === 'complete');
      assert.equal(overDone.credited_amount, 12);
      assert.equal(await world.balance(over.acct), 12);
      await world.invariants([`tron-local:${first}:0`, `tron-local:${topUp}:0`, `tron-local:${big}:0`]);
    });

    test('a payment after expiry is still found and credited, marked late', async () => {
      const { acct, inv } = await deposit(4);
      await world.expireAfter(EXPIRY_MS + 1_000);
      assert.equal((await world.invoice(acct, inv.id)).status, 'expired');
      const tx = await pay(inv, 4_000_000n);
      await node.mine(CONFIRMATIONS);
      const late = await world.waitInvoice(acct, inv.id, (i) => i.credited_amount === 4);
      assert.equal(late.payment.transactions[0]?.late, true);
      assert.equal(await world.balance(acct), 4);
      await world.invariants([`tron-local:${tx}:0`]);
    });

    test('a same-symbol token from another contract is never credited', async () => {
      const bad = await deposit(5);
      await pay(bad.inv, 5_000_000n, lookalike);
      // A good payment made after it completes only once the follower has passed its block.
      const good = await deposit(1);
      await pay(good.inv, 1_000_000n);
      await node.mine(CONFIRMATIONS);
      await world.waitInvoice(good.acct, good.inv.id, (i) => i.status === 'complete');
      const read = await world.invoice(bad.acct, bad.inv.id);
      assert.equal(read.status, 'unpaid');
      assert.deepEqual(read.payment.transactions, []);
      assert.equal(await world.balance(bad.acct), 0);
    });

    test('a payment reorged out before its 20 confirmations is detected, then gone, never credited', async () => {
      const { acct, inv } = await deposit(3);
      const snapshot = await node.request<Hex>('evm_snapshot');
      const tx = await pay(inv, 3_000_000n);
      await node.mine(4);
      const detected = await world.waitInvoice(acct, inv.id, (i) => (i.payment.transactions[0]?.confirmations ?? 0) >= 5);
      assert.equal(detected.credited_amount, 0);
      // Tron blocks are irreversible only once solidified (19 of 27 SRs); before that a fork can drop them.
      await node.request('evm_revert', [snapshot]);
      // The new chain passes the old height in one range: the payment's block is re-read, not assumed.
      await node.mine(12);
      const demoted = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.confirmations === 0);
      assert.equal(demoted.payment.transactions[0]?.status, 'pending');
      // Absent for as many blocks as it needed confirmations: gone.
      await node.mine(CONFIRMATIONS + 1);
      const gone = await world.waitInvoice(acct, inv.id, (i) => i.payment.transactions[0]?.status === 'gone');
      assert.equal(gone.credited_amount, 0);
      assert.equal(await world.balance(acct), 0);
      await world.invariants([`tron-local:${tx}:0`]);
    });

    test('a payment made while Coffer is down is found on restart; the java-tron range limit is learnt, not fatal', async () => {
      const { acct, inv } = await deposit(6);
      await world.stopWatchers();
      await node.mine(3 * LOGS_RANGE_MAX);
      const tx = await pay(inv, 6_000_000n);
      await node.mine(CONFIRMATIONS + 2 * LOGS_RANGE_MAX);
      assert.equal((await world.invoice(acct, inv.id)).status, 'unpaid');
      const refusedBefore = front.refused.logsRange;
      await world.startWatchers();
      const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
      assert.equal(done.credited_amount, 6);
      assert.ok(front.refused.logsRange > refusedBefore, 'the front refused a wide range and the follower split it');
      await world.invariants([`tron-local:${tx}:0`]);
    });
    test('coffer rescan finds a payment the follower went past (made before its address was handed out), credited once', async () => {
      const sentinel = await deposit(1);
      const wallet = parseTronWalletKey(tronXpub());
      let index = 0;
      while (deriveTronAddress(wallet, index).address !== sentinel.inv.payment.address) index++;
      const next = deriveTronAddress(wallet, index + 1);
      // Paid before any invoice shows that address: no watched target, so the follower passes it.
      const early = await payToken(node, usdt, next.hex, 2_000_000n);
      const height = Number((await receiptOf(node, early)).blockNumber);
      await pay(sentinel.inv, 1_000_000n);
      await node.mine(CONFIRMATIONS);
      await world.waitInvoice(sentinel.acct, sentinel.inv.id, (i) => i.status === 'complete');
      const { acct, inv } = await deposit(2);
      assert.equal(inv.payment.address, next.address);
      // The follower is now past that block for good: a later payment is seen, the early one is not.
      await pay(sentinel.inv, 500_000n);
      await world.waitInvoice(sentinel.acct, sentinel.inv.id, (i) => i.payment.transactions.length === 2);
      assert.equal((await world.invoice(acct, inv.id)).status, 'unpaid');
      await world.stopWatchers();
      try {
        const result = await rescan(world.deps, { methodId: TRON_METHOD_ID, fromHeight: height, stallMs: 30_000 });
        assert.ok((result.reachedHeight ?? -1) >= result.tipHeight);
        const done = await world.waitInvoice(acct, inv.id, (i) => i.status === 'complete');
        assert.equal(done.credited_amount, 2);
        // A second rescan over the same blocks credits nothing more.
        await rescan(world.deps, { methodId: TRON_METHOD_ID, fromHeight: height, stallMs: 30_000 });
        assert.equal(await world.balance(acct), 2);
        await world.invariants([`tron-local:${early}:0`]);
      } finally {
        await world.startWatchers();
      }
    });
  });
}
