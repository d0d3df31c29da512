// devnet: Coffer in live (regtest) mode against real local chains, in one command. It starts a
// bcoin regtest node in-process and anvil as a child process, funds a faucet on each, deploys a
// test USDC token, generates an HD seed and gives Coffer only the xpubs, runs `coffer serve` as a
// child process wired to both chains, creates a business account and prints its credentials.
// `pay` and `mine` talk to the running devnet through its control endpoint on loopback, found in
// the state file it writes. Development tooling only: it imports devDependencies (bcoin, anvil,
// viem) and test support, and nothing under src/ imports it. See docs/devnet.md.
//
//   npm run devnet                         start, print URLs and credentials, run until Ctrl-C
//   npm run devnet -- pay <invoice-id> [amount]   pay an invoice with a real transaction
//   npm run devnet -- mine [n]             mine n blocks (default 1) on both chains
//   npm run devnet -- status               print the running devnet's state as JSON

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HDKey } from '@scure/bip32';
import type { Hex } from 'viem';
import { BcoinRegtest } from '../test/support/bcoin-regtest.ts';
import { startAnvilNode } from '../test/support/anvil-node.ts';
import type { AnvilNode } from '../test/support/anvil-node.ts';
import { deployToken, payEth, payToken } from '../test/support/evm-chain.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** anvil's default chain id; Coffer is told which methods live on it (COFFER_EVM_CHAIN_<METHOD>). */
const EVM_CHAIN_ID = 31337;
/** Confirmations Coffer waits for on the devnet's EVM chain (bitcoin keeps its default, 1). */
const EVM_CONFIRMATIONS = 2;
const POLL_INTERVAL_MS = 250;
const READY_WAIT_MS = 60_000;
const TPUB_VERSIONS = { private: 0x04358394, public: 0x043587cf };

export interface DevnetState {
  readonly pid: number;
  readonly controlUrl: string;
  readonly cofferUrl: string;
  readonly adminToken: string;
  readonly account: { readonly id: string; readonly apiId: string; readonly apiSecret: string };
  readonly bitcoin: { readonly rpcUrl: string; readonly xpub: string; readonly faucetAddress: string };
  readonly evm: { readonly rpcUrl: string; readonly chainId: number; readonly xpub: string; readonly usdc: string; readonly faucetAddress: string };
  /** The HD seed behind both xpubs (regtest only: it lets you sweep what Coffer received). */
  readonly seedHex: string;
}

function devnetDir(): string {
  return resolve(process.env['DEVNET_DIR'] ?? join(ROOT, '.devnet'));
}

function statePath(): string {
  return join(devnetDir(), 'state.json');
}

/** Exact decimal → smallest units; refuses more decimals than the asset has. */
export function parseUnits(text: string, scale: number): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null) throw new Error(`not a decimal amount: ${text}`);
  const fraction = match[2] ?? '';
  if (fraction.length > scale) throw new Error(`${text} has more than ${scale} decimals`);
  return BigInt(match[1] as string) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0');
}

interface WirePayment { readonly method?: string; readonly address: string; readonly uri: string }

/** What a payer sends for `payment`, read from its URI (exact: BIP21 amount, EIP-681 value/uint256). */
export function amountToPay(methodId: string, payment: WirePayment, override: string | undefined): bigint {
  const query = new URL(payment.uri.replace(/^[a-z]+:/, 'x://h/')).searchParams;
  if (methodId === 'bitcoin') return override !== undefined ? parseUnits(override, 8) : required(query.get('amount'), (t) => parseUnits(t, 8));
  if (methodId === 'ethereum') return override !== undefined ? parseUnits(override, 18) : required(query.get('value'), BigInt);
  if (methodId === 'usdc_erc20') return override !== undefined ? parseUnits(override, 6) : required(query.get('uint256'), BigInt);
  throw new Error(`devnet pays bitcoin, ethereum and usdc_erc20 invoices, not ${methodId}`);
}

function required(value: string | null, parse: (text: string) => bigint): bigint {
  if (value === null) throw new Error('the invoice has no fixed amount: give one, e.g. `devnet pay <id> 0.001`');
  return parse(value);
}

class Devnet {
  #child: ChildProcess | null = null;
  #control: Server | null = null;
  #btc: BcoinRegtest | null = null;
  #evm: AnvilNode | null = null;
  #usdc: Hex | null = null;
  #state: DevnetState | null = null;

