// What the rails' start-up tests share: a port nothing listens on, and the ConfigError a rail's
// start refuses with (a start that succeeds, or fails with another error, fails the test).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../src/core/errors.ts';

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The ConfigError `start` is refused with. */
export async function configErrorOf(start: Promise<unknown>): Promise<ConfigError> {
  try {
    await start;
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('expected the start to be refused');
}
