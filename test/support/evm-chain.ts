// Test-side chain actions against an EvmNode: deploy the test token and the Transfer spoofer,
// pay ETH or tokens, and sign raw transactions (so the same transaction can be re-sent after a
// reorg and keep its hash).

import { readFileSync } from 'node:fs';
import { encodeDeployData, encodeFunctionData, parseAbi } from 'viem';
import type { Abi, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { EvmNode } from './evm-node.ts';
import { TestKeys } from './evm-node.ts';

interface Artifact { readonly abi: Abi; readonly bytecode: Hex }
const artifacts = JSON.parse(readFileSync(new URL('../fixtures/evm-test-token.json', import.meta.url), 'utf8')) as {
  TestToken: Artifact; TransferSpoofer: Artifact;
};
const forwarderArtifacts = JSON.parse(readFileSync(new URL('../fixtures/evm-forwarder.json', import.meta.url), 'utf8')) as {
  Forwarder: Artifact;
};

const tokenAbi = parseAbi([
  'function mint(address to, uint256 value)',
  'function transfer(address to, uint256 value) returns (bool)',
  'function transferTwo(address a, uint256 va, address b, uint256 vb)',
  'function spoof(address from, address to, uint256 value)',
]);

export interface Receipt { readonly status: Hex; readonly blockHash: Hex; readonly blockNumber: Hex; readonly contractAddress: Hex | null; readonly transactionHash: Hex }

/** The receipt of a sent transaction; anvil mines it just after answering, so wait (at most ~10 s). */
export async function receiptOf(node: EvmNode, hash: Hex): Promise<Receipt> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const receipt = await node.request<Receipt | null>('eth_getTransactionReceipt', [hash]);
    if (receipt !== null) return receipt;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no receipt for ${hash}`);
}

export async function send(node: EvmNode, tx: { from?: Hex; to?: Hex; value?: bigint; data?: Hex; gas?: bigint }): Promise<Hex> {
  return node.request<Hex>('eth_sendTransaction', [{
    from: tx.from ?? node.accounts[0],
    ...(tx.to !== undefined ? { to: tx.to } : {}),
    ...(tx.value !== undefined ? { value: `0x${tx.value.toString(16)}` } : {}),
    ...(tx.data !== undefined ? { data: tx.data } : {}),
    ...(tx.gas !== undefined ? { gas: `0x${tx.gas.toString(16)}` } : {}),
  }]);
}

async function deploy(node: EvmNode, artifact: Artifact, args: readonly unknown[]): Promise<Hex> {
  const data = encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args });
  const receipt = await receiptOf(node, await send(node, { data, gas: 3_000_000n }));
  if (receipt.contractAddress === null || receipt.status !== '0x1') throw new Error('deploy failed');
  return receipt.contractAddress;
}

/** Deploys a TestToken and mints `supply` to every test account. */
export async function deployToken(node: EvmNode, symbol: string, decimals: number, supply = 10n ** 15n): Promise<Hex> {
  const token = await deploy(node, artifacts.TestToken, [`${symbol} test`, symbol, decimals]);
  for (const account of node.accounts) {
    await send(node, { to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'mint', args: [account, supply] }) });
  }
  return token;
}

export function deploySpoofer(node: EvmNode): Promise<Hex> {
  return deploy(node, artifacts.TransferSpoofer, []);
}

export function deployForwarder(node: EvmNode): Promise<Hex> {
  return deploy(node, forwarderArtifacts.Forwarder, []);
}

export type ForwardHow = 'forward' | 'forwardReverted' | 'forwardThenFail';

/** Sends `valueWei` to the forwarder, which pays `to` in an inner call (undone for the last two). */
export function forwardEth(node: EvmNode, forwarder: Hex, how: ForwardHow, to: string, valueWei: bigint): Promise<Hex> {
  const data = encodeFunctionData({ abi: forwarderArtifacts.Forwarder.abi, functionName: how, args: [to as Hex] });
  return send(node, { to: forwarder, data, value: valueWei, gas: 500_000n });
}

export function payEth(node: EvmNode, to: string, valueWei: bigint, from?: Hex): Promise<Hex> {
  return send(node, { to: to as Hex, value: valueWei, ...(from !== undefined ? { from } : {}) });
}

export function transferCall(to: string, value: bigint): Hex {
  return encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [to as Hex, value] });
}

export function payToken(node: EvmNode, token: Hex, to: string, value: bigint, from?: Hex): Promise<Hex> {
  return send(node, { to: token, data: transferCall(to, value), gas: 200_000n, ...(from !== undefined ? { from } : {}) });
}

export function payTokenTwice(node: EvmNode, token: Hex, a: string, va: bigint, b: string, vb: bigint): Promise<Hex> {
  const data = encodeFunctionData({ abi: tokenAbi, functionName: 'transferTwo', args: [a as Hex, va, b as Hex, vb] });
  return send(node, { to: token, data, gas: 300_000n });
}

export function spoofTransfer(node: EvmNode, spoofer: Hex, from: Hex, to: string, value: bigint): Promise<Hex> {
  return send(node, { to: spoofer, data: encodeFunctionData({ abi: tokenAbi, functionName: 'spoof', args: [from, to as Hex, value] }), gas: 100_000n });
}

/** A signed raw transaction from test key `keyIndex`, so it can be sent again after a reorg. */
export async function signedTx(node: EvmNode, keyIndex: number, tx: { to: Hex; value?: bigint; data?: Hex; gas?: bigint }): Promise<Hex> {
  const account = privateKeyToAccount(TestKeys[keyIndex] as Hex);
  const nonce = Number(await node.request<Hex>('eth_getTransactionCount', [account.address, 'latest']));
  return account.signTransaction({
    chainId: node.chainId, nonce, to: tx.to, value: tx.value ?? 0n, data: tx.data ?? '0x', gas: tx.gas ?? 200_000n,
    maxFeePerGas: 100_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, type: 'eip1559',
  });
}

export function sendRaw(node: EvmNode, raw: Hex): Promise<Hex> {
  return node.request<Hex>('eth_sendRawTransaction', [raw]);
}