  async start(): Promise<DevnetState> {
    const dir = devnetDir();
    mkdirSync(dir, { recursive: true });
    if (existsSync(statePath()) && (await answers(readState().controlUrl))) throw new Error(`a devnet is already running (${statePath()})`);

    this.#btc = await BcoinRegtest.start(randomBytes(16).toString('hex'));
    this.#evm = await startAnvilNode({ chainId: EVM_CHAIN_ID });
    this.#usdc = await deployToken(this.#evm, 'USDC', 6);

    const seed = randomBytes(32);
    const btcXpub = HDKey.fromMasterSeed(seed, TPUB_VERSIONS).derive("m/84'/1'/0'").publicExtendedKey;
    const evmXpub = HDKey.fromMasterSeed(seed).derive("m/44'/60'/0'").publicExtendedKey;
    const port = Number(process.env['DEVNET_PORT'] ?? (await freePort()));
    const adminToken = randomBytes(24).toString('hex');
    const cofferUrl = `http://127.0.0.1:${port}`;
    this.#child = startCoffer(dir, {
      COFFER_MODE: 'regtest', HOST: '127.0.0.1', PORT: String(port), COFFER_DATA_DIR: join(dir, 'data'), COFFER_ADMIN_TOKEN: adminToken,
      COFFER_LOG_LEVEL: process.env['COFFER_LOG_LEVEL'] ?? 'info',
      COFFER_BITCOIN_RPC_URL: this.#btc.url, COFFER_BITCOIN_XPUB: btcXpub, COFFER_BITCOIN_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
      COFFER_EVM_XPUB: evmXpub, [`COFFER_EVM_RPC_URL_${EVM_CHAIN_ID}`]: this.#evm.directUrl,
      COFFER_EVM_METHODS: 'ethereum,usdc_erc20', COFFER_EVM_CHAIN_ETHEREUM: String(EVM_CHAIN_ID), COFFER_EVM_CHAIN_USDC_ERC20: String(EVM_CHAIN_ID),
      COFFER_EVM_TOKEN_USDC_ERC20: `${this.#usdc}:6`, [`COFFER_EVM_CONFIRMATIONS_${EVM_CHAIN_ID}`]: String(EVM_CONFIRMATIONS),
      COFFER_EVM_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
    });
    await waitReady(cofferUrl, this.#child);
    const account = await createAccount(cofferUrl, adminToken);

    this.#control = createServer((req, res) => { void this.#handle(req, res); });
    await new Promise<void>((done) => this.#control?.listen(0, '127.0.0.1', done));
    const controlUrl = `http://127.0.0.1:${(this.#control.address() as AddressInfo).port}`;
    this.#state = {
      pid: process.pid, controlUrl, cofferUrl, adminToken, account,
      bitcoin: { rpcUrl: this.#btc.url, xpub: btcXpub, faucetAddress: this.#btc.minerAddress },
      evm: { rpcUrl: this.#evm.directUrl, chainId: EVM_CHAIN_ID, xpub: evmXpub, usdc: this.#usdc, faucetAddress: this.#evm.accounts[0] as string },
      seedHex: seed.toString('hex'),
    };
    writeFileSync(statePath(), `${JSON.stringify(this.#state, null, 2)}\n`, { mode: 0o600 });
    return this.#state;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child !== null && child.exitCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      await exited;
    }
    if (this.#control !== null) {
      this.#control.closeAllConnections();
      await new Promise<void>((done) => this.#control?.close(() => done()));
    }
    await this.#evm?.close();
    await this.#btc?.close();
    if (this.#state !== null && existsSync(statePath()) && readState().pid === process.pid) rmSync(statePath());
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
      if (req.method === 'POST' && req.url === '/pay') return send(res, 200, await this.#pay(String(body['invoice_id']), body['amount'] as string | undefined));
      if (req.method === 'POST' && req.url === '/mine') return send(res, 200, await this.#mine(Number(body['blocks'] ?? 1)));
      if (req.method === 'GET' && req.url === '/state') return send(res, 200, this.#state);
      send(res, 404, { error: 'unknown control request' });
    } catch (error) {
      send(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  async #pay(invoiceId: string, override: string | undefined): Promise<Record<string, string>> {
    const state = this.#state as DevnetState;
    const res = await fetch(`${state.cofferUrl}/admin/invoices/${encodeURIComponent(invoiceId)}`, { headers: { authorization: `Bearer ${state.adminToken}` } });
    if (res.status !== 200) throw new Error(`Coffer has no invoice ${invoiceId} (HTTP ${res.status})`);
    const payment = ((await res.json()) as { data: { payment: WirePayment & { method: string } } }).data.payment;
    const amount = amountToPay(payment.method, payment, override);
    if (payment.method === 'bitcoin') {
      const tx = await (this.#btc as BcoinRegtest).pay([{ address: payment.address, amountSat: amount }]);
      return { method: 'bitcoin', txid: tx.txid, amount_sat: String(amount), address: payment.address };
    }
    const node = this.#evm as AnvilNode;
    const tx = payment.method === 'ethereum' ? await payEth(node, payment.address, amount) : await payToken(node, this.#usdc as Hex, payment.address, amount);
    return { method: payment.method, txid: tx, amount_units: String(amount), address: payment.address };
  }

  async #mine(blocks: number): Promise<Record<string, number>> {
    if (!Number.isInteger(blocks) || blocks < 1 || blocks > 1_000) throw new Error('mine 1 to 1000 blocks');
    const btc = this.#btc as BcoinRegtest;
    const evm = this.#evm as AnvilNode;
    await btc.mine(blocks);
    await evm.mine(blocks);
    return { bitcoin_height: await btc.height(), evm_block: await evm.blockNumber() };
  }
}

function startCoffer(dir: string, env: Record<string, string>): ChildProcess {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COFFER_') && k !== 'DATABASE_URL' && k !== 'PORT' && k !== 'HOST'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), 'serve'], {
    cwd: ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(join(dir, 'coffer.log'), { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_WAIT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Coffer exited with ${child.exitCode}; see ${join(devnetDir(), 'coffer.log')}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Coffer not ready at ${url}; see ${join(devnetDir(), 'coffer.log')}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

async function createAccount(url: string, adminToken: string): Promise<DevnetState['account']> {
  const res = await fetch(`${url}/admin/accounts`, {
    method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', 'idempotency-key': `devnet-${randomBytes(8).toString('hex')}` },
    body: JSON.stringify({ type: 'business', currency: 'USD', label: 'devnet' }),
  });
  if (res.status !== 201) throw new Error(`account creation failed: ${res.status} ${await res.text()}`);
  const data = ((await res.json()) as { data: { id: string; credential: { api_id: string; api_secret: string } } }).data;
  return { id: data.id, apiId: data.credential.api_id, apiSecret: data.credential.api_secret };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

function answers(url: string): Promise<boolean> {
  return fetch(`${url}/state`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.status === 200, () => false);
}

function readState(): DevnetState {
  return JSON.parse(readFileSync(statePath(), 'utf8')) as DevnetState;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Sends a control request to the running devnet. */
async function control(path: string, body?: unknown): Promise<unknown> {
  if (!existsSync(statePath())) throw new Error(`no devnet running (no ${statePath()}); start one with \`npm run devnet\``);
  const { controlUrl } = readState();
  const res = await fetch(`${controlUrl}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    .catch(() => { throw new Error(`the devnet at ${controlUrl} does not answer; is it still running?`); });
  const answer = (await res.json()) as { error?: string };
  if (res.status !== 200) throw new Error(answer.error ?? `HTTP ${res.status}`);
  return answer;
}

function summary(state: DevnetState): string {
  const basic = Buffer.from(`${state.account.apiId}:${state.account.apiSecret}`).toString('base64');
  return [
    'devnet ready',
    `  Coffer (regtest mode)  ${state.cofferUrl}   (log: ${join(devnetDir(), 'coffer.log')})`,
    `  business account       ${state.account.id}`,
    `    API id / secret      ${state.account.apiId} / ${state.account.apiSecret}`,
    `    try                  curl -s -H 'Authorization: Basic ${basic}' -H 'content-type: application/json' \\`,
    `                           -d '{"amount":10,"currency":"USD","payment_method":"bitcoin"}' ${state.cofferUrl}/v2/accounts/deposit`,
    `  admin token            ${state.adminToken}`,
    `  bitcoin (bcoin regtest) ${state.bitcoin.rpcUrl.replace(/\/\/[^@]*@/, '//')}   faucet ${state.bitcoin.faucetAddress}`,
    `  EVM (anvil, chain ${state.evm.chainId}) ${state.evm.rpcUrl}   faucet ${state.evm.faucetAddress}   test USDC ${state.evm.usdc}`,
    '  pay an invoice         npm run devnet -- pay <invoice-id> [amount]',
    '  mine blocks            npm run devnet -- mine [n]',
    `  state file             ${statePath()}`,
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  if (command === 'pay') {
    if (rest[0] === undefined) throw new Error('usage: devnet pay <invoice-id> [amount]');
    console.log(JSON.stringify(await control('/pay', { invoice_id: rest[0], ...(rest[1] !== undefined ? { amount: rest[1] } : {}) })));
    return;
  }
  if (command === 'mine') {
    console.log(JSON.stringify(await control('/mine', { blocks: Number(rest[0] ?? 1) })));
    return;
  }
  if (command === 'status') {
    console.log(JSON.stringify(await control('/state'), null, 2));
    return;
  }
  if (command !== 'start') throw new Error(`unknown command ${command}; use start, pay, mine or status`);
  const devnet = new Devnet();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await devnet.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => { void stop(); });
  process.on('SIGTERM', () => { void stop(); });
  try {
    console.log(summary(await devnet.start()));
  } catch (error) {
    await devnet.stop().catch(() => {});
    throw error;
  }
}

// Run as a program only (tests import the helpers above without starting anything).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`devnet: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
