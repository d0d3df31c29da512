// Proves `npm run devnet` gives a working live stack: the devnet program starts (bcoin regtest,
// anvil with a test USDC, Coffer in regtest mode as its own process), deposits made through the
// /v2 API are paid with real transactions by `devnet pay` (fixed bitcoin and USDC invoices at
// their price, a flexible ETH invoice with a given amount), `devnet mine` buries them, and the
// invoices complete with the exact credit and zero ledger drift; stopping it cleans up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DevnetState } from '../dev/devnet.ts';
import { amountToPay, parseUnits } from '../dev/devnet.ts';

const DEVNET = new URL('../dev/devnet.ts', import.meta.url).pathname;
const START_WAIT_MS = 120_000;
const WAIT_MS = 30_000;
const run = promisify(execFile);

let dir: string;
let devnet: ChildProcess;
let state: DevnetState;
const env = (): NodeJS.ProcessEnv => ({ ...process.env, DEVNET_DIR: dir, COFFER_LOG_LEVEL: 'warn' });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'coffer-devnet-'));
  devnet = spawn(process.execPath, ['--import', 'tsx', DEVNET], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  devnet.stdout?.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  devnet.stderr?.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  const deadline = Date.now() + START_WAIT_MS;
  while (!out.includes('devnet ready')) {
    if (devnet.exitCode !== null || Date.now() > deadline) throw new Error(`devnet did not start: ${out}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as DevnetState;
});

after(async () => {
  if (devnet.exitCode === null) {
    const exited = new Promise((resolve) => devnet.once('exit', resolve));
    devnet.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<Record<string, string>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', DEVNET, ...args], { env: env() });
  return JSON.parse(stdout) as Record<string, string>;
}

/** The control endpoint the CLI talks to (spares a process start per call). */
async function control(path: string, body: unknown): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${state.controlUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

function api(path: string, body?: unknown): Promise<Response> {
  const auth = Buffer.from(`${state.account.apiId}:${state.account.apiSecret}`).toString('base64');
  return fetch(`${state.cofferUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface Invoice { readonly id: string; readonly status: string; readonly credited_amount: number; readonly payment: { readonly uri: string; readonly address: string } }

async function deposit(body: Record<string, unknown>): Promise<Invoice> {
  const res = await api('/v2/accounts/deposit', { currency: 'USD', ...body });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { data: Invoice }).data;
}

async function complete(id: string): Promise<Invoice> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const invoice = ((await (await api(`/v2/invoices/${id}`)).json()) as { data: Invoice }).data;
    if (invoice.status === 'complete') return invoice;
    if (Date.now() > deadline) throw new Error(`invoice ${id} never completed: ${JSON.stringify(invoice)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('devnet: bitcoin, USDC and ETH deposits paid with real transactions complete through the API', async () => {
  assert.match(state.bitcoin.faucetAddress, /^bcrt1q/);
  const btc = await deposit({ amount: 10, payment_method: 'bitcoin' });
  assert.match(btc.payment.address, /^bcrt1q[0-9a-z]{38}$/);
  const usdc = await deposit({ amount: 12.5, payment_method: 'usdc_erc20' });
  const eth = await deposit({ payment_method: 'ethereum' });

  const paidBtc = await cli('pay', btc.id);
  assert.equal(paidBtc['method'], 'bitcoin');
  assert.match(paidBtc['txid'] ?? '', /^[0-9a-f]{64}$/);
  const paidUsdc = await cli('pay', usdc.id);
  assert.equal(paidUsdc['amount_units'], '12500000');
  const paidEth = await control('/pay', { invoice_id: eth.id, amount: '0.01' });
  assert.equal(paidEth.body['amount_units'], '10000000000000000');
  const mined = await cli('mine', '2');
  assert.ok(Number(mined['bitcoin_height']) >= 434);

  const done = await Promise.all([complete(btc.id), complete(usdc.id), complete(eth.id)]);
  // Regtest uses the static rate table: ETH at 3,000 USD, so 0.01 ETH credits 30 USD.
  assert.deepEqual(done.map((i) => i.credited_amount), [10, 12.5, 30]);
  const balance = ((await (await api('/v2/accounts/balance')).json()) as { data: { balance: number } }).data.balance;
  assert.equal(balance, 52.5);
  const verify = await fetch(`${state.cofferUrl}/admin/ledger/verify`, { headers: { authorization: `Bearer ${state.adminToken}` } });
  assert.equal(verify.status, 200, await verify.clone().text());
});

test('devnet: pay refuses what it cannot pay, and stopping removes the state file', async () => {
  const unknown = await control('/pay', { invoice_id: '00000000-0000-0000-0000-000000000000' });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body['error'] ?? '', /no invoice/);
  const stopped = new Promise((resolve) => devnet.once('exit', resolve));
  devnet.kill('SIGTERM');
  assert.equal(await stopped, 0);
  assert.equal(existsSync(join(dir, 'state.json')), false);
  await assert.rejects(cli('mine'), /no devnet running/);
});

test('devnet helpers: amounts come exactly from the payment URI', () => {
  assert.equal(parseUnits('0.00015385', 8), 15_385n);
  assert.throws(() => parseUnits('0.000000001', 8), /more than 8 decimals/);
  assert.equal(amountToPay('bitcoin', { address: 'a', uri: 'bitcoin:bcrt1qx?amount=0.0002&label=x' }, undefined), 20_000n);
  assert.equal(amountToPay('ethereum', { address: 'a', uri: 'ethereum:0xab@31337?value=3333340000000000' }, undefined), 3_333_340_000_000_000n);
  assert.equal(amountToPay('usdc_erc20', { address: 'a', uri: 'ethereum:0xt@31337/transfer?address=0xab&uint256=12500000' }, undefined), 12_500_000n);
  assert.throws(() => amountToPay('ethereum', { address: 'a', uri: 'ethereum:0xab@31337' }, undefined), /no fixed amount/);
  assert.throws(() => amountToPay('lightning', { address: 'a', uri: 'lightning:lnbcrt1' }, undefined), /not lightning/);
});
