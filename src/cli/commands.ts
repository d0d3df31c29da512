// `coffer` commands that act on the database: accounts, keys, charges, ledger verification.

import { CurrencyScale } from '../core/assets.ts';
import { formatDecimal } from '../core/money.ts';
import type { UseCases } from '../usecases/use-cases.ts';
import type { IssuedCredential } from '../usecases/manage-accounts.ts';
import { output, parse, progress, required, UsageError } from './args.ts';

function credentialJson(accountId: string, issued: IssuedCredential): Record<string, string> {
  return issued.apiKey !== undefined
    ? { account_id: accountId, credential_id: issued.credential.id, api_key: issued.apiKey }
    : { account_id: accountId, credential_id: issued.credential.id, api_id: issued.apiId!, api_secret: issued.apiSecret! };
}

function credentialText(issued: IssuedCredential): string {
  return issued.apiKey !== undefined
    ? `API key (Bearer, shown once): ${issued.apiKey}`
    : `API id: ${issued.apiId}\nAPI secret (shown once): ${issued.apiSecret}`;
}

export async function accountCommand(useCases: UseCases, args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, { type: { type: 'string' }, currency: { type: 'string' }, label: { type: 'string' } });
  const json = values.json === true;
  switch (sub) {
    case 'create': {
      const { account, issued } = await useCases.createAccount({
        type: required(values, 'type'), currency: (values.currency as string | undefined) ?? 'USD', label: values.label as string | undefined,
      });
      output(json, credentialJson(account.id, issued), `Created ${account.type} account ${account.id} (${account.currency})\n${credentialText(issued)}`);
      return 0;
    }
    case 'show': {
      const id = positionals[0];
      if (!id) throw new UsageError('usage: coffer account show <account-id>');
      const overview = await useCases.accountOverview(id);
      if (!overview) throw new UsageError(`no account ${id}`);
      const { account } = overview;
      const balances = overview.balances.map((b) => ({ currency: b.currency, balance: formatDecimal(b.balanceMinor, CurrencyScale[b.currency]) }));
      output(json, { account_id: account.id, type: account.type, status: account.status, currency: account.currency, balances },
        `${account.id} ${account.type} ${account.status}\n` + balances.map((b) => `  ${b.balance} ${b.currency}`).join('\n'));
      return 0;
    }
    case 'freeze': case 'unfreeze': {
      const id = positionals[0];
      if (!id) throw new UsageError(`usage: coffer account ${sub} <account-id>`);
      const account = await useCases.setAccountStatus(id, sub === 'freeze' ? 'frozen' : 'active');
      output(json, { account_id: account.id, status: account.status }, `${account.id} is now ${account.status}`);
      return 0;
    }
  }
  throw new UsageError('usage: coffer account create --type business|personal --currency USD [--json] | show <id> | freeze <id> | unfreeze <id>');
}

export async function keyCommand(useCases: UseCases, args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, { account: { type: 'string' }, label: { type: 'string' } });
  const json = values.json === true;
  if (sub === 'create') {
    const accountId = required(values, 'account');
    const issued = await useCases.issueCredential(accountId, (values.label as string | undefined) ?? null);
    output(json, credentialJson(accountId, issued), credentialText(issued));
    return 0;
  }
  if (sub === 'revoke' && positionals[0]) {
    await useCases.revokeCredential(positionals[0]);
    output(json, { credential_id: positionals[0], revoked: true }, `Revoked ${positionals[0]}`);
    return 0;
  }
  throw new UsageError('usage: coffer key create --account <id> [--json] | key revoke <credential-id>');
}

export async function chargeCommand(useCases: UseCases, args: readonly string[]): Promise<number> {
  const { values } = parse(args, { account: { type: 'string' }, amount: { type: 'string' }, currency: { type: 'string' }, key: { type: 'string' }, description: { type: 'string' } });
  const result = await useCases.chargeAccount({
    accountId: required(values, 'account'), amount: required(values, 'amount'), currency: required(values, 'currency'),
    idempotencyKey: required(values, 'key'), description: values.description as string | undefined,
  });
  const scale = CurrencyScale[result.charge.currency];
  output(values.json === true, { charge_id: result.charge.id, balance: formatDecimal(result.balanceMinor, scale), replayed: result.replayed },
    `Charged ${formatDecimal(result.charge.amountMinor, scale)} ${result.charge.currency} (${result.charge.id}); balance ${formatDecimal(result.balanceMinor, scale)}`);
  return 0;
}

export async function ledgerCommand(useCases: UseCases, args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parse(rest, {});
  if (sub !== 'verify') throw new UsageError('usage: coffer ledger verify [--json]');
  const report = await useCases.verifyLedger(progress('verifying transfers'));
  if (process.stderr.isTTY) process.stderr.write('\n');
  output(values.json === true, report, report.ok
    ? `ledger ok: ${report.transfers} transfers, ${report.accounts} accounts, zero drift`
    : `LEDGER PROBLEMS:\n${JSON.stringify({ drift: report.drift, imbalance: report.imbalance, negative: report.negative }, null, 2)}`);
  return report.ok ? 0 : 1;
}
