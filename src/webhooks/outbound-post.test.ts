// Proves the outbound guard: hosts resolving to any non-public address are refused before a
// connection is made, non-http schemes are refused, the response is read only up to the cap,
// and the connection goes to the address that was checked (the resolver is asked once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../core/clock.ts';
import { checkedAddress, createWebhookSender, RefusedTargetError } from './outbound-post.ts';
import type { ResolvedAddress } from './outbound-post.ts';

const fixed = (addresses: ResolvedAddress[]) => async () => addresses;
const request = (url: string) => ({ url, body: '{}', eventId: 'evt_1', eventType: 'invoice.complete', deliveryId: 'whd_1', attempt: 1, secrets: [] });

test('names resolving to private, loopback or mixed addresses are refused; public ones pass', async () => {
  const strict = { allowPrivate: false };
  for (const addresses of [[{ address: '10.0.0.5', family: 4 }], [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }], [{ address: '::1', family: 6 }], []]) {
    await assert.rejects(checkedAddress(new URL('https://hooks.example.com/x'), strict, fixed(addresses)), RefusedTargetError);
  }
  await assert.rejects(checkedAddress(new URL('http://169.254.169.254/latest/meta-data'), strict, fixed([])), RefusedTargetError);
  await assert.rejects(checkedAddress(new URL('http://[::ffff:127.0.0.1]:8080/'), strict, fixed([])), RefusedTargetError);
  await assert.rejects(checkedAddress(new URL('ftp://hooks.example.com/'), { allowPrivate: true }, fixed([{ address: '93.184.216.34', family: 4 }])), /only http and https/);
  assert.deepEqual(await checkedAddress(new URL('https://hooks.example.com/'), strict, fixed([{ address: '93.184.216.34', family: 4 }])), { address: '93.184.216.34', family: 4 });
  assert.deepEqual(await checkedAddress(new URL('http://127.0.0.1:9/'), { allowPrivate: true }, fixed([])), { address: '127.0.0.1', family: 4 });
});

test('the sender connects to the checked address, caps the response and never follows redirects', async () => {
  const big = Buffer.alloc(200_000, 'x');
  const server = http.createServer((req, res) => {
    if (req.url === '/big') res.writeHead(500).end(big);
    else if (req.url === '/moved') res.writeHead(301, { location: 'http://127.0.0.1/elsewhere' }).end();
    else res.writeHead(200).end('thanks');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let lookups = 0;
  // A name only our resolver knows: the request can only succeed by connecting to the checked address.
  const resolve = async () => { lookups++; return [{ address: '127.0.0.1', family: 4 }]; };
  const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 2000, responseBytesMax: 1024, socketsPerHostMax: 2 }, { clock: systemClock, resolve });
  try {
    const ok = await sender.send(request(`http://receiver.invalid:${port}/ok`));
    assert.equal(ok.ok, true, ok.error ?? '');
    assert.equal(ok.responseExcerpt, 'thanks');
    assert.equal(lookups, 1);
    const capped = await sender.send(request(`http://receiver.invalid:${port}/big`));
    assert.equal(capped.ok, false);
    assert.match(capped.error ?? '', /HTTP 500; response over 1024 bytes/);
    assert.ok((capped.responseExcerpt ?? '').length <= 512);
    const moved = await sender.send(request(`http://receiver.invalid:${port}/moved`));
    assert.equal(moved.statusCode, 301);
    assert.match(moved.error ?? '', /redirect not followed/);
    const strict = createWebhookSender({ allowPrivate: false, timeoutMs: 2000, responseBytesMax: 1024, socketsPerHostMax: 2 }, { clock: systemClock, resolve });
    const refused = await strict.send(request(`http://receiver.invalid:${port}/ok`));
    assert.match(refused.error ?? '', /^refused: receiver\.invalid resolves to non-public address 127\.0\.0\.1/);
    strict.close();
  } finally {
    sender.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
