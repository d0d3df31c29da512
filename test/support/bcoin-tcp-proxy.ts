// A TCP relay in front of the regtest node that a test can take down and bring back on the same
// port: a real network outage between the watcher and its node, without stopping the node.

import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';

export class TcpProxy {
  readonly #targetPort: number;
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  port = 0;

  constructor(targetPort: number) {
    this.#targetPort = targetPort;
  }

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.#targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    if (address && typeof address !== 'string') this.port = address.port;
    this.#server = server;
  }

  /** Refuses new connections and cuts the open ones. */
  async down(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
