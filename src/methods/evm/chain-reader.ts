// Typed, validated reads of an EVM chain over JSON-RPC. Every field the watcher relies on is
// checked here, so a node answering nonsense fails loudly instead of crediting something.

import type { JsonRpcClient } from './json-rpc.ts';
import { JsonRpcError } from './json-rpc.ts';

export interface BlockHeader {
  readonly number: number;
  readonly hash: string;
  readonly parentHash: string;
  readonly timestampSec: number;
}

export interface BlockTx {
  readonly hash: string;
  /** Lowercase sender. */
  readonly from: string;
  /** Lowercase recipient, null for contract creation. */
  readonly to: string | null;
  readonly valueWei: bigint;
}

export interface Block extends BlockHeader {
  /** Present only when fetched with full transactions. */
  readonly transactions: readonly BlockTx[];
}

export interface LogEntry {
  /** Lowercase emitting contract. */
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly transactionHash: string;
  readonly logIndex: number;
  readonly removed: boolean;
}

export interface Receipt {
  readonly transactionHash: string;
  readonly blockHash: string;
  readonly blockNumber: number;
  /** 1 success, 0 failure (post-Byzantium receipts always carry status). */
  readonly status: number;
  readonly logs: readonly LogEntry[];
}

const HASH_RE = /^0x[0-9a-f]{64}$/;
const ADDRESS_RE = /^0x[0-9a-f]{40}$/;

function fail(method: string, what: string): never {
  throw new JsonRpcError(method, `malformed answer: ${what}`);
}

function record(method: string, value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(method, what);
  return value as Record<string, unknown>;
}

export function quantity(method: string, value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(value)) fail(method, `${what} is not a hex quantity`);
  return BigInt(value);
}

function smallQuantity(method: string, value: unknown, what: string): number {
  const n = quantity(method, value, what);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) fail(method, `${what} too large`);
  return Number(n);
}

function hash(method: string, value: unknown, what: string): string {
  const text = typeof value === 'string' ? value.toLowerCase() : '';
  if (!HASH_RE.test(text)) fail(method, `${what} is not a 32-byte hash`);
  return text;
}

function address(method: string, value: unknown, what: string): string {
  const text = typeof value === 'string' ? value.toLowerCase() : '';
  if (!ADDRESS_RE.test(text)) fail(method, `${what} is not an address`);
  return text;
}

function hexData(method: string, value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value)) fail(method, `${what} is not hex data`);
  return value.toLowerCase();
}

