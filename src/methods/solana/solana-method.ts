// The usdc_solana payment-method adapter. Ed25519 has no public child derivation, so there are no
// per-invoice addresses: every invoice is a Solana Pay transfer request to the operator's one
// wallet (its USDC associated token account) with a fresh random `reference` key, which is the
// invoice's target key. Coffer never holds a private key. Start-up checks the node (cluster
// genesis hash, the mint is a 6-decimal SPL token mint, the token account is the owner's ATA of
// that mint) and refuses to start on a mismatch, naming the setting.

import { CofferError, ConfigError } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type {
  IndexAllocator, MethodHealth, PaymentMethodAdapter, PaymentTarget, TargetRequest, Watcher, WatcherContext,
} from '../../core/payment-method.ts';
import type { SolanaConfig } from './config.ts';
import { GenesisHashes, SOLANA_METHOD_ID, SolanaSettings } from './config.ts';
import { associatedTokenAddress, newReference, TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from './keys.ts';
import { USDC_DECIMALS } from './limits.ts';
import { SolanaRpc } from './rpc-client.ts';
import { transferRequestUri } from './solana-pay.ts';
import { SolanaWatcher } from './watcher.ts';

export { SOLANA_METHOD_ID };

export interface SolanaMethodDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
}

/** The accounts the rail pays into, as checked against the node at start. */
export interface SolanaAccounts {
  readonly owner: string;
  readonly tokenAccount: string;
  readonly mint: string;
}

export interface SolanaMethodAdapter extends PaymentMethodAdapter {
  readonly accounts: SolanaAccounts;
  readonly rpc: SolanaRpc;
}

/** getAccountInfo's value with encoding jsonParsed (solana.com/docs/rpc/http/getaccountinfo). */
interface ParsedAccount {
  readonly owner: string;
  readonly data: { readonly program?: string; readonly parsed?: { readonly type?: string; readonly info?: Readonly<Record<string, unknown>> } } | unknown[];
}

async function accountInfo(rpc: SolanaRpc, address: string, setting: string): Promise<ParsedAccount | null> {
  try {
    const result = await rpc.call('getAccountInfo', [address, { encoding: 'jsonParsed', commitment: 'confirmed' }]) as { value: ParsedAccount | null };
    return result.value;
  } catch (error) {
    throw new ConfigError(setting, `cannot read account ${address} (${(error as Error).message})`);
  }
}

function parsedOf(account: ParsedAccount): { type: string | undefined; info: Readonly<Record<string, unknown>> } {
  const data = Array.isArray(account.data) ? undefined : account.data;
  return { type: data?.parsed?.type, info: data?.parsed?.info ?? {} };
}

async function checkCluster(config: SolanaConfig, rpc: SolanaRpc): Promise<void> {
  let genesis: unknown;
  try {
    genesis = await rpc.call('getGenesisHash', []);
  } catch (error) {
    throw new ConfigError(SolanaSettings.rpcUrl, `cannot reach the Solana RPC node (${(error as Error).message})`);
  }
  const expected = GenesisHashes[config.cluster];
  if (expected !== undefined && genesis !== expected) {
    throw new ConfigError(SolanaSettings.cluster, `the node at ${SolanaSettings.rpcUrl} is not ${config.cluster} (genesis hash ${String(genesis)})`);
  }
}

/** The mint must be an SPL Token (or Token-2022) mint with USDC's 6 decimals; returns its program. */
async function checkMint(config: SolanaConfig, rpc: SolanaRpc): Promise<string> {
  const mint = await accountInfo(rpc, config.mint, SolanaSettings.mint);
  if (mint === null) throw new ConfigError(SolanaSettings.mint, `no account ${config.mint} on ${config.cluster}`);
  const { type, info } = parsedOf(mint);
  if ((mint.owner !== TOKEN_PROGRAM && mint.owner !== TOKEN_2022_PROGRAM) || type !== 'mint') {
    throw new ConfigError(SolanaSettings.mint, `${config.mint} is not an SPL token mint`);
  }
  if (info['decimals'] !== USDC_DECIMALS) {
    throw new ConfigError(SolanaSettings.mint, `mint ${config.mint} has ${String(info['decimals'])} decimals, USDC has ${USDC_DECIMALS}`);
  }
  return mint.owner;
}

