// A webhook receiver in its own process (its own core), for bench/webhooks-delivery.ts: answers
// 204 and reports [event id, receive time (epoch ms, sub-ms)] batches to the parent over IPC
// (every event of a batched request).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

let batch: Array<[string, number]> = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    if (req.headers['coffer-batch-size'] === undefined) batch.push([String(req.headers['coffer-event-id'] ?? ''), at]);
    else for (const event of (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: Array<{ id: string }> }).events) batch.push([event.id, at]);
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 10_000;
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
const flush = setInterval(() => {
  if (batch.length === 0) return;
  process.send!({ received: batch });
  batch = [];
}, 20);
process.on('disconnect', () => process.exit(0));
process.on('message', (message: { stop?: boolean }) => {
  if (message.stop) { clearInterval(flush); server.closeAllConnections(); server.close(); process.disconnect(); }
});
