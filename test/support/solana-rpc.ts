// A Solana JSON-RPC node for the usdc_solana suites: LiteSVM (in-process; executes real signed
// transactions with the real SPL Token program) behind a small HTTP JSON-RPC server that answers
// the methods Coffer calls, in the shapes Solana's RPC documents. No validator runs here, so the
// server keeps the ledger history LiteSVM does not index: one transaction per slot, newest last.
//
// Sources, per method (solana.com/docs/rpc/http/<method>):
// - getSignaturesForAddress [address, {commitment, limit, before, until}]: signature information
//   objects newest first {signature, slot, err, memo, blockTime, confirmationStatus}; limit 1..1000;
//   `processed` is not accepted. An over-limit request is refused with -32602 "Invalid limit; max
//   N" as agave's rpc.rs (get_signatures_for_address) does; `maxSignatureLimit` lowers N the way
//   some providers do.
// - getTransaction [signature, {encoding: "jsonParsed", commitment, maxSupportedTransactionVersion}]:
//   {slot, blockTime, version, meta: {err, fee, preBalances, postBalances, preTokenBalances,
//   postTokenBalances, innerInstructions, logMessages, status, ...}, transaction: {signatures,
//   message: {accountKeys: [{pubkey, signer, writable, source}], recentBlockhash, instructions}}};
//   null when unknown. Token balances follow "Token Balances Structure" ({accountIndex, mint,
//   owner, programId, uiTokenAmount: {amount, decimals, uiAmount, uiAmountString}}); SPL Token
//   transfer/transferChecked are parsed as agave's transaction-status parse_token.rs does
//   ({program: "spl-token", programId, parsed: {type, info}, stackHeight}); other instructions
//   are {programId, accounts, data (base58), stackHeight}.
// - getSlot [{commitment}] → number. getLatestBlockhash → {context, value: {blockhash,
//   lastValidBlockHeight}}. getGenesisHash → base58 hash (a fixed made-up one: this is localnet).
// - getAccountInfo [address, {encoding: "jsonParsed"}] → {context: {slot}, value: null |
//   {data, executable, lamports, owner, rentEpoch, space}}; token mints and accounts are parsed
//   ({program: "spl-token", parsed: {type: "mint" | "account", info}, space}).
// Commitment: every transaction is `confirmed` when sent; `finalize()` (automatic unless
// autoFinalize is off) makes everything so far `finalized`.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LiteSVM, FailedTransactionMetadata } from 'litesvm';
import {
  AccountRole, address, appendTransactionMessageInstructions, createTransactionMessage, generateKeyPairSigner,
  getBase58Decoder, getBase58Encoder, getCompiledTransactionMessageDecoder, getSignatureFromTransaction, lamports, pipe,
  setTransactionMessageFeePayerSigner, signTransactionMessageWithSigners,
} from '@solana/kit';
import type { Address, Instruction, KeyPairSigner, Transaction } from '@solana/kit';
import { findAssociatedTokenPda, getTransferCheckedInstruction, getTransferInstruction, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';

const TOKEN_PROGRAM = TOKEN_PROGRAM_ADDRESS as string;
const MINT_SIZE = 82;
const TOKEN_ACCOUNT_SIZE = 165;
const SIGNATURE_LIMIT_MAX = 1000;
export const TEST_GENESIS_HASH = 'LocaLSvm11111111111111111111111111111111111';
const base58 = getBase58Decoder();
const base58Bytes = getBase58Encoder();

interface TokenBalance {
  accountIndex: number;
  mint: string;
  owner: string;
  programId: string;
  uiTokenAmount: { amount: string; decimals: number; uiAmount: number; uiAmountString: string };
}

interface CompiledIx { programIndex: number; accounts: number[]; data: Uint8Array }

interface Recorded {
  signature: string;
  slot: number;
  blockTime: number;
  err: unknown;
  version: 0 | 'legacy';
  keys: { pubkey: string; signer: boolean; writable: boolean; source: 'transaction' }[];
  recentBlockhash: string;
  instructions: CompiledIx[];
  inner: { index: number; instructions: (CompiledIx & { stackHeight: number })[] }[];
  preBalances: number[];
  postBalances: number[];
  preTokenBalances: TokenBalance[];
  postTokenBalances: TokenBalance[];
  logs: string[];
}

/** What the next requests get instead of an answer (429 with Retry-After, HTTP 5xx, an RPC error). */
export interface Fault {
  readonly status?: number;
  readonly retryAfter?: string;
  readonly rpcError?: { code: number; message: string };
  /** Only requests of this method (default: any). */
  readonly method?: string;
}

function u64(data: Uint8Array, at: number): bigint {
  return new DataView(data.buffer, data.byteOffset + at, 8).getBigUint64(0, true);
}

function uiAmount(amount: bigint, decimals: number): { amount: string; decimals: number; uiAmount: number; uiAmountString: string } {
  const base = 10n ** BigInt(decimals);
  const fraction = (amount % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  const text = `${amount / base}${fraction ? `.${fraction}` : ''}`;
  return { amount: amount.toString(), decimals, uiAmount: Number(text), uiAmountString: text };
}

export class SolanaTestNode {
  readonly svm: LiteSVM;
  readonly #server: Server;
  url = '';
  slot = 1;
  finalizedSlot = 1;
  autoFinalize = true;
  /** The largest getSignaturesForAddress limit accepted (a provider may state less than 1000). */
  maxSignatureLimit = SIGNATURE_LIMIT_MAX;
  readonly #history: Recorded[] = [];
  readonly #faults: Fault[] = [];
  readonly calls = new Map<string, number>();
  /** Faults served, by kind, for assertions. */
  readonly served = { rateLimited: 0, rpcErrors: 0, limitRefusals: 0 };

  private constructor() {
    this.svm = new LiteSVM();
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(): Promise<SolanaTestNode> {
    const node = new SolanaTestNode();
    await new Promise<void>((resolve) => node.#server.listen(0, '127.0.0.1', resolve));
    node.url = `http://127.0.0.1:${(node.#server.address() as AddressInfo).port}`;
    return node;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  failNext(count: number, fault: Fault): void {
    for (let i = 0; i < count; i++) this.#faults.push(fault);
  }

  finalize(): void {
    this.finalizedSlot = this.slot;
  }

  // --- accounts (written directly in the SPL Token layouts; spl-token state.rs Pack) -----------

  createMint(mint: Address, decimals: number, authority: Address): void {
    const data = new Uint8Array(MINT_SIZE);
    const view = new DataView(data.buffer);
    view.setUint32(0, 1, true);
    data.set(getAddressBytes(authority), 4);
    view.setBigUint64(36, 0n, true);
    data[44] = decimals;
    data[45] = 1;
    this.#put(mint, data);
  }

  createTokenAccount(account: Address, mint: Address, owner: Address, amount: bigint): void {
    const data = new Uint8Array(TOKEN_ACCOUNT_SIZE);
    data.set(getAddressBytes(mint), 0);
    data.set(getAddressBytes(owner), 32);
    new DataView(data.buffer).setBigUint64(64, amount, true);
    data[108] = 1; // AccountState::Initialized
    this.#put(account, data);
  }

  #put(account: Address, data: Uint8Array): void {
    this.svm.setAccount({
      address: account, data, executable: false, lamports: lamports(this.svm.minimumBalanceForRentExemption(BigInt(data.length))),
      programAddress: TOKEN_PROGRAM_ADDRESS, space: BigInt(data.length),
    });
  }

  tokenAmount(account: Address): bigint {
    const acc = this.svm.getAccount(account);
    return acc.exists ? u64(acc.data, 64) : 0n;
  }

  async fundedSigner(): Promise<KeyPairSigner> {
    const signer = await generateKeyPairSigner();
    this.svm.airdrop(signer.address, lamports(10_000_000_000n));
    return signer;
  }

  /** Signs and executes `instructions` (payer pays the fee); records it like a ledger would. */
  async execute(payer: KeyPairSigner, instructions: readonly Instruction[]): Promise<{ signature: string; ok: boolean }> {
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => this.svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    );
    const tx = await signTransactionMessageWithSigners(message);
    return this.send(tx);
  }

  send(tx: Transaction): { signature: string; ok: boolean } {
    const decoded = getCompiledTransactionMessageDecoder().decode(tx.messageBytes);
    if (!('instructions' in decoded)) throw new Error('test node: only legacy and v0 messages');
    const compiled = decoded;
    const header = compiled.header;
    const accounts = compiled.staticAccounts.map((a) => a as string);
    const signers = header.numSignerAccounts;
    const keys = accounts.map((pubkey, i) => ({
      pubkey, signer: i < signers, source: 'transaction' as const,
      writable: i < signers ? i < signers - header.numReadonlySignerAccounts : i < accounts.length - header.numReadonlyNonSignerAccounts,
    }));
    const preTokenBalances = this.#tokenBalances(accounts);
    const preBalances = accounts.map((a) => Number(this.svm.getBalance(address(a)) ?? 0n));
    const result = this.svm.sendTransaction(tx);
    const failed = result instanceof FailedTransactionMetadata;
    const meta = failed ? result.meta() : result;
    this.slot += 1;
    const signature = getSignatureFromTransaction(tx) as string;
    this.#history.push({
      signature, slot: this.slot, blockTime: Math.floor(Date.now() / 1000),
      err: failed ? transactionError(String(result.err())) : null,
      version: compiled.version === 'legacy' ? 'legacy' : 0, keys,
      recentBlockhash: compiled.lifetimeToken,
      instructions: compiled.instructions.map((ix) => ({ programIndex: ix.programAddressIndex, accounts: [...(ix.accountIndices ?? [])], data: Uint8Array.from(ix.data ?? []) })),
      inner: meta.innerInstructions().map((group, index) => ({
        index,
        instructions: group.map((inner) => {
          const c = inner.instruction();
          return { programIndex: c.programIdIndex(), accounts: [...c.accounts()], data: Uint8Array.from(c.data()), stackHeight: inner.stackHeight() };
        }),
      })).filter((g) => g.instructions.length > 0),
      preBalances, postBalances: accounts.map((a) => Number(this.svm.getBalance(address(a)) ?? 0n)),
      preTokenBalances, postTokenBalances: this.#tokenBalances(accounts), logs: meta.logs(),
    });
    if (this.autoFinalize) this.finalize();
    this.svm.expireBlockhash();
    return { signature, ok: !failed };
  }

  #tokenBalances(accounts: readonly string[]): TokenBalance[] {
    const out: TokenBalance[] = [];
    accounts.forEach((key, accountIndex) => {
      const acc = this.svm.getAccount(address(key));
      if (!acc.exists || acc.programAddress !== TOKEN_PROGRAM || acc.data.length !== TOKEN_ACCOUNT_SIZE) return;
      const mint = base58.decode(acc.data.slice(0, 32));
      out.push({
        accountIndex, mint, owner: base58.decode(acc.data.slice(32, 64)), programId: TOKEN_PROGRAM,
        uiTokenAmount: uiAmount(u64(acc.data, 64), this.#decimals(mint)),
      });
    });
    return out;
  }

  #decimals(mint: string): number {
    const acc = this.svm.getAccount(address(mint));
    return acc.exists && acc.data.length === MINT_SIZE ? (acc.data[44] as number) : 0;
  }

  // --- JSON-RPC ---------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number; method: string; params?: unknown[] };
    this.calls.set(body.method, (this.calls.get(body.method) ?? 0) + 1);
    const faultAt = this.#faults.findIndex((f) => f.method === undefined || f.method === body.method);
    if (faultAt >= 0) {
      const fault = this.#faults.splice(faultAt, 1)[0] as Fault;
      if (fault.status !== undefined) {
        if (fault.status === 429) this.served.rateLimited += 1;
        res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}) });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, error: { code: 429, message: 'Too many requests' } }));
        return;
      }
      this.served.rpcErrors += 1;
      this.#reply(res, { jsonrpc: '2.0', id: body.id, error: fault.rpcError ?? { code: -32603, message: 'Internal error' } });
      return;
    }
    try {
      this.#reply(res, { jsonrpc: '2.0', id: body.id, result: this.#dispatch(body.method, body.params ?? []) });
    } catch (error) {
      const rpc = error as { code?: number; message: string };
      this.#reply(res, { jsonrpc: '2.0', id: body.id, error: { code: rpc.code ?? -32603, message: rpc.message } });
    }
  }

  #reply(res: ServerResponse, payload: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  }

  #dispatch(method: string, params: readonly unknown[]): unknown {
    const config = (params.at(-1) ?? {}) as Record<string, unknown>;
    const visible = config['commitment'] === 'finalized' || config['commitment'] === undefined ? this.finalizedSlot : this.slot;
    switch (method) {
      case 'getSlot': return config['commitment'] === 'confirmed' || config['commitment'] === 'processed' ? this.slot : this.finalizedSlot;
      case 'getGenesisHash': return TEST_GENESIS_HASH;
      case 'getLatestBlockhash': return { context: { slot: this.slot }, value: { blockhash: this.svm.latestBlockhash(), lastValidBlockHeight: this.slot + 150 } };
      case 'getAccountInfo': return { context: { slot: this.slot }, value: this.#accountInfo(params[0] as string) };
      case 'getSignaturesForAddress': return this.#signatures(params[0] as string, config, visible);
      case 'getTransaction': return this.#transaction(params[0] as string, visible);
      default: throw Object.assign(new Error('Method not found'), { code: -32601 });
    }
  }

  #accountInfo(key: string): unknown {
    const acc = this.svm.getAccount(address(key));
    if (!acc.exists) return null;
    const base = { executable: acc.executable, lamports: Number(acc.lamports), owner: acc.programAddress, rentEpoch: 0, space: acc.data.length };
    if (acc.programAddress === TOKEN_PROGRAM && acc.data.length === MINT_SIZE) {
      const d = acc.data;
      const info = {
        decimals: d[44], isInitialized: d[45] === 1, supply: u64(d, 36).toString(),
        mintAuthority: d[0] === 1 ? base58.decode(d.slice(4, 36)) : null, freezeAuthority: d[46] === 1 ? base58.decode(d.slice(50, 82)) : null,
      };
      return { ...base, data: { program: 'spl-token', parsed: { type: 'mint', info }, space: MINT_SIZE } };
    }
    if (acc.programAddress === TOKEN_PROGRAM && acc.data.length === TOKEN_ACCOUNT_SIZE) {
      const mint = base58.decode(acc.data.slice(0, 32));
      const info = {
        isNative: false, mint, owner: base58.decode(acc.data.slice(32, 64)), state: 'initialized',
        tokenAmount: uiAmount(u64(acc.data, 64), this.#decimals(mint)),
      };
      return { ...base, data: { program: 'spl-token', parsed: { type: 'account', info }, space: TOKEN_ACCOUNT_SIZE } };
    }
    return { ...base, data: [Buffer.from(acc.data).toString('base64'), 'base64'] };
  }

  #signatures(key: string, config: Record<string, unknown>, visible: number): unknown {
    const limit = (config['limit'] as number | undefined) ?? SIGNATURE_LIMIT_MAX;
    if (limit > Math.min(this.maxSignatureLimit, SIGNATURE_LIMIT_MAX) || limit < 1) {
      this.served.limitRefusals += 1;
      throw Object.assign(new Error(`Invalid limit; max ${Math.min(this.maxSignatureLimit, SIGNATURE_LIMIT_MAX)}`), { code: -32602 });
    }
    let list = this.#history.filter((r) => r.slot <= visible && r.keys.some((k) => k.pubkey === key)).reverse();
    const before = config['before'] as string | undefined;
    if (before !== undefined) list = list.slice(list.findIndex((r) => r.signature === before) + 1);
    const until = config['until'] as string | undefined;
    if (until !== undefined) {
      const at = list.findIndex((r) => r.signature === until);
      if (at >= 0) list = list.slice(0, at);
    }
    return list.slice(0, limit).map((r) => ({
      signature: r.signature, slot: r.slot, err: r.err, memo: null, blockTime: r.blockTime,
      confirmationStatus: r.slot <= this.finalizedSlot ? 'finalized' : 'confirmed',
    }));
  }

  #transaction(signature: string, visible: number): unknown {
    const r = this.#history.find((h) => h.signature === signature && h.slot <= visible);
    if (r === undefined) return null;
    const keys = r.keys.map((k) => k.pubkey);
    return {
      slot: r.slot, blockTime: r.blockTime, version: r.version,
      meta: {
        err: r.err, status: r.err === null ? { Ok: null } : { Err: r.err }, fee: 5000,
        preBalances: r.preBalances, postBalances: r.postBalances,
        preTokenBalances: r.preTokenBalances, postTokenBalances: r.postTokenBalances,
        innerInstructions: r.inner.map((g) => ({ index: g.index, instructions: g.instructions.map((ix) => parsedInstruction(ix, keys, ix.stackHeight)) })),
        logMessages: r.logs, rewards: [], loadedAddresses: { writable: [], readonly: [] }, computeUnitsConsumed: 0,
      },
      transaction: {
        signatures: [r.signature],
        message: { accountKeys: r.keys, recentBlockhash: r.recentBlockhash, instructions: r.instructions.map((ix) => parsedInstruction(ix, keys, null)) },
      },
    };
  }
}