/**
 * Resolves owner and token account: the token account must hold the mint, belong to the owner
 * and BE the owner's associated token account, because Solana Pay wallets derive the ATA from
 * the recipient and pay only there (SPEC.md "SPL Token").
 */
async function checkAccounts(config: SolanaConfig, rpc: SolanaRpc, tokenProgram: string): Promise<SolanaAccounts> {
  let owner = config.owner;
  if (config.tokenAccount !== null) {
    const account = await accountInfo(rpc, config.tokenAccount, SolanaSettings.tokenAccount);
    const { type, info } = account === null ? { type: undefined, info: {} } : parsedOf(account);
    if (account === null || type !== 'account') {
      throw new ConfigError(SolanaSettings.tokenAccount, `${config.tokenAccount} is not a token account on ${config.cluster}`);
    }
    if (info['mint'] !== config.mint) throw new ConfigError(SolanaSettings.tokenAccount, `holds mint ${String(info['mint'])}, not ${config.mint}`);
    if (owner !== null && info['owner'] !== owner) {
      throw new ConfigError(SolanaSettings.tokenAccount, `belongs to ${String(info['owner'])}, not ${SolanaSettings.owner} ${owner}`);
    }
    owner = String(info['owner']);
  }
  const ata = associatedTokenAddress(owner as string, config.mint, tokenProgram);
  if (config.tokenAccount !== null && config.tokenAccount !== ata) {
    throw new ConfigError(SolanaSettings.tokenAccount, `is not the associated token account of ${owner} (${ata}); Solana Pay wallets pay only the ATA`);
  }
  if (config.tokenAccount === null) {
    const account = await accountInfo(rpc, ata, SolanaSettings.owner);
    if (account === null || parsedOf(account).type !== 'account') {
      throw new ConfigError(SolanaSettings.owner, `${owner} has no token account for ${config.mint} (expected ${ata}): create it first`);
    }
  }
  return { owner: owner as string, tokenAccount: ata, mint: config.mint };
}

export async function createSolanaMethod(config: SolanaConfig, deps: SolanaMethodDeps): Promise<SolanaMethodAdapter> {
  const rpc = new SolanaRpc(config.rpcUrl, deps.fetch !== undefined ? { fetch: deps.fetch } : {});
  await checkCluster(config, rpc);
  const tokenProgram = await checkMint(config, rpc);
  const accounts = await checkAccounts(config, rpc, tokenProgram);
  let watcher: SolanaWatcher | null = null;
  const idle: MethodHealth = { ok: true, detail: 'watcher not started', updatedAt: deps.clock.now() };

  return {
    rail: 'solana',
    heightKind: 'slot',
    methodIds: [SOLANA_METHOD_ID],
    accounts,
    rpc,

    async createTarget(request: TargetRequest, _indexes: IndexAllocator): Promise<PaymentTarget> {
      if (request.method.id !== SOLANA_METHOD_ID) throw new CofferError('unsupported_payment_method', `${request.method.id} is not configured`);
      const reference = newReference();
      const uri = transferRequestUri({
        recipient: accounts.owner, amountUnits: request.priceUnits, decimals: USDC_DECIMALS, splToken: accounts.mint,
        reference, label: 'Coffer', message: request.description,
      });
      return { targetKey: reference, address: accounts.owner, uri };
    },

    createWatcher(ctx: WatcherContext): Watcher {
      const abort = new AbortController();
      let run: Promise<void> = Promise.resolve();
      return {
        async start(): Promise<void> {
          watcher = new SolanaWatcher({
            methodId: SOLANA_METHOD_ID, mint: accounts.mint, tokenAccount: accounts.tokenAccount, commitment: config.commitment,
            pollIntervalMs: config.pollIntervalMs, staleAfterMs: config.staleAfterMs,
          }, rpc, ctx);
          await watcher.load();
          ctx.signal.addEventListener('abort', () => abort.abort(), { once: true });
          const current = watcher;
          run = current.run(abort.signal, () => ctx.heartbeat(current.health));
        },
        async stop(): Promise<void> {
          abort.abort();
          await run;
        },
      };
    },

    health: () => watcher?.health ?? idle,
  };
}
