// Benchmark: what following Tron costs in JSON-RPC requests, the figure a TronGrid quota is spent
// on. The usdt_trc20 follower (the EVM rail's ChainWatcher, configured as tron-method.ts does) runs
// step by step against EDR at Tron mainnet's chain id; blocks are mined between steps, so the
// count does not depend on timing: k blocks per step is a poll interval of k × 3 s on Tron.
// Counted: HTTP requests and JSON-RPC calls per block, idle (no open deposit) and with 50 open
// deposit addresses, at 1, 2 and 4 blocks per step.
//
// Run: node --import tsx bench/tron-poll.ts   (a few seconds; prints a JSON summary)

import { HDKey } from '@scure/bip32';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { ChainReader } from '../src/methods/evm/chain-reader.ts';
import { ChainWatcher } from '../src/methods/evm/chain-watcher.ts';
import { JsonRpcClient } from '../src/methods/evm/json-rpc.ts';
import { deriveTronAddress, TRON_ACCOUNT_PATH, tronFromHex } from '../src/methods/tron/address.ts';
import { TRON_METHOD_ID, TronChainIds, tronConfigFromEnv, tronMethodConfig } from '../src/methods/tron/config.ts';
import { MemoryWatcherContext } from '../test/support/memory-watcher-context.ts';
import { startEvmNode } from '../test/support/evm-node.ts';
import { deployToken } from '../test/support/evm-chain.ts';

const STEPS = 30;
const XPUB = HDKey.fromMasterSeed(sha256(utf8ToBytes('tron poll bench'))).derive(TRON_ACCOUNT_PATH).publicExtendedKey;

const node = await startEvmNode({ chainId: TronChainIds.mainnet });
const usdt = await deployToken(node, 'USDT', 6);

async function measure(blocksPerStep: number, openTargets: number): Promise<{ requestsPerBlock: number; callsPerBlock: number }> {
  const config = tronConfigFromEnv({ COFFER_TRON_XPUB: XPUB, COFFER_TRON_RPC_URL: node.url, COFFER_TRON_USDT_CONTRACT: tronFromHex(usdt) }, 'regtest');
  if (config === null) throw new Error('no config');
  const rpc = new JsonRpcClient(node.url, fetch, { batchSize: config.chain.batchSize });
  const chain = { ...config.chain, chainId: TronChainIds.mainnet };
  const ctx = new MemoryWatcherContext();
  for (let i = 0; i < openTargets; i++) {
    ctx.addTarget({ methodId: TRON_METHOD_ID, targetKey: deriveTronAddress(config.wallet, i).hex, invoiceId: `inv-${i}`, watchUntil: new Date(Date.now() + 86_400_000) });
  }
  const watcher = new ChainWatcher(chain, [tronMethodConfig(config, chain.chainId)], new ChainReader(rpc), ctx, { paymentKeyPrefix: 'tron-local', stateKeyPrefix: 'tron:bench' });
  await watcher.load();
  await watcher.step();
  const before = { requests: rpc.requests, calls: rpc.calls };
  for (let i = 0; i < STEPS; i++) {
    await node.mine(blocksPerStep);
    await watcher.step();
  }
  const blocks = STEPS * blocksPerStep;
  return { requestsPerBlock: (rpc.requests - before.requests) / blocks, callsPerBlock: (rpc.calls - before.calls) / blocks };
}

const results = [];
for (const blocksPerStep of [1, 2, 4]) {
  for (const openTargets of [0, 50]) {
    const r = await measure(blocksPerStep, openTargets);
    results.push({ blocksPerStep, pollIntervalOnTronMs: blocksPerStep * 3_000, openTargets, ...r, requestsPerDay: Math.round((r.requestsPerBlock * 86_400) / 3) });
  }
}
await node.close();
console.log(JSON.stringify({ bench: 'tron-poll', steps: STEPS, results }, null, 1));