/** LiteSVM's error as the RPC's TransactionError JSON ({"InstructionError": [0, {"Custom": 1}]}), as far as it can tell. */
function transactionError(text: string): unknown {
  const custom = /index: (\d+), error: InstructionErrorCustom \{ code: (\d+) \}/.exec(text);
  return custom === null ? { InstructionError: [0, text] } : { InstructionError: [Number(custom[1]), { Custom: Number(custom[2]) }] };
}

/** SPL Token transfer (3) and transferChecked (12) as parse_token.rs renders them; others raw. */
function parsedInstruction(ix: CompiledIx, keys: readonly string[], stackHeight: number | null): unknown {
  const programId = keys[ix.programIndex] as string;
  const accounts = ix.accounts.map((i) => keys[i] as string);
  if (programId === TOKEN_PROGRAM && ix.data[0] === 3 && ix.data.length === 9) {
    const info = { source: accounts[0], destination: accounts[1], authority: accounts[2], amount: u64(ix.data, 1).toString() };
    return { program: 'spl-token', programId, parsed: { type: 'transfer', info }, stackHeight };
  }
  if (programId === TOKEN_PROGRAM && ix.data[0] === 12 && ix.data.length === 10) {
    const decimals = ix.data[9] as number;
    const info = { source: accounts[0], mint: accounts[1], destination: accounts[2], authority: accounts[3], tokenAmount: uiAmount(u64(ix.data, 1), decimals) };
    return { program: 'spl-token', programId, parsed: { type: 'transferChecked', info }, stackHeight };
  }
  return { programId, accounts, data: base58.decode(ix.data), stackHeight };
}

