// "Falls behind" views for the fault proxy: rewrites of a node's JSON-RPC answers that make it
// look stuck at an older tip while the real chain goes on, as a lagging replica behind a load
// balancer does (same chain, fewer blocks), or miss mempool transactions another replica already
// has. Removing the rule is the node catching up.
// Bitcoin: heights above the tip answer Core's errors (-8 "Block height out of range" for
// getblockhash, -5 "Block not found" for getblock/getblockheader; Bitcoin Core src/rpc/blockchain.cpp).
// EVM: blocks above the tip are `null` and logs and receipts above it do not exist yet, as the
// standard eth_* methods answer for a block the node does not have (execution-apis eth/block.yaml);
// its transactions are still pending in the lagging node's mempool.

import type { Fault, RpcCall, RpcReply } from './fault-proxy.ts';
import { rpcError, rpcResult } from './fault-proxy.ts';

/** The node-side calls a view needs (answered by the real node, not through the proxy). */
export interface BitcoinRpcSource {
  rpc<T>(method: string, params?: unknown[]): Promise<T>;
}

export interface EvmRpcSource {
  request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
}

/** A bitcoin node stuck at `tipHeight`. */
export function bitcoinBehind(node: BitcoinRpcSource, tipHeight: number): Fault {
  const heightOf = async (hash: unknown): Promise<number | null> => {
    try {
      return (await node.rpc<{ height: number }>('getblockheader', [hash, true])).height;
    } catch {
      return null;
    }
  };
  const rewrite = async (call: RpcCall, reply: RpcReply): Promise<RpcReply> => {
    if (reply.error) return reply;
    switch (call.method) {
      case 'getblockcount':
        return rpcResult(reply, tipHeight);
      case 'getbestblockhash':
        return rpcResult(reply, await node.rpc<string>('getblockhash', [tipHeight]));
      case 'getblockchaininfo': {
        const info = reply.result as Record<string, unknown>;
        return rpcResult(reply, { ...info, blocks: tipHeight, headers: tipHeight, bestblockhash: await node.rpc<string>('getblockhash', [tipHeight]) });
      }
      case 'getblockhash':
        return Number(call.params[0]) > tipHeight ? rpcError(reply, -8, 'Block height out of range') : reply;
      case 'getblockheader': {
        const header = reply.result as { height: number; nextblockhash?: string };
        if (header.height > tipHeight) return rpcError(reply, -5, 'Block not found');
        const { nextblockhash, ...rest } = header;
        return rpcResult(reply, { ...rest, confirmations: tipHeight - header.height + 1, ...(header.height < tipHeight && nextblockhash !== undefined ? { nextblockhash } : {}) });
      }
      case 'getblock': {
        const height = await heightOf(call.params[0]);
        return height !== null && height > tipHeight ? rpcError(reply, -5, 'Block not found') : reply;
      }
      case 'getrawmempool':
        // A node that has not seen the newer blocks still holds their transactions in its mempool.
        return rpcResult(reply, withUnminedBlocks(reply.result, await txidsAbove(node, tipHeight)));
      default:
        return reply;
    }
  };
  return { kind: 'rpc', rewrite };
}

/** The non-coinbase txids of the blocks above `tipHeight` on the real node. */
async function txidsAbove(node: BitcoinRpcSource, tipHeight: number): Promise<string[]> {
  const top = await node.rpc<number>('getblockcount', []);
  const txids: string[] = [];
  for (let height = tipHeight + 1; height <= top; height++) {
    const hash = await node.rpc<string>('getblockhash', [height]);
    const block = await node.rpc<{ tx: Array<string | { txid: string }> }>('getblock', [hash, true]);
    for (const tx of block.tx.slice(1)) txids.push(typeof tx === 'string' ? tx : tx.txid);
  }
  return txids;
}

/** getrawmempool's answer (a txid list, or Core's {txids, mempool_sequence}) with `extra` added. */
function withUnminedBlocks(result: unknown, extra: readonly string[]): unknown {
  if (Array.isArray(result)) return [...new Set([...(result as string[]), ...extra])];
  const shaped = result as { txids?: string[] } | null;
  if (shaped !== null && Array.isArray(shaped.txids)) return { ...shaped, txids: [...new Set([...shaped.txids, ...extra])] };
  return result;
}

/**
 * A bitcoin replica whose mempool has not received `hidden` transactions yet (another replica of
 * the same pool has): getrawmempool leaves them out, and getrawtransaction / getmempoolentry
 * answer Core's not-found errors for them (-5, "No such mempool or blockchain transaction" and
 * "Transaction not in mempool"; Bitcoin Core src/rpc/rawtransaction.cpp and src/rpc/mempool.cpp).
 * Deleting a txid from `hidden` is the transaction reaching that replica.
 */
export function bitcoinMempoolWithout(hidden: ReadonlySet<string>): Fault {
  const rewrite = (call: RpcCall, reply: RpcReply): RpcReply => {
    if (reply.error) return reply;
    switch (call.method) {
      case 'getrawmempool':
        return rpcResult(reply, withoutTxids(reply.result, hidden));
      case 'getrawtransaction':
        return hidden.has(String(call.params[0])) ? rpcError(reply, -5, 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.') : reply;
      case 'getmempoolentry':
        return hidden.has(String(call.params[0])) ? rpcError(reply, -5, 'Transaction not in mempool') : reply;
      default:
        return reply;
    }
  };
  return { kind: 'rpc', rewrite };
}

/** getrawmempool's answer (a txid list, or Core's {txids, mempool_sequence}) without `hidden`. */
function withoutTxids(result: unknown, hidden: ReadonlySet<string>): unknown {
  if (Array.isArray(result)) return (result as string[]).filter((t) => !hidden.has(t));
  const shaped = result as { txids?: string[] } | null;
  if (shaped !== null && Array.isArray(shaped.txids)) return { ...shaped, txids: shaped.txids.filter((t) => !hidden.has(t)) };
  return result;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const num = (value: unknown): number => Number(BigInt(value as string));

/** An EVM node stuck at block `tipNumber`. */
export function evmBehind(node: EvmRpcSource, tipNumber: number): Fault {
  const rewrite = async (call: RpcCall, reply: RpcReply): Promise<RpcReply> => {
    if (reply.error || reply.result === null || reply.result === undefined) return reply;
    switch (call.method) {
      case 'eth_blockNumber':
        return rpcResult(reply, hex(tipNumber));
      case 'eth_getBlockByNumber': {
        const tag = call.params[0];
        if (typeof tag === 'string' && !tag.startsWith('0x') && tag !== 'earliest') {
          return rpcResult(reply, await node.request('eth_getBlockByNumber', [hex(tipNumber), call.params[1] ?? false]));
        }
        return num((reply.result as { number: string }).number) > tipNumber ? rpcResult(reply, null) : reply;
      }
      case 'eth_getBlockByHash':
      case 'eth_getTransactionReceipt':
        return num((reply.result as { number?: string; blockNumber?: string }).number ?? (reply.result as { blockNumber: string }).blockNumber) > tipNumber
          ? rpcResult(reply, null) : reply;
      case 'eth_getTransactionByHash': {
        const tx = reply.result as { blockNumber: string | null };
        if (tx.blockNumber === null || num(tx.blockNumber) <= tipNumber) return reply;
        return rpcResult(reply, { ...tx, blockHash: null, blockNumber: null, transactionIndex: null });
      }
      case 'eth_getLogs':
        return rpcResult(reply, (reply.result as { blockNumber: string }[]).filter((log) => num(log.blockNumber) <= tipNumber));
      default:
        return reply;
    }
  };
  return { kind: 'rpc', rewrite };
}
