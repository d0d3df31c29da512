// POSTs one webhook safely: http(s) only; the host is resolved first and every address checked
// against the policy, then the connection goes to that checked address (no second lookup a DNS
// rebinding could change); a total timeout covers lookup, connect and response; the response
// body is read up to a cap; redirects are never followed (a 3xx is a failed attempt).

import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../core/clock.ts';
import type { OutboundRequest, OutboundResult, WebhookSender } from '../usecases/webhook-deliver.ts';
import { isPublicAddress } from './address-policy.ts';
import { EventIdHeaderName, SignatureHeaderName, signatureHeader } from './signature.ts';
import { WebhookLimits } from '../core/limits.ts';

export interface OutboundPolicy {
  /** Allow loopback, private and other non-public targets (COFFER_WEBHOOK_ALLOW_PRIVATE). */
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly responseBytesMax: number;
  /** Idle keep-alive sockets per host kept for the next delivery. */
  readonly socketsPerHostMax: number;
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

const USER_AGENT = 'Coffer-Webhooks/1';
const systemResolver: Resolver = async (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export class RefusedTargetError extends Error {
  override readonly name = 'RefusedTargetError';
}

/** Resolves and checks the target; returns the one address to connect to. */
export async function checkedAddress(url: URL, policy: Pick<OutboundPolicy, 'allowPrivate'>, resolve: Resolver): Promise<ResolvedAddress> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RefusedTargetError(`only http and https targets are allowed, not ${url.protocol}`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = isIP(host);
  const addresses = literal !== 0 ? [{ address: host, family: literal }] : await resolve(host);
  if (addresses.length === 0) throw new RefusedTargetError(`${host} did not resolve`);
  if (!policy.allowPrivate) {
    // Every address must be public: a name that also resolves privately could be steered there.
    const blocked = addresses.find((a) => !isPublicAddress(a.address));
    if (blocked) throw new RefusedTargetError(`${host} resolves to non-public address ${blocked.address}; set COFFER_WEBHOOK_ALLOW_PRIVATE=true to allow it`);
  }
  return addresses[0]!;
}

function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

export interface WebhookSenderHandle {
  readonly send: WebhookSender;
  close(): void;
}

export function createWebhookSender(policy: OutboundPolicy, deps: { clock: Clock; resolve?: Resolver }): WebhookSenderHandle {
  const resolve = deps.resolve ?? systemResolver;
  const agentOptions = { keepAlive: true, maxSockets: policy.socketsPerHostMax, maxFreeSockets: policy.socketsPerHostMax, timeout: WebhookLimits.idleSocketMs };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);

  async function send(request: OutboundRequest): Promise<OutboundResult> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    const fail = (error: string, statusCode: number | null = null, responseExcerpt: string | null = null): OutboundResult =>
      ({ ok: false, statusCode, error, responseExcerpt, durationMs: elapsed() });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return fail('invalid URL');
    }
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), policy.timeoutMs);
    try {
      let target: ResolvedAddress;
      try {
        target = await Promise.race([
          checkedAddress(url, policy, resolve),
          new Promise<never>((_, reject) => deadline.signal.addEventListener('abort', () => reject(new Error(`timed out after ${policy.timeoutMs} ms resolving ${url.hostname}`)))),
        ]);
      } catch (error) {
        return fail(error instanceof RefusedTargetError ? `refused: ${error.message}` : (error as Error).message);
      }
      const body = Buffer.from(request.body, 'utf8');
      const headers: Record<string, string | number> = {
        'content-type': 'application/json', 'content-length': body.length, 'user-agent': USER_AGENT,
        'Coffer-Event-Type': request.eventType, 'Coffer-Delivery-Id': request.deliveryId, 'Coffer-Delivery-Attempt': request.attempt,
      };
      if (request.eventId !== null) headers[EventIdHeaderName] = request.eventId;
      if (request.batchSize !== undefined) headers['Coffer-Batch-Size'] = request.batchSize;
      if (request.secrets.length > 0) {
        headers[SignatureHeaderName] = signatureHeader(request.secrets, Math.floor(deps.clock.now().getTime() / 1000), request.body);
      }
      return await post(url, target, headers, body, deadline.signal, elapsed);
    } finally {
      clearTimeout(timer);
    }
  }

  function post(url: URL, target: ResolvedAddress, headers: Record<string, string | number>, body: Buffer, signal: AbortSignal, elapsed: () => number): Promise<OutboundResult> {
    const secure = url.protocol === 'https:';
    return new Promise<OutboundResult>((resolvePost) => {
      let settled = false;
      const finish = (result: Omit<OutboundResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        resolvePost({ ...result, durationMs: elapsed() });
      };
      const req = (secure ? https : http).request({
        protocol: url.protocol, hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port || (secure ? 443 : 80), path: `${url.pathname}${url.search}`, method: 'POST', headers,
        agent: secure ? httpsAgent : httpAgent, lookup: pinnedLookup(target), signal,
        ...(secure && isIP(url.hostname) === 0 ? { servername: url.hostname } : {}),
      }, (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (capped: boolean) => {
          const excerpt = Buffer.concat(chunks).subarray(0, WebhookLimits.responseExcerptBytesMax).toString('utf8');
          const ok = status >= 200 && status < 300;
          const error = ok ? null
            : status >= 300 && status < 400 ? `redirect not followed (HTTP ${status}${res.headers.location ? ` to ${String(res.headers.location).slice(0, 200)}` : ''})`
              : `HTTP ${status}`;
          finish({ ok, statusCode: status, error: capped && !ok ? `${error}; response over ${policy.responseBytesMax} bytes` : error, responseExcerpt: excerpt || null });
        };
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (chunks.reduce((n, c) => n + c.length, 0) < WebhookLimits.responseExcerptBytesMax) chunks.push(chunk);
          if (size > policy.responseBytesMax) {
            // Stop reading: the status is known, and the rest of the body is of no use to us.
            done(true);
            res.destroy();
          }
        });
        res.on('end', () => done(false));
        const broken = (what: string) => finish({ ok: false, statusCode: status, error: signal.aborted ? `timed out after ${policy.timeoutMs} ms reading the response` : what, responseExcerpt: null });
        res.on('error', (error) => broken(`response error: ${error.message}`));
        res.on('aborted', () => broken('response aborted'));
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const message = signal.aborted ? `timed out after ${policy.timeoutMs} ms` : `${error.code ?? 'error'}: ${error.message}`;
        finish({ ok: false, statusCode: null, error: message, responseExcerpt: null });
      });
      req.end(body);
    });
  }

  return {
    send,
    close: () => { httpAgent.destroy(); httpsAgent.destroy(); },
  };
}
