// Just enough of bcoin@1.0.2's surface (it ships no types) for the regtest harness and the
// parser tests that compare against its independent transaction/block decoder.

declare module 'bcoin' {
  interface BcoinNetwork {
    genesisBlock: string;
    addressPrefix: { bech32: string };
  }
  interface BcoinTx {
    txid(): string;
    hash(enc?: 'hex'): Buffer | string;
    toRaw(): Buffer;
    outputs: Array<{ value: number; script: { toRaw(): Buffer } }>;
  }
  interface BcoinBlock {
    rhash(): string;
    txs: BcoinTx[];
  }
  interface BcoinAddress {
    toString(network?: string): string;
  }
  interface BcoinChainEntry {
    height: number;
    hash: Buffer;
  }
  interface BcoinFullNodeOptions {
    network: string;
    memory: boolean;
    indexTX?: boolean;
    indexAddress?: boolean;
    workers?: boolean;
    listen?: boolean;
    httpPort?: number;
    httpHost?: string;
    apiKey?: string;
    logLevel?: string;
    [key: string]: unknown;
  }
  class FullNode {
    constructor(options: BcoinFullNodeOptions);
    ensure(): Promise<void>;
    open(): Promise<void>;
    close(): Promise<void>;
    connect(): Promise<void>;
    http: { http: { address(): { port: number } | string | null } };
    chain: { tip: BcoinChainEntry; height: number; getBlock(hash: Buffer): Promise<BcoinBlock | null> };
    rpc: { call(body: { method: string; params: unknown[]; id?: number }, query?: unknown): Promise<{ result: unknown; error: unknown }> };
  }
  const bcoin: {
    networks: { main: BcoinNetwork; testnet: BcoinNetwork; regtest: BcoinNetwork };
    FullNode: typeof FullNode;
    TX: { fromRaw(raw: Buffer): BcoinTx };
    Block: { fromRaw(raw: Buffer): BcoinBlock };
  };
  export default bcoin;
}