function getAddressBytes(key: Address): Uint8Array {
  return Uint8Array.from(base58Bytes.encode(key));
}

/** A USDC-like world on a test node: a 6-decimal mint, the operator's ATA, funded payers. */
export interface UsdcFixture {
  readonly node: SolanaTestNode;
  readonly mint: Address;
  /** Another 6-decimal mint (a look-alike token) the operator also has an ATA for. */
  readonly otherMint: Address;
  readonly owner: Address;
  readonly ownerAta: Address;
  readonly ownerOtherAta: Address;
  /** A new payer holding `units` of the mint (and of the other mint), with its token accounts. */
  payer(units: bigint): Promise<Payer>;
}

export interface Payer {
  readonly signer: KeyPairSigner;
  readonly ata: Address;
  readonly otherAta: Address;
}

async function ata(owner: Address, mint: Address): Promise<Address> {
  const [pda] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return pda;
}

export async function usdcFixture(node: SolanaTestNode): Promise<UsdcFixture> {
  const authority = (await generateKeyPairSigner()).address;
  const mint = (await generateKeyPairSigner()).address;
  const otherMint = (await generateKeyPairSigner()).address;
  node.createMint(mint, 6, authority);
  node.createMint(otherMint, 6, authority);
  const owner = (await generateKeyPairSigner()).address;
  const ownerAta = await ata(owner, mint);
  const ownerOtherAta = await ata(owner, otherMint);
  node.createTokenAccount(ownerAta, mint, owner, 0n);
  node.createTokenAccount(ownerOtherAta, otherMint, owner, 0n);
  return {
    node, mint, otherMint, owner, ownerAta, ownerOtherAta,
    async payer(units: bigint): Promise<Payer> {
      const signer = await node.fundedSigner();
      const payerAta = await ata(signer.address, mint);
      const payerOtherAta = await ata(signer.address, otherMint);
      node.createTokenAccount(payerAta, mint, signer.address, units);
      node.createTokenAccount(payerOtherAta, otherMint, signer.address, units);
      return { signer, ata: payerAta, otherAta: payerOtherAta };
    },
  };
}

