// A real in-process EVM node for tests and benchmarks: an EDR provider (the engine inside
// Hardhat) served over HTTP JSON-RPC on 127.0.0.1, so the adapter talks to it exactly as it
// would to geth or a provider. Funded test accounts are owned by the node (eth_sendTransaction)
// and also available as private keys for signing raw transactions (re-sent after a reorg).

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  EdrContext, GENERIC_CHAIN_TYPE, l1HardforkToString, genericChainProviderFactory, l1GenesisState, l1HardforkLatest, MineOrdering,
  ContractDecoder,
} from '@nomicfoundation/edr';
import type { Provider } from '@nomicfoundation/edr';
import { privateKeyToAccount } from 'viem/accounts';
import { hexToBytes } from '@noble/hashes/utils.js';

let context: EdrContext | null = null;
let registered: Promise<void> | null = null;

/** EDR allows one context per process; providers (one per chain) share it. */
async function edrContext(): Promise<EdrContext> {
  if (context === null) {
    context = new EdrContext();
    registered = context.registerProviderFactory(GENERIC_CHAIN_TYPE, genericChainProviderFactory());
  }
  await registered;
  return context;
}

/** Fixed test keys (never used anywhere real). */
export const TestKeys = [
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
] as const;

export interface EvmNode {
  readonly url: string;
  readonly chainId: number;
  readonly accounts: readonly `0x${string}`[];
  request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  mine(blocks?: number): Promise<void>;
  /** While offline the HTTP endpoint answers 503 (a node outage); the chain itself keeps going. */
  setOnline(online: boolean): void;
  blockNumber(): Promise<number>;
  close(): Promise<void>;
}

export async function startEvmNode(options: { chainId: number }): Promise<EvmNode> {
  const ctx = await edrContext();
  const hardfork = l1HardforkLatest();
  const accounts = TestKeys.map((k) => privateKeyToAccount(k).address);
  const genesisState = [
    ...l1GenesisState(hardfork),
    ...accounts.map((a) => ({ address: hexToBytes(a.slice(2)), balance: 10n ** 24n })),
  ];
  const noop = (): void => {};
  const provider: Provider = await ctx.createProvider(GENERIC_CHAIN_TYPE, {
    allowBlocksWithSameTimestamp: true,
    allowUnlimitedContractSize: false,
    bailOnCallFailure: false,
    bailOnTransactionFailure: false,
    chainId: BigInt(options.chainId),
    coinbase: hexToBytes('c014ba5ec014ba5ec014ba5ec014ba5ec014ba5e'),
    defaultTransactionGasLimit: 3_000_000n,
    genesisState,
    hardfork: l1HardforkToString(hardfork),
    initialBaseFeePerGas: 1_000_000_000n,
    minGasPrice: 0n,
    mining: { autoMine: true, memPool: { order: MineOrdering.Priority } },
    network: { genesisBlockGasLimit: 30_000_000n },
    networkId: BigInt(options.chainId),
    observability: {},
    ownedAccounts: [...TestKeys],
    precompileOverrides: [],
  }, { enable: false, decodeConsoleLogInputsCallback: () => [], printLineCallback: noop },
  { subscriptionCallback: noop }, new ContractDecoder());

  let id = 0;
  const request = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const response = await provider.handleRequest(JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }));
    const data = typeof response.data === 'string' ? JSON.parse(response.data) : response.data;
    if (data.error !== undefined) throw new Error(`${method}: ${data.error.message}`);
    return data.result as T;
  };

  let online = true;
  const server: Server = createServer((req, res) => {
    if (!online) {
      res.statusCode = 503;
      res.end('offline');
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        // EDR answers one call at a time; batches are split here and answered in order.
        const one = async (call: unknown): Promise<unknown> => {
          const r = await provider.handleRequest(JSON.stringify(call));
          const data = (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as object;
          // EDR's answer carries no id; a JSON-RPC server echoes the call's id.
          return { jsonrpc: '2.0', id: (call as { id?: unknown }).id ?? null, ...data };
        };
        const answer = Array.isArray(body) ? await Promise.all(body.map(one)) : await one(body);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer));
      })().catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    chainId: options.chainId,
    accounts,
    request,
    // One evm_mine per block: after an evm_revert, EDR 0.13's hardhat_mine of many blocks
    // produces "reserved" blocks whose parentHash is zero, which no real chain does.
    mine: async (blocks = 1) => { for (let i = 0; i < blocks; i++) await request('evm_mine'); },
    setOnline: (value: boolean) => { online = value; },
    blockNumber: async () => Number(await request<string>('eth_blockNumber')),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
