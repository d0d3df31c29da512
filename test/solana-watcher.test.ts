// Proves the usdc_solana watcher against real SPL Token transactions (LiteSVM behind JSON-RPC): it reports exactly the USDC that reached the operator's token account with the invoice's reference, never another mint, account, failed or unreferenced transaction; finds payments made while it was down by paging; adapts to refused page sizes, RPC errors and 429; and start-up refuses bad configuration naming the setting.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Address } from '@solana/kit';
import { generateKeyPairSigner } from '@solana/kit';
import { ConfigError } from '../src/core/errors.ts';
import type { MethodHealth } from '../src/core/payment-method.ts';
import { silentLogger } from '../src/core/logger.ts';
import { systemClock } from '../src/core/clock.ts';
import { RemoteFailureKind, RemoteRequestError } from '../src/methods/request-policy.ts';
import { solanaConfigFromEnv } from '../src/methods/solana/config.ts';
import type { SolanaCommitment } from '../src/methods/solana/config.ts';
import { newReference } from '../src/methods/solana/keys.ts';
import { SIGNATURE_PAGES_PER_REFERENCE_MAX } from '../src/methods/solana/limits.ts';
import { SolanaRpc } from '../src/methods/solana/rpc-client.ts';
import { createSolanaMethod } from '../src/methods/solana/solana-method.ts';
import { SolanaWatcher } from '../src/methods/solana/watcher.ts';
import { MemoryWatcherContext } from './support/memory-watcher-context.ts';
import { payUsdc, startUsdcChain } from './support/solana-rpc.ts';
import type { Payer, SolanaTestNode, UsdcFixture } from './support/solana-rpc.ts';

const METHOD = 'usdc_solana';
const HOUR_MS = 3_600_000;

let node: SolanaTestNode;
let fx: UsdcFixture;
let payer: Payer;

before(async () => { ({ node, fx, payer } = await startUsdcChain(1_000_000_000n)); });

after(() => node.close());

function watcherFor(ctx: MemoryWatcherContext, commitment: SolanaCommitment = 'finalized'): SolanaWatcher {
  return new SolanaWatcher({
    methodId: METHOD, mint: fx.mint, tokenAccount: fx.ownerAta, commitment, pollIntervalMs: 10, staleAfterMs: HOUR_MS,
  }, new SolanaRpc(node.url), ctx);
}

function watch(ctx: MemoryWatcherContext): string {
  const reference = newReference();
  ctx.addTarget({ methodId: METHOD, targetKey: reference, invoiceId: reference, watchUntil: new Date(Date.now() + HOUR_MS) });
  return reference;
}

