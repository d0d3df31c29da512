// Proves the fault proxy (test/support/fault-proxy.ts) does what each fault says, against a small
// JSON-RPC upstream: faithful relay (batches, streams), latency and hangs, resets, 429 with
// Retry-After and 5xx, truncated and oversized bodies, garbage, per-call rewrites, rule matching
// and use counts, and an outage that cuts open streams; plus the lagging views on real nodes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultProxy, rpcError, rpcCalls } from './support/fault-proxy.ts';
import { bitcoinBehind, evmBehind } from './support/lagging-views.ts';
import { BcoinRegtest } from './support/bcoin-regtest.ts';
import { startEvmNode } from './support/evm-node.ts';

let upstream: http.Server;
let upstreamUrl = '';
let proxy: FaultProxy;
let upstreamHits = 0;
const streams = new Set<http.ServerResponse>();

before(async () => {
  upstream = http.createServer((req, res) => {
    upstreamHits += 1;
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"line":1}\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const calls = rpcCalls(Buffer.concat(chunks));
      const replies = calls.map((c) => ({ jsonrpc: '2.0', id: c.id, result: { method: c.method, params: c.params } }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(calls.length === 1 && !Buffer.concat(chunks).toString().startsWith('[') ? replies[0] : replies));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  proxy = await FaultProxy.start(upstreamUrl);
});

after(async () => {
  await proxy.close();
  for (const s of streams) s.destroy();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

function rpc(body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(proxy.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
}
const call = (method: string, id = 1) => ({ jsonrpc: '2.0', id, method, params: [id] });

describe('fault proxy', () => {
  test('relays requests and batches unchanged when no rule applies', async () => {
    proxy.clear();
    const single = await (await rpc(call('a'))).json();
    assert.deepEqual(single, { jsonrpc: '2.0', id: 1, result: { method: 'a', params: [1] } });
    const batch = await (await rpc([call('a', 1), call('b', 2)])).json() as { id: number }[];
    assert.deepEqual(batch.map((r) => r.id), [1, 2]);
    assert.equal(proxy.log.at(-1)?.fault, 'pass');
    assert.deepEqual(proxy.log.at(-1)?.rpcMethods, ['a', 'b']);
    assert.equal(proxy.urlFor('http://u:p@127.0.0.1:1/wallet/x'), `${proxy.url.replace('http://', 'http://u:p@')}/wallet/x`);
  });

  test('latency delays the answer; a hang is cut by the client and the proxy goes on', async () => {
    proxy.clear();
    proxy.add({ fault: { kind: 'latency', ms: 20 }, times: 1 });
    assert.equal(((await (await rpc(call('slow'))).json()) as { id: number }).id, 1);
    proxy.add({ fault: { kind: 'latency', ms: 600_000 }, times: 1 });
    const hits = upstreamHits;
    await assert.rejects(rpc(call('hang'), AbortSignal.timeout(50)));
    assert.equal(upstreamHits, hits, 'a hung request never reached the node');
    assert.equal(((await (await rpc(call('after'))).json()) as { id: number }).id, 1);
    assert.equal(proxy.count('latency'), 2);
  });

  test('reset drops the connection without an answer', async () => {
    proxy.clear();
    proxy.add({ fault: { kind: 'reset' }, times: 1 });
    await assert.rejects(rpc(call('x')), (e: Error) => e instanceof TypeError);
    assert.equal((await rpc(call('x'))).status, 200);
  });

  test('status answers 429 with Retry-After, and 5xx, without asking the node', async () => {
    proxy.clear();
    proxy.add({ fault: { kind: 'status', status: 429, retryAfterS: 3 }, times: 1 });
    proxy.add({ fault: { kind: 'status', status: 503 }, times: 1 });
    const hits = upstreamHits;
    const limited = await rpc(call('x'));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    await limited.arrayBuffer();
    const down = await rpc(call('x'));
    assert.equal(down.status, 503);
    await down.arrayBuffer();
    assert.equal(upstreamHits, hits);
  });

  test('truncate: cut and ended is unparseable JSON; cut and aborted fails the read', async () => {
    proxy.clear();
    proxy.add({ fault: { kind: 'truncate', close: 'end', keepBytes: 10 }, times: 1 });
    const ended = await (await rpc(call('x'))).text();
    assert.equal(ended, '{"jsonrpc"');
    proxy.add({ fault: { kind: 'truncate', close: 'abort' }, times: 1 });
    const aborted = await rpc(call('x'));
    await assert.rejects(aborted.text());
  });

  test('oversize pads a valid answer past a size limit; garbage is not JSON', async () => {
    proxy.clear();
    proxy.add({ fault: { kind: 'oversize', bytes: 2_000_000 }, times: 1 });
    const big = await (await rpc(call('x'))).text();
    assert.equal(big.length, 2_000_000);
    assert.deepEqual(JSON.parse(big), { jsonrpc: '2.0', id: 1, result: { method: 'x', params: [1] } });
    proxy.add({ fault: { kind: 'garbage' }, times: 1 });
    const garbage = await rpc(call('x'));
    assert.equal(garbage.status, 200);
    await assert.rejects(garbage.json());
  });

  test('rules match by JSON-RPC method and run out; rpc rewrites answer per call in a batch', async () => {
    proxy.clear();
    proxy.add({ match: (r) => r.calls.some((c) => c.method === 'b'), fault: { kind: 'rpc', rewrite: (c, reply) => c.method === 'b' ? rpcError(reply, -5, 'nope') : reply }, times: 2 });
    const first = await (await rpc([call('a', 1), call('b', 2)])).json() as { id: number; result: unknown; error: unknown }[];
    assert.deepEqual(first.map((r) => [r.id, r.error === null ? null : (r.error as { code: number } | undefined)?.code ?? null]), [[1, null], [2, -5]]);
    assert.equal(proxy.log.at(-1)?.fault, 'rpc');
    await (await rpc(call('a'))).json();
    assert.equal(proxy.log.at(-1)?.fault, 'pass', 'a request without b is not matched');
    await (await rpc(call('b'))).json();
    const third = await (await rpc(call('b'))).json() as { result: unknown };
    assert.deepEqual(third.result, { method: 'b', params: [1] }, 'the rule was used up');
  });

  test('a stream is relayed as it comes; down() cuts it and refuses new requests until removed', async () => {
    proxy.clear();
    const lines: string[] = [];
    const closed = new Promise<void>((resolve) => {
      http.get(`${proxy.url}/stream`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => lines.push(chunk));
        res.on('close', () => resolve());
        res.on('error', () => resolve());
      }).on('error', () => resolve());
    });
    while (streams.size === 0 || lines.length === 0) await new Promise((r) => setTimeout(r, 5));
    for (const s of streams) s.write('{"line":2}\n');
    while (lines.join('').split('\n').length < 3) await new Promise((r) => setTimeout(r, 5));
    const rule = proxy.down();
    await closed;
    await assert.rejects(rpc(call('x')));
    proxy.remove(rule);
    assert.equal((await rpc(call('x'))).status, 200);
    assert.deepEqual(lines.join('').trim().split('\n'), ['{"line":1}', '{"line":2}']);
  });
});

describe('lagging views on real nodes', () => {
  test('bitcoin: a node stuck at an older tip answers as Core would, and catches up when removed', async () => {
    const node = await BcoinRegtest.start();
    const lag = await FaultProxy.start(`http://127.0.0.1:${node.port}`);
    try {
      const stuckAt = await node.height();
      await node.mine(2);
      const rule = lag.add({ fault: bitcoinBehind(node, stuckAt) });
      const auth = { authorization: 'Basic ' + Buffer.from(`x:${node.apiKey}`).toString('base64'), 'content-type': 'application/json' };
      const ask = async (calls: unknown[]) => (await fetch(lag.url, { method: 'POST', headers: auth, body: JSON.stringify(calls) })).json() as Promise<{ result: unknown; error: { code: number } | null }[]>;
      const top = await node.blockHash(stuckAt + 1);
      const replies = await ask([
        { id: 1, method: 'getblockcount', params: [] }, { id: 2, method: 'getbestblockhash', params: [] },
        { id: 3, method: 'getblockhash', params: [stuckAt + 1] }, { id: 4, method: 'getblockheader', params: [top, true] },
        { id: 5, method: 'getblock', params: [top, false] }, { id: 6, method: 'getblockchaininfo', params: [] },
      ]);
      assert.equal(replies[0]?.result, stuckAt);
      assert.equal(replies[1]?.result, await node.blockHash(stuckAt));
      assert.deepEqual([replies[2]?.error?.code, replies[3]?.error?.code, replies[4]?.error?.code], [-8, -5, -5]);
      assert.equal((replies[5]?.result as { blocks: number }).blocks, stuckAt);
      lag.remove(rule);
      assert.equal((await ask([{ id: 1, method: 'getblockcount', params: [] }]))[0]?.result, stuckAt + 2);
    } finally {
      await lag.close();
      await node.close();
    }
  });

  test('evm: blocks, logs and receipts above the tip do not exist yet; its transactions are pending', async () => {
    const node = await startEvmNode({ chainId: 1 });
    const lag = await FaultProxy.start(node.url);
    try {
      const stuckAt = await node.blockNumber();
      const tx = await node.request<string>('eth_sendTransaction', [{ from: node.accounts[0], to: node.accounts[1], value: '0x1' }]);
      lag.add({ fault: evmBehind(node, stuckAt) });
      const ask = async (method: string, params: unknown[]) => ((await (await fetch(lag.url, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }) })).json()) as { result: unknown }).result;
      assert.equal(await ask('eth_blockNumber', []), `0x${stuckAt.toString(16)}`);
      assert.equal(await ask('eth_getBlockByNumber', [`0x${(stuckAt + 1).toString(16)}`, false]), null);
      assert.equal(((await ask('eth_getBlockByNumber', ['latest', false])) as { number: string }).number, `0x${stuckAt.toString(16)}`);
      assert.equal(await ask('eth_getTransactionReceipt', [tx]), null);
      assert.equal(((await ask('eth_getTransactionByHash', [tx])) as { blockHash: unknown }).blockHash, null);
      lag.clear();
      assert.notEqual(await ask('eth_getTransactionReceipt', [tx]), null);
    } finally {
      await lag.close();
      await node.close();
    }
  });
});
