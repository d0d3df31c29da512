// A real EVM node as a child process: anvil, Foundry's dev node, the binary shipped inside the
// npm package @foundry-rs/anvil-linux-amd64 (nothing downloads at run time). It listens on a
// free loopback port; a small HTTP front in this process forwards to it so a test can take the
// node "offline" (503) while its chain keeps going, as the EDR node in evm-node.ts does. The
// funded accounts are anvil's default ones, which include the private keys in TestKeys.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { TestKeys } from './evm-node.ts';
import type { EvmNode } from './evm-node.ts';

/** The anvil binary inside its npm package. */
export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@foundry-rs/anvil-linux-amd64/package.json')), 'bin', 'anvil');
}

export interface AnvilNode extends EvmNode {
  /** anvil's own endpoint, without the offline switch in front. */
  readonly directUrl: string;
}

export interface AnvilOptions {
  readonly chainId: number;
  /** Extra command-line flags (e.g. ['--block-time', '1']); default: mine on every transaction. */
  readonly args?: readonly string[];
}

export async function startAnvilNode(options: AnvilOptions): Promise<AnvilNode> {
  const child = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', '0', '--chain-id', String(options.chainId), ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const directUrl = await listeningUrl(child);
  let id = 0;
  const request = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const response = await fetch(directUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    });
    const data = (await response.json()) as { result?: T; error?: { message?: string } };
    if (data.error !== undefined) throw new Error(`${method}: ${data.error.message ?? 'error'}`);
    return data.result as T;
  };

  let online = true;
  const target = new URL(directUrl);
  const server: Server = createServer((req, res) => {
    if (!online) {
      res.statusCode = 503;
      res.end('offline');
      req.resume();
      return;
    }
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: '/', method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => { res.statusCode = 502; res.end('upstream error'); });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    directUrl,
    chainId: options.chainId,
    accounts: TestKeys.map((k) => privateKeyToAccount(k).address),
    request,
    mine: async (blocks = 1) => { await request('anvil_mine', [`0x${blocks.toString(16)}`]); },
    setOnline: (value: boolean) => { online = value; },
    blockNumber: async () => Number(await request<string>('eth_blockNumber')),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    },
  };
}

/** Reads anvil's "Listening on 127.0.0.1:PORT" line (bounded wait: 20 s). */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`anvil did not start: ${seen.slice(-500)}`)); }, 20_000);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = /Listening on (\S+:\d+)/.exec(seen);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.resume(); // keep draining so anvil never blocks on a full pipe
      resolve(`http://${match[1]!}`);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => { seen += chunk.toString('utf8'); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`anvil exited with ${code}: ${seen.slice(-500)}`)); });
  });
}