describe('usdc_solana watcher', () => {
  test('an exact payment is reported once, confirmed at finalized, keyed solana:<signature>:<instruction>', async () => {
    const ctx = new MemoryWatcherContext();
    const watcher = watcherFor(ctx);
    const reference = watch(ctx);
    const paid = await payUsdc(fx, payer, 25_000_000n, { reference });
    assert.equal(paid.ok, true);
    await watcher.step();
    assert.deepEqual(ctx.emitted.map((o) => [o.paymentKey, o.amountUnits, o.state, o.confirmations, o.targetKey, o.txid]),
      [[`solana:${paid.signature}:0`, 25_000_000n, 'confirmed', 1, reference, paid.signature]]);
    await watcher.step();
    assert.equal(ctx.emitted.length, 1, 'an unchanged payment is not re-emitted');
  });

  test('partial and over payments are reported with what arrived; a plain transfer counts too', async () => {
    const ctx = new MemoryWatcherContext();
    const watcher = watcherFor(ctx);
    const under = watch(ctx);
    const over = watch(ctx);
    await payUsdc(fx, payer, 10_000_000n, { reference: under });
    await payUsdc(fx, payer, 31_500_001n, { reference: over, unchecked: true });
    await watcher.step();
    const byTarget = new Map(ctx.emitted.map((o) => [o.targetKey, o.amountUnits]));
    assert.equal(byTarget.get(under), 10_000_000n);
    assert.equal(byTarget.get(over), 31_500_001n);
  });

  test('another mint, another account, a failed transaction, a payment without the reference: nothing', async () => {
    const ctx = new MemoryWatcherContext();
    const watcher = watcherFor(ctx);
    const reference = watch(ctx);
    // A look-alike token to the operator's account of that token, with the invoice's reference.
    assert.equal((await payUsdc(fx, payer, 5_000_000n, { reference, otherMint: true })).ok, true);
    // The right mint, referenced, but to the payer's own account (another owner's token account).
    const stranger = await fx.payer(0n);
    assert.equal((await payUsdc(fx, payer, 5_000_000n, { reference, destination: stranger.ata })).ok, true);
    // More than the payer holds: the token program fails the transaction; it is still on chain.
    assert.equal((await payUsdc(fx, payer, 10_000_000_000n, { reference })).ok, false);
    // A real payment to the operator that does not carry the reference cannot be matched.
    assert.equal((await payUsdc(fx, payer, 5_000_000n)).ok, true);
    await watcher.step();
    assert.deepEqual(ctx.emitted, []);
    assert.ok((node.calls.get('getTransaction') ?? 0) > 0, 'the referenced transactions were read and refused');
  });

  test('finalized commitment: detected (seen) when confirmed, credited when finalized; confirmed commitment credits at once', async () => {
    node.autoFinalize = false;
    try {
      const ctx = new MemoryWatcherContext();
      const finalized = watcherFor(ctx, 'finalized');
      const quick = new MemoryWatcherContext();
      const confirmed = watcherFor(quick, 'confirmed');
      const reference = watch(ctx);
      quick.addTarget({ methodId: METHOD, targetKey: reference, invoiceId: reference, watchUntil: new Date(Date.now() + HOUR_MS) });
      await payUsdc(fx, payer, 2_000_000n, { reference });
      await finalized.step();
      await confirmed.step();
      assert.deepEqual(ctx.emitted.map((o) => [o.state, o.confirmations]), [['seen', 0]]);
      assert.deepEqual(quick.emitted.map((o) => [o.state, o.confirmations]), [['confirmed', 1]]);
      node.finalize();
      await finalized.step();
      assert.deepEqual(ctx.emitted.map((o) => [o.state, o.confirmations]), [['seen', 0], ['confirmed', 1]]);
    } finally {
      node.autoFinalize = true;
      node.finalize();
    }
  });

  test('payments made while Coffer was down are found on start by paging; a stated page limit is honoured', async () => {
    const ctx = new MemoryWatcherContext();
    const reference = watch(ctx);
    const paid = [];
    for (const units of [1_000_000n, 2_000_000n, 3_000_000n, 4_000_000n, 5_000_000n]) paid.push(await payUsdc(fx, payer, units, { reference }));
    node.maxSignatureLimit = 2;
    const refusals = node.served.limitRefusals;
    try {
      const watcher = watcherFor(ctx);
      await watcher.load();
      await watcher.step();
      assert.equal(watcher.pageSize, 2, 'the page size is capped at the limit the node states');
      assert.equal(node.served.limitRefusals, refusals + 1, 'refused once, then paged within the limit');
      assert.deepEqual(new Set(ctx.emitted.map((o) => o.txid)), new Set(paid.map((p) => p.signature)));
      assert.equal(ctx.emitted.reduce((sum, o) => sum + o.amountUnits, 0n), 15_000_000n);
    } finally {
      node.maxSignatureLimit = 1000;
    }
  });

  test('a reference with more signatures than one poll reads: the next poll continues below, so the oldest payment is found', async () => {
    const ctx = new MemoryWatcherContext();
    const reference = watch(ctx);
    const oldest = await payUsdc(fx, payer, 9_000_000n, { reference });
    for (let i = 0; i < SIGNATURE_PAGES_PER_REFERENCE_MAX; i++) await payUsdc(fx, payer, 1n, { reference });
    node.maxSignatureLimit = 1;
    try {
      const watcher = watcherFor(ctx);
      await watcher.step();
      assert.equal(ctx.emitted.length, SIGNATURE_PAGES_PER_REFERENCE_MAX, 'one page budget of the newest');
      await watcher.step();
      assert.ok(ctx.emitted.some((o) => o.txid === oldest.signature), 'the oldest payment is reached on the next poll');
      assert.equal(ctx.emitted.length, SIGNATURE_PAGES_PER_REFERENCE_MAX + 1);
    } finally {
      node.maxSignatureLimit = 1000;
    }
  });

  test('health: the slot a whole poll covered next to the node\'s slot (getSlot at the commitment), so a failing poll shows how far behind it is', async () => {
    const ctx = new MemoryWatcherContext();
    const watcher = watcherFor(ctx, 'finalized');
    watch(ctx);
    await watcher.step();
    const covered = node.finalizedSlot;
    assert.deepEqual([watcher.health.height, watcher.health.nodeHeight], [covered, covered]);
    await payUsdc(fx, payer, 1_000_000n, { reference: watch(ctx) });
    assert.ok(node.finalizedSlot > covered, 'the chain moved on');
    // getSlot answers, then one reference's listing fails: that poll covered nothing new.
    node.failNext(1, { rpcError: { code: -32603, message: 'Internal error' }, method: 'getSignaturesForAddress' });
    const reports: MethodHealth[] = [];
    const abort = new AbortController();
    await watcher.run(abort.signal, () => {
      reports.push(watcher.health);
      if (reports.length === 2) abort.abort();
    });
    assert.deepEqual([reports[0]?.height, reports[0]?.nodeHeight], [covered, node.finalizedSlot], 'behind by the slots the failed poll did not cover');
    assert.deepEqual([reports[1]?.height, reports[1]?.nodeHeight], [node.finalizedSlot, node.finalizedSlot], 'level again once a poll succeeds');
  });

  test('RPC errors and 429 are classified for the request policy; the running watcher is paced and recovers', async () => {
    const ctx = new MemoryWatcherContext();
    const watcher = watcherFor(ctx);
    watch(ctx);
    node.failNext(1, { status: 429, retryAfter: '0' });
    await assert.rejects(watcher.step(), (e: unknown) => e instanceof RemoteRequestError && e.kind === RemoteFailureKind.rateLimited && e.retryAfterMs === 0);
    node.failNext(1, { rpcError: { code: -32603, message: 'Internal error' } });
    await assert.rejects(watcher.step(), (e: unknown) => e instanceof RemoteRequestError && e.kind === RemoteFailureKind.unavailable);

    // One reference's failing request does not hold back another's payment in the same poll.
    const first = watch(ctx);
    const second = watch(ctx);
    await payUsdc(fx, payer, 1_000_000n, { reference: first });
    const other = await payUsdc(fx, payer, 2_000_000n, { reference: second });
    node.failNext(1, { rpcError: { code: -32603, message: 'Internal error' }, method: 'getTransaction' });
    await assert.rejects(watcher.step(), (e: unknown) => e instanceof RemoteRequestError && e.kind === RemoteFailureKind.unavailable);
    assert.equal(ctx.emitted.length, 1, 'the other reference\'s payment was reported in the failed poll');
    await watcher.step();
    assert.deepEqual(new Set(ctx.emitted.map((o) => o.targetKey)), new Set([first, second]), 'the failed reference is read again on the next poll');
    assert.ok(ctx.emitted.some((o) => o.txid === other.signature));

    const config = solanaConfigFromEnv({
      COFFER_SOLANA_RPC_URL: node.url, COFFER_SOLANA_OWNER: fx.owner, COFFER_SOLANA_USDC_MINT: fx.mint,
      COFFER_SOLANA_POLL_INTERVAL_MS: '10',
    }, 'regtest');
    const adapter = await createSolanaMethod(config!, { clock: systemClock, log: silentLogger });
    const running = new MemoryWatcherContext();
    const reference = watch(running);
    const w = adapter.createWatcher!(running);
    const served = node.served.rateLimited;
    node.failNext(3, { status: 429, retryAfter: '0', method: 'getSignaturesForAddress' });
    node.failNext(1, { rpcError: { code: -32005, message: 'Node is behind' }, method: 'getTransaction' });
    await payUsdc(fx, payer, 7_000_000n, { reference });
    await w.start();
    try {
      await running.waitFor((c) => c.emitted.some((o) => o.targetKey === reference && o.state === 'confirmed'));
      assert.equal(node.served.rateLimited, served + 3);
      assert.equal(running.health.at(-1)?.ok, true);
    } finally {
      await w.stop();
    }
  });
});

