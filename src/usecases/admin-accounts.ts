// The operator's account operations, shared by the admin API and the console (issue 19: two
// skins on one set of operations): search, view, create, freeze/unfreeze, credentials, charges
// and refunds. Each write is audited inside its own transaction (operator-audit.ts).

import type { Account, Charge, Credential } from '../core/account.ts';
import { CofferError } from '../core/errors.ts';
import type { PostedTransfer } from '../core/ledger.ts';
import type { Deps } from './deps.ts';
import type { RecordResponse } from './idempotency.ts';
import { chargeAccount, refundCharge } from './charge-account.ts';
import type { ChargeInput, ChargeResult, RefundInput } from './charge-account.ts';
import { createAccount, issueCredential, revokeCredential } from './manage-accounts.ts';
import type { CreatedAccount, IssuedCredential } from './manage-accounts.ts';
import { setAccountStatus } from './account-status.ts';
import { accountBalances } from './read-account.ts';
import type { AccountBalance } from './read-account.ts';
import { audited } from './operator-audit.ts';
import type { Actor } from './operator-audit.ts';
import { AdminLimits } from '../core/limits.ts';


/** A credential as an operator sees it: never its secret or the secret's hash. */
export type CredentialView = Omit<Credential, 'secretHash'>;

export interface AccountDetail {
  readonly account: Account;
  readonly balances: readonly AccountBalance[];
  readonly credentials: readonly CredentialView[];
  readonly charges: readonly Charge[];
  readonly transfers: readonly PostedTransfer[];
  readonly email: string | null;
}

export function credentialView(credential: Credential): CredentialView {
  const { secretHash: _hidden, ...view } = credential;
  return view;
}

const accountState = (a: Account) => ({ id: a.id, type: a.type, currency: a.currency, status: a.status, label: a.label });

export async function findAccount(deps: Pick<Deps, 'store'>, id: string): Promise<Account> {
  const account = await deps.store.accounts.get(id);
  if (!account) throw new CofferError('not_found', 'No such account');
  return account;
}

export async function accountWithBalances(deps: Pick<Deps, 'store'>, id: string): Promise<{ account: Account; balances: AccountBalance[] }> {
  const account = await findAccount(deps, id);
  return { account, balances: await accountBalances(deps.store, account) };
}

export async function accountDetail(deps: Pick<Deps, 'store'>, id: string): Promise<AccountDetail> {
  const { account, balances } = await accountWithBalances(deps, id);
  const [credentials, charges, transfers, email] = await Promise.all([
    deps.store.accounts.listCredentials(id), deps.store.admin.chargesForAccount(id, AdminLimits.accountHistoryMax),
    deps.store.admin.transfersForAccount(id, AdminLimits.accountHistoryMax), deps.store.web.emailOfAccount(id),
  ]);
  return { account, balances, credentials: credentials.map(credentialView), charges, transfers, email };
}

export function searchAccounts(deps: Pick<Deps, 'store'>, text: string, limit = 50): Promise<Account[]> {
  return deps.store.admin.searchAccounts(text.trim().slice(0, 200), Math.min(limit, AdminLimits.accountSearchMax));
}

export function adminCreateAccount(deps: Pick<Deps, 'store' | 'clock'>, actor: Actor, input: { type: string; currency: string; label?: string | undefined }, record?: RecordResponse<CreatedAccount>): Promise<CreatedAccount> {
  return createAccount(deps, input, audited(deps, actor, { action: 'account.create', target: 'account:new', after: (r: CreatedAccount) => ({ ...accountState(r.account), credential_id: r.issued.credential.id }) }, record));
}

export async function adminSetAccountStatus(deps: Pick<Deps, 'store' | 'clock'>, actor: Actor, id: string, status: 'active' | 'frozen', record?: RecordResponse<Account>): Promise<Account> {
  const before = await findAccount(deps, id);
  return setAccountStatus(deps, id, status, audited(deps, actor, {
    action: status === 'frozen' ? 'account.freeze' : 'account.unfreeze', target: `account:${id}`, before: accountState(before), after: accountState,
  }, record));
}

export async function adminIssueCredential(deps: Pick<Deps, 'store' | 'clock'>, actor: Actor, accountId: string, label: string | null, record?: RecordResponse<IssuedCredential>): Promise<IssuedCredential> {
  return issueCredential(deps, accountId, label, audited(deps, actor, {
    action: 'credential.create', target: `account:${accountId}`, after: (r: IssuedCredential) => credentialView(r.credential),
  }, record));
}

export async function adminRevokeCredential(deps: Pick<Deps, 'store' | 'clock'>, actor: Actor, credentialId: string, accountId?: string, record?: RecordResponse<string>): Promise<void> {
  const before = await deps.store.accounts.getCredential(credentialId);
  if (!before || (accountId !== undefined && before.accountId !== accountId)) throw new CofferError('not_found', 'No such credential');
  await revokeCredential(deps, credentialId, accountId, audited(deps, actor, {
    action: 'credential.revoke', target: `account:${before.accountId}`, before: credentialView(before), after: () => ({ id: credentialId, revoked: true }),
  }, record));
}

const chargeState = (r: ChargeResult) => ({
  charge_id: r.charge.id, account_id: r.charge.accountId, currency: r.charge.currency, amount_minor: r.charge.amountMinor,
  refunded_minor: r.charge.refundedMinor, balance_minor: r.balanceMinor, replayed: r.replayed,
});

export function adminCharge(deps: Deps, actor: Actor, input: ChargeInput, record?: RecordResponse<ChargeResult>): Promise<ChargeResult> {
  return chargeAccount(deps, input, audited(deps, actor, { action: 'account.charge', target: `account:${input.accountId}`, after: chargeState }, record));
}

export async function adminRefund(deps: Deps, actor: Actor, input: RefundInput, record?: RecordResponse<ChargeResult>): Promise<ChargeResult> {
  const charge = await deps.store.charges.get(input.chargeId);
  if (!charge) throw new CofferError('not_found', 'No such charge');
  return refundCharge(deps, input, audited(deps, actor, {
    action: 'charge.refund', target: `account:${charge.accountId}`, before: { charge_id: charge.id, refunded_minor: charge.refundedMinor }, after: chargeState,
  }, record));
}

export type { ChargeResult } from './charge-account.ts';

/** The account a credential belongs to (404 when there is no such credential). */
export async function credentialAccount(deps: Pick<Deps, 'store'>, credentialId: string): Promise<string> {
  const credential = await deps.store.accounts.getCredential(credentialId);
  if (!credential) throw new CofferError('not_found', 'No such credential');
  return credential.accountId;
}

export async function findCharge(deps: Pick<Deps, 'store'>, chargeId: string): Promise<Charge> {
  const charge = await deps.store.charges.get(chargeId);
  if (!charge) throw new CofferError('not_found', 'No such charge');
  return charge;
}
