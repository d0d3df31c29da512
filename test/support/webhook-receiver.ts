// A real HTTP webhook receiver on 127.0.0.1 for tests and benches. It logs every request it
// reads and answers according to its mode: ok (204), status500, slow (never answers), garbage
// (bytes that are not HTTP), redirect (302). `down()` stops listening (connections refused)
// and `up()` listens again on the same port, like a receiver restarting.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverMode = 'ok' | 'status500' | 'slow' | 'garbage' | 'redirect';

export interface ReceivedWebhook {
  readonly path: string;
  readonly eventId: string;
  readonly signature: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The mode the request was answered in; `ok` ones are the ones delivered. */
  readonly answeredAs: ReceiverMode;
  readonly receivedAtMs: number;
}

export class WebhookReceiver {
  mode: ReceiverMode = 'ok';
  /** Optional per-request override: return a mode for this request (e.g. fail one event twice). */
  decide: ((eventId: string, body: string) => ReceiverMode | null) | null = null;
  readonly received: ReceivedWebhook[] = [];
  /** Called on every accepted delivery (benches measure lag here). */
  onAccepted: ((hook: ReceivedWebhook) => void) | null = null;
  readonly #server: http.Server;
  readonly #held = new Set<http.ServerResponse>();
  #port = 0;

  private constructor() {
    this.#server = http.createServer((req, res) => this.#handle(req, res));
    this.#server.keepAliveTimeout = 5000;
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await receiver.up();
    return receiver;
  }

  get port(): number {
    return this.#port;
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.#port}${path}`;
  }

  /** Delivered (answered 2xx) webhooks, in arrival order. */
  get accepted(): ReceivedWebhook[] {
    return this.received.filter((r) => r.answeredAs === 'ok');
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const eventId = String(req.headers['coffer-event-id'] ?? '');
      const mode = this.decide?.(eventId, body) ?? this.mode;
      const hook: ReceivedWebhook = {
        path: req.url ?? '', eventId, signature: req.headers['coffer-signature'] as string | undefined, headers: req.headers, body,
        answeredAs: mode, receivedAtMs: performance.now(),
      };
      this.received.push(hook);
      switch (mode) {
        case 'ok': res.writeHead(204).end(); this.onAccepted?.(hook); return;
        case 'status500': res.writeHead(500, { 'content-type': 'text/plain' }).end('receiver error'); return;
        case 'redirect': res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end(); return;
        case 'slow': this.#held.add(res); res.on('close', () => this.#held.delete(res)); return;
        case 'garbage': req.socket.end('\x00\x01 this is not HTTP at all\r\n\r\n'); return;
      }
    });
  }

  async up(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, '127.0.0.1', () => { this.#server.off('error', reject); resolve(); });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    for (const res of this.#held) res.destroy();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async close(): Promise<void> {
    if (this.#server.listening) await this.down();
  }
}
