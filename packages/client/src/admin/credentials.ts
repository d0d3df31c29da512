// /admin/credentials: revocation. Revoking twice is harmless, so a retried revoke is safe.

import { objectResult } from '../response.ts';
import type { RevokedCredential } from '../wire-types.ts';
import type { Result } from '../response.ts';
import { segment } from '../path-segment.ts';
import type { CallOptions, Transport } from '../transport.ts';

export type { RevokedCredential } from '../wire-types.ts';

export class AdminCredentialsResource {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** POST /admin/credentials/{id}/revoke: the credential stops working at once on this server. */
  async revoke(credentialId: string, options?: CallOptions): Promise<Result<RevokedCredential>> {
    return objectResult<RevokedCredential>(await this.#transport.send({ method: 'POST', path: `/credentials/${segment(credentialId)}/revoke` }, options));
  }
}
