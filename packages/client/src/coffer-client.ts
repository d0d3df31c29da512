// The /v2 customer API client (Bitrefill-v2-compatible account endpoints). Business accounts
// authenticate with their API id and secret (HTTP Basic), personal accounts with their API key
// (Bearer); a client with neither can only ping.

import { transportSettings, basicAuthorization, bearerAuthorization } from './client-options.ts';
import type { CommonClientOptions } from './client-options.ts';
import { CofferInputError } from './errors.ts';
import { objectResult } from './response.ts';
import type { Result } from './response.ts';
import { AccountsResource } from './resources/accounts.ts';
import { InvoicesResource } from './resources/invoices.ts';
import { SandboxResource } from './resources/sandbox.ts';
import { Transport } from './transport.ts';
import type { CallOptions } from './transport.ts';

export interface CofferClientOptions extends CommonClientOptions {
  /** Business accounts: the API id (with apiSecret). */
  readonly apiId?: string;
  readonly apiSecret?: string;
  /** Personal accounts: the API key. */
  readonly apiKey?: string;
}

export class CofferClient {
  readonly accounts: AccountsResource;
  readonly invoices: InvoicesResource;
  readonly sandbox: SandboxResource;
  readonly #transport: Transport;

  constructor(options: CofferClientOptions) {
    this.#transport = new Transport(transportSettings(options, authorizationOf(options)));
    this.accounts = new AccountsResource(this.#transport);
    this.invoices = new InvoicesResource(this.#transport);
    this.sandbox = new SandboxResource(this.#transport);
  }

  /** GET /ping (no credentials needed): `{ message: 'pong' }`. */
  async ping(options?: CallOptions): Promise<Result<{ readonly message: string }>> {
    return objectResult<{ message: string }>(await this.#transport.send({ method: 'GET', path: '/ping' }, options));
  }
}

function authorizationOf(options: CofferClientOptions): string | null {
  const basic = options.apiId !== undefined || options.apiSecret !== undefined;
  if (basic && options.apiKey !== undefined) throw new CofferInputError('Give either apiId + apiSecret (business) or apiKey (personal), not both', 'apiKey');
  if (basic) {
    if (!options.apiId || !options.apiSecret) throw new CofferInputError('apiId and apiSecret go together', options.apiId ? 'apiSecret' : 'apiId');
    return basicAuthorization(options.apiId, options.apiSecret);
  }
  return options.apiKey === undefined ? null : bearerAuthorization(options.apiKey, 'apiKey');
}
