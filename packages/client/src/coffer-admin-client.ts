// The /admin operator API client, authenticated with the server's admin token (Bearer). Keep
// it on the operator's side: the token can create accounts and move balances.

import { bearerAuthorization, transportSettings } from './client-options.ts';
import type { CommonClientOptions } from './client-options.ts';
import { AdminAccountsResource } from './admin/accounts.ts';
import { AdminChargesResource } from './admin/charges.ts';
import { AdminCredentialsResource } from './admin/credentials.ts';
import { AdminInvoicesResource } from './admin/invoices.ts';
import { AdminLedgerResource } from './admin/ledger.ts';
import { Transport } from './transport.ts';

export interface CofferAdminClientOptions extends CommonClientOptions {
  /** COFFER_ADMIN_TOKEN of the server. */
  readonly adminToken: string;
}

export class CofferAdminClient {
  readonly accounts: AdminAccountsResource;
  readonly credentials: AdminCredentialsResource;
  readonly charges: AdminChargesResource;
  readonly invoices: AdminInvoicesResource;
  readonly ledger: AdminLedgerResource;

  constructor(options: CofferAdminClientOptions) {
    const transport = new Transport(transportSettings(options, bearerAuthorization(options.adminToken, 'adminToken')));
    this.accounts = new AdminAccountsResource(transport);
    this.credentials = new AdminCredentialsResource(transport);
    this.charges = new AdminChargesResource(transport);
    this.invoices = new AdminInvoicesResource(transport);
    this.ledger = new AdminLedgerResource(transport);
  }
}
