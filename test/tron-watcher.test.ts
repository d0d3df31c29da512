// The usdt_trc20 watcher behind a java-tron-shaped front (EDR at Tron mainnet's chain id): ranges
// over the node's limit refused with java-tron's own error and 429s with Retry-After are answered
// adaptively, every payment is reported once under `tron-local:<tx>:<log>`; a log the node invents
// from another contract, addressed to a deposit address, is never a payment.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HDKey } from '@scure/bip32';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { Hex } from 'viem';
import { silentLogger } from '../src/core/logger.ts';
import type { Logger } from '../src/core/logger.ts';
import { systemClock } from '../src/core/clock.ts';
import type { PaymentTarget, Watcher } from '../src/core/payment-method.ts';
import { KnownMethodSpecs as DefaultMethodSpecs } from '../src/methods/registry.ts';
import { addressTopic, TRANSFER_TOPIC } from '../src/methods/evm/erc20.ts';
import { TRON_ACCOUNT_PATH, tronFromHex } from '../src/methods/tron/address.ts';
import { TRON_METHOD_ID, TronChainIds, tronConfigFromEnv } from '../src/methods/tron/config.ts';
import { createTronMethod, tronMethodSpec } from '../src/methods/tron/tron-method.ts';
import { MemoryWatcherContext } from './support/memory-watcher-context.ts';
import { startEvmNode } from './support/evm-node.ts';
import type { EvmNode } from './support/evm-node.ts';
import { deployToken, payToken } from './support/evm-chain.ts';
import { CountingIndexes } from './support/evm-fixture.ts';
import { startProviderFront } from './support/evm-provider-front.ts';

const XPUB = HDKey.fromMasterSeed(sha256(utf8ToBytes('tron watcher test'))).derive(TRON_ACCOUNT_PATH).publicExtendedKey;

let node: EvmNode;
let usdt: Hex;
let lookalike: Hex;

before(async () => {
  node = await startEvmNode({ chainId: TronChainIds.mainnet });
  usdt = await deployToken(node, 'USDT', 6);
  lookalike = await deployToken(node, 'USDT', 6);
});
after(async () => { await node.close(); });

function capture(into: string[]): Logger {
  const fn = (fields: object | string, message?: string): void => { into.push(`${message ?? ''} ${JSON.stringify(fields)}`); };
  const logger: Logger = { debug: () => {}, info: fn, warn: fn, error: fn, child: () => logger };
  return logger;
}

test('java-tron range refusals and 429s answered adaptively; an invented log from another contract is never a payment', async () => {
  const front = await startProviderFront({ upstream: node.url, shape: 'java-tron', logsRangeMax: 10, rateLimitEvery: 9, retryAfter: '0' });
  const start = (await node.blockNumber()) + 1;
  const config = tronConfigFromEnv({
    COFFER_TRON_XPUB: XPUB, COFFER_TRON_RPC_URL: front.url, COFFER_TRON_USDT_CONTRACT: tronFromHex(usdt),
    COFFER_TRON_CONFIRMATIONS: '1', COFFER_TRON_POLL_INTERVAL_MS: '20', COFFER_TRON_START_BLOCK: String(start),
  }, 'regtest');
  assert.ok(config !== null);
  const adapter = await createTronMethod(config, { clock: systemClock, log: silentLogger });
  const spec = tronMethodSpec(DefaultMethodSpecs.find((s) => s.id === TRON_METHOD_ID)!, config);
  const indexes = new CountingIndexes();
  const ctx = new MemoryWatcherContext();
  const warnings: string[] = [];
  (ctx as { log: Logger }).log = capture(warnings);
  const targets: PaymentTarget[] = [];
  for (let i = 0; i < 6; i++) {
    const target = await adapter.createTarget({ invoiceId: `inv-${i}`, method: spec, priceUnits: null, expiresAt: new Date(Date.now() + 3_600_000), description: 'd' }, indexes);
    ctx.addTarget({ methodId: TRON_METHOD_ID, targetKey: target.targetKey, invoiceId: `inv-${i}`, watchUntil: new Date(Date.now() + 86_400_000) });
    targets.push(target);
  }
  // 48 blocks: a payment every 8th block, empty blocks between; the follower starts behind them all.
  const payments = new Map<string, bigint>();
  for (let i = 0; i < 48; i++) {
    if (i % 8 === 0) {
      const target = targets[i / 8] as PaymentTarget;
      const amount = 1_000_000n + BigInt(i);
      payments.set(`tron-local:${await payToken(node, usdt, target.targetKey, amount)}:0`, amount);
    } else {
      await node.mine(1);
    }
  }
  // The node also "reports" a Transfer of the look-alike contract to a deposit address.
  front.tamper('eth_getLogs', (call, result) => {
    const filter = (call.params?.[0] ?? {}) as { fromBlock: string };
    const victim = (targets[0] as PaymentTarget).targetKey;
    return [...(result as unknown[]), {
      address: lookalike, topics: [TRANSFER_TOPIC, addressTopic(lookalike), addressTopic(victim)], data: `0x${'00'.repeat(31)}ff`,
      blockNumber: filter.fromBlock, blockHash: `0x${'ab'.repeat(32)}`, transactionHash: `0x${'cd'.repeat(32)}`, logIndex: '0x0', removed: false,
    }];
  }, 1);
  const watcher = adapter.createWatcher?.(ctx) as Watcher;
  await watcher.start();
  try {
    await ctx.waitFor((c) => [...payments.keys()].every((k) => c.latest.get(k)?.state === 'confirmed'), 60_000);
    for (const [key, amount] of payments) assert.equal(ctx.latest.get(key)?.amountUnits, amount, key);
    assert.equal(new Set(ctx.emitted.map((o) => o.paymentKey)).size, payments.size, 'only the real payments');
    const first = ctx.emitted.filter((o) => o.confirmations === 1).map((o) => o.paymentKey);
    assert.equal(new Set(first).size, first.length, 'a payment was first reported twice');
    assert.ok(front.refused.logsRange > 0, 'no range was refused');
    assert.ok(front.refused.rateLimited > 0, 'no request was rate limited');
    assert.ok(warnings.some((w) => w.includes('contract not asked for') && w.includes(lookalike.toLowerCase())), warnings.join('\n'));
  } finally {
    await watcher.stop();
    await front.close();
  }
});