export function toHexQuantity(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

function parseBlock(method: string, raw: unknown, full: boolean): Block {
  const b = record(method, raw, 'block');
  const header = {
    number: smallQuantity(method, b.number, 'block.number'),
    hash: hash(method, b.hash, 'block.hash'),
    parentHash: hash(method, b.parentHash, 'block.parentHash'),
    timestampSec: smallQuantity(method, b.timestamp, 'block.timestamp'),
  };
  if (!full) return { ...header, transactions: [] };
  if (!Array.isArray(b.transactions)) fail(method, 'block.transactions');
  const transactions = b.transactions.map((t): BlockTx => {
    const tx = record(method, t, 'transaction (block fetched without full transactions?)');
    return {
      hash: hash(method, tx.hash, 'tx.hash'),
      from: address(method, tx.from, 'tx.from'),
      to: tx.to === null || tx.to === undefined ? null : address(method, tx.to, 'tx.to'),
      valueWei: quantity(method, tx.value, 'tx.value'),
    };
  });
  return { ...header, transactions };
}

export function parseLog(method: string, raw: unknown): LogEntry {
  const l = record(method, raw, 'log');
  if (!Array.isArray(l.topics)) fail(method, 'log.topics');
  return {
    address: address(method, l.address, 'log.address'),
    topics: l.topics.map((t) => hash(method, t, 'log.topic')),
    data: hexData(method, l.data, 'log.data'),
    blockNumber: smallQuantity(method, l.blockNumber, 'log.blockNumber'),
    blockHash: hash(method, l.blockHash, 'log.blockHash'),
    transactionHash: hash(method, l.transactionHash, 'log.transactionHash'),
    logIndex: smallQuantity(method, l.logIndex, 'log.logIndex'),
    removed: l.removed === true,
  };
}

export class ChainReader {
  readonly rpc: JsonRpcClient;
  constructor(rpc: JsonRpcClient) {
    this.rpc = rpc;
  }

  async chainId(): Promise<number> {
    return smallQuantity('eth_chainId', await this.rpc.call('eth_chainId'), 'chain id');
  }

  async blockNumber(): Promise<number> {
    return smallQuantity('eth_blockNumber', await this.rpc.call('eth_blockNumber'), 'block number');
  }

  /** Blocks [from, to] in one batch; full = with transaction objects. Missing blocks throw. */
  async blocks(from: number, to: number, full: boolean): Promise<Block[]> {
    const calls = [];
    for (let n = from; n <= to; n++) calls.push({ method: 'eth_getBlockByNumber', params: [toHexQuantity(n), full] });
    const raws = await this.rpc.batch(calls);
    return raws.map((raw, i) => {
      if (raw === null) throw new JsonRpcError('eth_getBlockByNumber', `block ${from + i} not found`);
      const block = parseBlock('eth_getBlockByNumber', raw, full);
      if (block.number !== from + i) fail('eth_getBlockByNumber', `asked for ${from + i}, got ${block.number}`);
      return block;
    });
  }

  /** A header by number or tag; null when the node has no such block (or does not know the tag). */
  async header(at: number | 'latest' | 'safe' | 'finalized'): Promise<BlockHeader | null> {
    const m = 'eth_getBlockByNumber';
    const raw = await this.rpc.call(m, [typeof at === 'number' ? toHexQuantity(at) : at, false]);
    if (raw === null) return null;
    const block = parseBlock(m, raw, false);
    if (typeof at === 'number' && block.number !== at) fail(m, `asked for ${at}, got ${block.number}`);
    return { number: block.number, hash: block.hash, parentHash: block.parentHash, timestampSec: block.timestampSec };
  }

  /** Balances (wei) of `addresses` at block `at`, in one batch. */
  async balances(addresses: readonly string[], at: number): Promise<bigint[]> {
    const m = 'eth_getBalance';
    const raws = await this.rpc.batch(addresses.map((a) => ({ method: m, params: [a, toHexQuantity(at)] })));
    return raws.map((raw) => quantity(m, raw, 'balance'));
  }

  /** Call trees of every transaction in block `n` (geth's callTracer), in transaction order. */
  async traceBlock(n: number): Promise<{ readonly txHash: string | null; readonly frame: unknown }[]> {
    const m = 'debug_traceBlockByNumber';
    const raw = await this.rpc.call(m, [toHexQuantity(n), { tracer: 'callTracer' }]);
    if (!Array.isArray(raw)) fail(m, 'not an array');
    return raw.map((entry) => {
      const e = record(m, entry, 'trace entry');
      if ('error' in e && e.result === undefined) fail(m, `trace failed: ${String(e.error)}`);
      return { txHash: e.txHash === undefined ? null : hash(m, e.txHash, 'trace txHash'), frame: e.result };
    });
  }

  /** The call tree of one transaction (callTracer). */
  async traceTransaction(txHash: string): Promise<unknown> {
    return this.rpc.call('debug_traceTransaction', [txHash, { tracer: 'callTracer' }]);
  }

  async logs(filter: { fromBlock: number; toBlock: number; address: readonly string[]; topics: readonly (string | readonly string[] | null)[] }): Promise<LogEntry[]> {
    const raw = await this.rpc.call('eth_getLogs', [{
      fromBlock: toHexQuantity(filter.fromBlock), toBlock: toHexQuantity(filter.toBlock),
      address: filter.address, topics: filter.topics,
    }]);
    if (!Array.isArray(raw)) fail('eth_getLogs', 'not an array');
    return raw.map((l) => parseLog('eth_getLogs', l));
  }

  /** Receipts by tx hash, in one batch; null where the node has none (not mined, or reorged out). */
  async receipts(txHashes: readonly string[]): Promise<(Receipt | null)[]> {
    const raws = await this.rpc.batch(txHashes.map((h) => ({ method: 'eth_getTransactionReceipt', params: [h] })));
    return raws.map((raw) => {
      if (raw === null) return null;
      const m = 'eth_getTransactionReceipt';
      const r = record(m, raw, 'receipt');
      if (!Array.isArray(r.logs)) fail(m, 'receipt.logs');
      return {
        transactionHash: hash(m, r.transactionHash, 'receipt.transactionHash'),
        blockHash: hash(m, r.blockHash, 'receipt.blockHash'),
        blockNumber: smallQuantity(m, r.blockNumber, 'receipt.blockNumber'),
        status: smallQuantity(m, r.status, 'receipt.status'),
        logs: r.logs.map((l) => parseLog(m, l)),
      };
    });
  }

  /** 'mined' | 'pending' | 'absent' for a transaction hash (mempool check after a reorg). */
  async transactionState(txHash: string): Promise<'mined' | 'pending' | 'absent'> {
    const raw = await this.rpc.call('eth_getTransactionByHash', [txHash]);
    if (raw === null) return 'absent';
    const tx = record('eth_getTransactionByHash', raw, 'transaction');
    return tx.blockHash === null || tx.blockHash === undefined ? 'pending' : 'mined';
  }

  /** A transaction by hash: recipient, value and its block (null hash while pending). */
  async transaction(txHash: string): Promise<{ to: string | null; valueWei: bigint; blockHash: string | null } | null> {
    const m = 'eth_getTransactionByHash';
    const raw = await this.rpc.call(m, [txHash]);
    if (raw === null) return null;
    const tx = record(m, raw, 'transaction');
    return {
      to: tx.to === null || tx.to === undefined ? null : address(m, tx.to, 'tx.to'),
      valueWei: quantity(m, tx.value, 'tx.value'),
      blockHash: tx.blockHash === null || tx.blockHash === undefined ? null : hash(m, tx.blockHash, 'tx.blockHash'),
    };
  }

  async code(contract: string): Promise<string> {
    return hexData('eth_getCode', await this.rpc.call('eth_getCode', [contract, 'latest']), 'code');
  }

  async ethCall(to: string, data: string): Promise<string> {
    return hexData('eth_call', await this.rpc.call('eth_call', [{ to, data }, 'latest']), 'result');
  }
}
