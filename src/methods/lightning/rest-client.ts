// A small JSON-over-HTTP(S) client for lightning node REST APIs. It is built on node:http and
// node:https rather than fetch because LND and clnrest serve self-signed TLS certificates that
// must be pinned with `ca`, which Node 20's built-in fetch cannot do without the undici package.
// Every request has a timeout and a response-size limit; streams are read line by line.

import http from 'node:http';
import https from 'node:https';
import { LightningBackendError } from './lightning-backend.ts';
import { LightningLimits } from './limits.ts';

export interface RestClientOptions {
  readonly baseUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  /** PEM certificate (or CA) the node's TLS certificate must chain to; system CAs when absent. */
  readonly caPem?: string;
  readonly timeoutMs: number;
}

export interface RestResponse {
  readonly status: number;
  readonly text: string;
  /** The Retry-After header, when the node (or a proxy in front of it) sent one. */
  readonly retryAfter: string | null;
}

/** Node's certificate-verification error codes (tls.TLSSocket 'error' err.code). */
const TLS_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_REJECTED',
]);
const TOO_LARGE = 'response larger than';
const NO_ANSWER = 'no answer within';

export class RestClient {
  readonly #base: URL;
  readonly #options: RestClientOptions;
  readonly #agent: http.Agent;

  constructor(options: RestClientOptions) {
    this.#base = new URL(options.baseUrl);
    this.#options = options;
    this.#agent = this.#base.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxSockets: LightningLimits.socketsMax, ...(options.caPem !== undefined ? { ca: options.caPem } : {}) })
      : new http.Agent({ keepAlive: true, maxSockets: LightningLimits.socketsMax });
  }

  get origin(): string {
    return this.#base.origin;
  }

  /** One request; resolves with status and body text, rejects with an 'unreachable' error on I/O failure. */
  request(method: 'GET' | 'POST', path: string, body?: unknown, options: { signal?: AbortSignal | undefined; timeoutMs?: number } = {}): Promise<RestResponse> {
    const signal = options.signal;
    return new Promise((resolve, reject) => {
      const req = this.#open(method, path, body, signal, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > LightningLimits.responseBytesMax) {
            req.destroy(new Error(`${TOO_LARGE} ${LightningLimits.responseBytesMax} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
        });
        res.on('error', (error) => reject(this.#unreachable(error)));
      }, options.timeoutMs ?? this.#options.timeoutMs);
      req.on('error', (error) => reject(this.#unreachable(error)));
    });
  }

  /**
   * Opens a streaming GET and calls `onLine` for each newline-delimited line. Resolves when the
   * server ends the stream; rejects on a non-2xx status or I/O failure. Abort the signal to stop.
   */
  stream(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = this.#open('GET', path, undefined, signal, (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          res.resume();
          reject(new LightningBackendError('protocol', `stream ${path} answered HTTP ${res.statusCode}`));
          return;
        }
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          pending += chunk;
          if (pending.length > LightningLimits.responseBytesMax) {
            req.destroy(new Error('stream line too long'));
            return;
          }
          let newline = pending.indexOf('\n');
          while (newline >= 0) {
            const line = pending.slice(0, newline).trim();
            pending = pending.slice(newline + 1);
            newline = pending.indexOf('\n');
            if (line === '') continue;
            try {
              onLine(line);
            } catch (error) {
              // A line the caller cannot read ends this stream; the caller reconnects or polls.
              req.destroy(error instanceof Error ? error : new Error(String(error)));
              return;
            }
          }
        });
        res.on('end', () => resolve());
        res.on('error', (error) => reject(this.#unreachable(error)));
      }, 0);
      req.on('error', (error) => {
        if (error instanceof LightningBackendError) reject(error);
        else if (error instanceof SyntaxError) reject(new LightningBackendError('protocol', `unreadable stream line: ${error.message}`));
        else reject(signal.aborted ? new LightningBackendError('unreachable', 'stream stopped') : this.#unreachable(error));
      });
    });
  }

  close(): void {
    this.#agent.destroy();
  }

  #open(method: string, path: string, body: unknown, signal: AbortSignal | undefined,
    onResponse: (res: http.IncomingMessage) => void, timeoutMs: number): http.ClientRequest {
    const url = new URL(path, this.#base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json', ...this.#options.headers };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, { method, headers, agent: this.#agent, ...(signal !== undefined ? { signal } : {}) }, onResponse);
    if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new Error(`${NO_ANSWER} ${timeoutMs} ms`)));
    req.end(payload);
    return req;
  }

  /** Classifies an I/O failure: a refused certificate and an oversized answer are told apart from a dead node. */
  #unreachable(error: Error): LightningBackendError {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && TLS_ERROR_CODES.has(code)) {
      return new LightningBackendError('tls', `${this.#base.origin}: TLS certificate refused (${code}: ${error.message}); ` +
        'the pinned certificate must be LND\'s tls.cert or clnrest\'s ca.pem, and the URL host must be one of its names');
    }
    if (error.message.startsWith(TOO_LARGE)) return new LightningBackendError('too_large', `${this.#base.origin}: ${error.message}`);
    if (error.message.startsWith(NO_ANSWER)) return new LightningBackendError('timeout', `${this.#base.origin}: ${error.message}`);
    return new LightningBackendError('unreachable', `${this.#base.origin} unreachable: ${error.message}`);
  }
}
