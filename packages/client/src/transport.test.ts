// Proves the transport's behaviour over real HTTP against a scripted local server: retries of
// network failures, 5xx and 409 reuse one Idempotency-Key; timeouts, caller aborts, redirects,
// non-JSON and non-envelope answers surface as the right error classes; _next never leaves the
// configured host. (The Coffer server itself is exercised in test/sdk-*.test.ts.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CofferClient } from './coffer-client.ts';
import { CofferAdminClient } from './coffer-admin-client.ts';
import {
  CofferApiError, CofferConnectionError, CofferInvalidResponseError, CofferServerError, CofferTimeoutError,
} from './errors.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
interface Seen { readonly method: string; readonly url: string; readonly key: string | undefined; readonly body: string }

let server: Server;
let base: string;
let handler: Handler = (_req, res) => res.end();
const seen: Seen[] = [];
// Each test's requests carry its generation; a late request from an earlier test (one that
// timed out client-side before the server read it) is answered and ignored.
let generation = 0;

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
    req.on('end', () => {
      if (req.headers['x-generation'] !== String(generation)) return void res.writeHead(410).end();
      seen.push({ method: req.method ?? '', url: req.url ?? '', key: req.headers['idempotency-key'] as string | undefined, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_test', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};
const client = (extra: Partial<ConstructorParameters<typeof CofferClient>[0]> = {}) =>
  new CofferClient({ baseUrl: `${base}/v2`, apiKey: 'k', sleep: async () => {}, headers: { 'x-generation': String(generation) }, ...extra });
function script(...steps: Handler[]): void {
  generation++;
  seen.length = 0;
  let i = 0;
  handler = (req, res, body) => (steps[Math.min(i++, steps.length - 1)]!)(req, res, body);
}

test('a POST answered 503 then 200 is retried with the same Idempotency-Key and body', async () => {
  script(
    (_q, res) => json(res, 503, { meta: { _endpoint: '/accounts/deposit' }, message: 'down', error_code: 'service_unavailable' }),
    (_q, res) => json(res, 200, { meta: { _endpoint: '/accounts/deposit' }, data: { id: 'inv', amount: 10.5 } }),
  );
  const invoice = await client().accounts.createDeposit({ currency: 'USD', payment_method: 'bitcoin', amount: '10.50' });
  assert.equal(invoice.amount, '10.5');
  assert.equal(invoice.lastResponse.attempts, 2);
  assert.equal(seen.length, 2);
  assert.ok(seen[0]!.key && seen[0]!.key === seen[1]!.key);
  assert.equal(seen[0]!.body, '{"currency":"USD","payment_method":"bitcoin","amount":10.50}');
  assert.equal(seen[1]!.body, seen[0]!.body);
});

test('retries are bounded: a server that keeps failing yields CofferServerError after maxRetries + 1 attempts', async () => {
  script((_q, res) => { res.writeHead(502, { 'content-type': 'text/html' }); res.end('<html>bad gateway</html>'); });
  const error = await client({ maxRetries: 3 }).accounts.getBalance().catch((e: unknown) => e);
  assert.ok(error instanceof CofferServerError);
  assert.equal(error.status, 502);
  assert.equal(error.errorCode, null);
  assert.match(error.body, /bad gateway/);
  assert.equal(seen.length, 4);
});

test('a dropped connection is a CofferConnectionError once retries run out', async () => {
  script((req) => req.socket.destroy());
  const error = await client({ maxRetries: 1 }).ping().catch((e: unknown) => e);
  assert.ok(error instanceof CofferConnectionError, String(error));
  assert.equal(seen.length, 2);
});

test('an attempt that never answers times out as CofferTimeoutError', async () => {
  script(() => { /* never answers */ });
  const error = await client({ maxRetries: 0, timeoutMs: 50 }).ping().catch((e: unknown) => e);
  assert.ok(error instanceof CofferTimeoutError);
  assert.equal(error.timeoutMs, 50);
});

test("the caller's AbortSignal stops the call during a wait between retries", async () => {
  script((_q, res) => json(res, 500, { meta: { _endpoint: '/ping' }, message: 'x', error_code: 'internal_error' }));
  const controller = new AbortController();
  const sleep = (_ms: number, signal?: AbortSignal) => {
    controller.abort(new Error('caller gave up'));
    return Promise.reject(signal?.reason);
  };
  await assert.rejects(client({ sleep }).ping({ signal: controller.signal }), /caller gave up/);
  assert.equal(seen.length, 1);
});

test('a redirect is not followed: it surfaces as an error naming baseUrl', async () => {
  script((_q, res) => { res.writeHead(301, { location: 'https://elsewhere.example/v2/ping' }); res.end(); });
  const error = await client().ping().catch((e: unknown) => e);
  assert.ok(error instanceof CofferApiError);
  assert.equal(error.status, 301);
  assert.match(error.message, /baseUrl/);
  assert.equal(seen.length, 1);
});

test('a 200 without the JSON envelope is a CofferInvalidResponseError', async () => {
  script((_q, res) => json(res, 200, '<html>captive portal</html>'));
  const error = await client().ping().catch((e: unknown) => e);
  assert.ok(error instanceof CofferInvalidResponseError);
  assert.equal(error.requestId, 'req_test');
});

test('meta._next is followed on the configured host, whatever host it names', async () => {
  script(
    (_q, res) => json(res, 200, { meta: { _endpoint: '/invoices', start: 0, limit: 1, _next: 'http://internal.invalid:9/v2/invoices?start=1&limit=1' }, data: [{ id: 'a' }] }),
    (_q, res) => json(res, 200, { meta: { _endpoint: '/invoices', start: 1, limit: 1 }, data: [{ id: 'b' }] }),
  );
  const ids: string[] = [];
  for await (const invoice of client().invoices.iterate({ limit: 1 })) ids.push(invoice.id);
  assert.deepEqual(ids, ['a', 'b']);
  assert.deepEqual(seen.map((s) => s.url), ['/v2/invoices?limit=1', '/v2/invoices?start=1&limit=1']);
});

test('a _next that does not advance is refused instead of looping', async () => {
  script((_q, res) => json(res, 200, { meta: { _endpoint: '/invoices', start: 0, limit: 1, _next: `${base}/v2/invoices?start=0&limit=1` }, data: [{ id: 'a' }] }));
  const page = await client().invoices.list({ limit: 1 });
  await assert.rejects(page.nextPage(), CofferInvalidResponseError);
});

test('ledger verify returns a drift report sent with status 500 instead of throwing or retrying it', async () => {
  const report = { transfers: 2, accounts: 3, drift: [{ ledgerAccount: 'x', stored: '1', computed: '2' }], imbalance: [], negative: [], ok: false };
  script((_q, res) => json(res, 500, { meta: { _endpoint: '/ledger/verify' }, data: report }));
  const admin = new CofferAdminClient({ baseUrl: `${base}/admin`, adminToken: 'token-0123456789abcdef', sleep: async () => {}, headers: { 'x-generation': String(generation) } });
  const result = await admin.ledger.verify();
  assert.equal(result.ok, false);
  assert.equal(result.transfers, 2);
  assert.equal(seen.length, 1);
});