/** What every usdc_solana suite starts with: a test node, the USDC fixture and one payer holding `payerUnits`. */
export async function startUsdcChain(payerUnits: bigint): Promise<{ node: SolanaTestNode; fx: UsdcFixture; payer: Payer }> {
  const node = await SolanaTestNode.start();
  const fx = await usdcFixture(node);
  return { node, fx, payer: await fx.payer(payerUnits) };
}

export interface PayOptions {
  /** Attach this Solana Pay reference (read-only, non-signer) to the transfer instruction. */
  readonly reference?: string;
  /** Pay from the look-alike mint to the operator's ATA of that mint. */
  readonly otherMint?: boolean;
  /** Plain `transfer` instead of `transferChecked`. */
  readonly unchecked?: boolean;
  /** Send to this token account instead of the operator's ATA. */
  readonly destination?: Address;
}

/** A wallet paying a Solana Pay transfer request: transferChecked with the reference attached. */
export async function payUsdc(fx: UsdcFixture, payer: Payer, units: bigint, options: PayOptions = {}): Promise<{ signature: string; ok: boolean }> {
  const mint = options.otherMint ? fx.otherMint : fx.mint;
  const source = options.otherMint ? payer.otherAta : payer.ata;
  const destination = options.destination ?? (options.otherMint ? fx.ownerOtherAta : fx.ownerAta);
  const ix: Instruction = options.unchecked
    ? getTransferInstruction({ source, destination, authority: payer.signer, amount: units })
    : getTransferCheckedInstruction({ source, mint, destination, authority: payer.signer, amount: units, decimals: 6 });
  const withReference: Instruction = options.reference === undefined ? ix
    : { ...ix, accounts: [...(ix.accounts ?? []), { address: address(options.reference), role: AccountRole.READONLY }] };
  return fx.node.execute(payer.signer, [withReference]);
}