describe('usdc_solana start-up checks', () => {
  const env = (extra: Record<string, string>): Record<string, string> => ({
    COFFER_SOLANA_RPC_URL: node.url, COFFER_SOLANA_OWNER: fx.owner, COFFER_SOLANA_USDC_MINT: fx.mint, ...extra,
  });

  async function refused(vars: Record<string, string>, setting: string, mode: 'regtest' | 'testnet' = 'regtest'): Promise<void> {
    await assert.rejects(async () => createSolanaMethod(solanaConfigFromEnv(vars, mode)!, { clock: systemClock, log: silentLogger }),
      (e: unknown) => e instanceof ConfigError && e.setting === setting);
  }

  test('a good configuration resolves the owner ATA (from the owner, or from the token account alone)', async () => {
    const a = await createSolanaMethod(solanaConfigFromEnv(env({}), 'regtest')!, { clock: systemClock, log: silentLogger });
    assert.deepEqual(a.accounts, { owner: fx.owner, tokenAccount: fx.ownerAta, mint: fx.mint });
    const vars = env({ COFFER_SOLANA_TOKEN_ACCOUNT: fx.ownerAta });
    delete vars['COFFER_SOLANA_OWNER'];
    const b = await createSolanaMethod(solanaConfigFromEnv(vars, 'regtest')!, { clock: systemClock, log: silentLogger });
    assert.deepEqual(b.accounts, a.accounts);
    const target = await a.createTarget({ invoiceId: 'x', method: { id: METHOD } as never, priceUnits: 12_340_000n, expiresAt: new Date(), description: 'Coffer deposit x' },
      { next: async () => 0 });
    assert.equal(target.address, fx.owner);
    assert.equal(target.uri, `solana:${fx.owner}?amount=12.34&spl-token=${fx.mint}&reference=${target.targetKey}&label=Coffer&message=Coffer%20deposit%20x`);
  });

  test('a mint that is not a token, a missing mint, the wrong network, a foreign or non-ATA token account, an owner without one', async () => {
    await refused(env({ COFFER_SOLANA_USDC_MINT: fx.ownerAta }), 'COFFER_SOLANA_USDC_MINT');
    await refused(env({ COFFER_SOLANA_USDC_MINT: (await generateKeyPairSigner()).address }), 'COFFER_SOLANA_USDC_MINT');
    await refused(env({ COFFER_SOLANA_CLUSTER: 'devnet' }), 'COFFER_SOLANA_CLUSTER', 'testnet');
    await refused(env({ COFFER_SOLANA_TOKEN_ACCOUNT: fx.ownerOtherAta }), 'COFFER_SOLANA_TOKEN_ACCOUNT');
    const other = await fx.payer(0n);
    await refused(env({ COFFER_SOLANA_TOKEN_ACCOUNT: other.ata }), 'COFFER_SOLANA_TOKEN_ACCOUNT');
    // A token account of the owner and mint that is not its ATA: wallets would never pay it.
    const auxiliary = (await generateKeyPairSigner()).address as Address;
    node.createTokenAccount(auxiliary, fx.mint, fx.owner, 0n);
    await refused(env({ COFFER_SOLANA_TOKEN_ACCOUNT: auxiliary }), 'COFFER_SOLANA_TOKEN_ACCOUNT');
    await refused(env({ COFFER_SOLANA_OWNER: (await generateKeyPairSigner()).address }), 'COFFER_SOLANA_OWNER');
    await refused(env({ COFFER_SOLANA_RPC_URL: 'http://127.0.0.1:9' }), 'COFFER_SOLANA_RPC_URL');
  });
});
