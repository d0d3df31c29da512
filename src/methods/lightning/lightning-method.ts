// The lightning payment-method adapter: BOLT11 targets from an LND or Core Lightning node, each
// decoded and verified (signature recovers the node key, amount, payment hash, network, expiry)
// before it is handed out (ADVERSARIAL 18), and a watcher reporting settled invoices.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { CofferError, ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type {
  IndexAllocator, MethodHealth, PaymentMethodAdapter, PaymentTarget, TargetRequest, Watcher, WatcherContext,
} from '../../core/payment-method.ts';
import { Bolt11Error, verifyBolt11 } from './bolt11.ts';
import { ClnBackend } from './cln-backend.ts';
import { LightningBackendError, type LightningBackend, type NodeInfo } from './lightning-backend.ts';
import type { LightningConfig } from './lightning-config.ts';
import { LightningLimits } from './limits.ts';
import { LightningWatcher } from './lightning-watcher.ts';
import { LndBackend } from './lnd-backend.ts';

export const LIGHTNING_METHOD_ID = 'lightning';

export interface LightningMethodDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** Unused: node REST calls need TLS certificate pinning, which fetch on Node 20 cannot do. */
  readonly fetch?: typeof fetch;
  /** A ready backend (tests, benchmarks); built from config when absent. */
  readonly backend?: LightningBackend;
}

export function createLightningBackend(config: LightningConfig): LightningBackend {
  const b = config.backend;
  const cert = b.tlsCertPem !== undefined ? { tlsCertPem: b.tlsCertPem } : {};
  return b.kind === 'lnd'
    ? new LndBackend({ restUrl: b.restUrl, macaroonHex: b.macaroonHex, timeoutMs: config.requestTimeoutMs, ...cert })
    : new ClnBackend({ restUrl: b.restUrl, rune: b.rune, timeoutMs: config.requestTimeoutMs, ...cert });
}

/** Settings named in start-up errors, per backend. */
function settingNames(config: LightningConfig): { url: string; credential: string; cert: string } {
  return config.backend.kind === 'lnd'
    ? { url: 'COFFER_LND_REST_URL', credential: 'COFFER_LND_MACAROON', cert: 'COFFER_LND_TLS_CERT' }
    : { url: 'COFFER_CLN_REST_URL', credential: 'COFFER_CLN_RUNE', cert: 'COFFER_CLN_TLS_CERT' };
}

/**
 * The node at start (getinfo, or what an LND invoice.macaroon may read): an unreachable node, a
 * refused certificate or credentials, the wrong network or node key stop the server. Returns the
 * node key every BOLT11 must be signed with.
 */
async function checkNode(backend: LightningBackend, config: LightningConfig): Promise<{ nodeKey: string; info: NodeInfo }> {
  const names = settingNames(config);
  let info: NodeInfo;
  try {
    info = await backend.getInfo();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof LightningBackendError && error.kind === 'credentials') throw new ConfigError(names.credential, `the node refused it: ${message}`);
    if (error instanceof LightningBackendError && error.kind === 'tls') throw new ConfigError(names.cert, message);
    throw new ConfigError(names.url, `lightning node not usable: ${message}`);
  }
  if (info.network !== null && info.network !== config.network) {
    throw new ConfigError(names.url, `node is on network ${info.network}, Coffer expects ${config.network} (COFFER_LIGHTNING_NETWORK / COFFER_MODE)`);
  }
  if (config.nodeKey !== undefined && info.nodeKey !== null && info.nodeKey !== config.nodeKey) {
    throw new ConfigError('COFFER_LIGHTNING_NODE_KEY', `node reports key ${info.nodeKey}, not the configured ${config.nodeKey}`);
  }
  const nodeKey = config.nodeKey ?? info.nodeKey;
  if (nodeKey === null) {
    throw new ConfigError('COFFER_LIGHTNING_NODE_KEY', 'is required: the macaroon cannot read node info (no info:read, e.g. invoice.macaroon) ' +
      'and the node has no invoice yet to learn its key from; set it to the node\'s identity_pubkey (lncli getinfo)');
  }
  return { nodeKey, info };
}

/** Keeps a BOLT11 description within limits without splitting a UTF-8 character. */
function boundedDescription(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= LightningLimits.descriptionBytesMax) return text;
  return new TextDecoder().decode(bytes.subarray(0, LightningLimits.descriptionBytesMax)).replace(/\uFFFD+$/, '');
}

class LightningMethod implements PaymentMethodAdapter {
  readonly rail = 'lightning';
  /** Its height is the node's settle index: Lightning follows no chain tip, so there is no node height to lag. */
  readonly heightKind = 'cursor';
  readonly methodIds = [LIGHTNING_METHOD_ID] as const;
  readonly #backend: LightningBackend;
  readonly #config: LightningConfig;
  readonly #nodeKey: string;
  readonly #deps: LightningMethodDeps;
  #health: MethodHealth;
  /** Set when the node failed an invoice creation; cleared by the next success. */
  #createFailure: MethodHealth | null = null;
  #watcher: LightningWatcher | null = null;

  constructor(backend: LightningBackend, config: LightningConfig, nodeKey: string, deps: LightningMethodDeps) {
    this.#backend = backend;
    this.#config = config;
    this.#nodeKey = nodeKey;
    this.#deps = deps;
    this.#health = { ok: true, detail: `${backend.kind} node ${nodeKey}`, updatedAt: deps.clock.now() };
  }

  async createTarget(request: TargetRequest, _indexes: IndexAllocator): Promise<PaymentTarget> {
    if (request.priceUnits !== null && request.priceUnits <= 0n) throw new CofferError('invalid_param', 'lightning amount must be positive');
    const nowMs = this.#deps.clock.now().getTime();
    const expiresAtSec = Math.floor(request.expiresAt.getTime() / 1000);
    const expirySeconds = Math.ceil((request.expiresAt.getTime() - nowMs) / 1000);
    if (expirySeconds <= 0) throw new CofferError('invalid_param', 'the deposit has already expired');
    let created;
    try {
      created = await this.#backend.createInvoice({
        amountMsat: request.priceUnits, expirySeconds, description: boundedDescription(request.description),
        label: `coffer:${request.invoiceId}:${randomBytes(4).toString('hex')}`,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#deps.log.error({ err: message, invoiceId: request.invoiceId }, 'lightning invoice creation failed');
      if (!(error instanceof LightningBackendError && error.kind === 'rejected')) {
        this.#createFailure = { ok: false, detail: `lightning node failed to create an invoice: ${message}`, updatedAt: this.#deps.clock.now() };
      }
      throw new CofferError('payment_method_unavailable', 'lightning payments are unavailable right now');
    }
    this.#createFailure = null;
    this.#verify(created.bolt11, created.paymentHash, request, expiresAtSec);
    return { targetKey: created.paymentHash, address: created.bolt11, uri: `lightning:${created.bolt11}`, lightningInvoice: created.bolt11 };
  }

  /** ADVERSARIAL 18: never hand out a BOLT11 that would pay someone else, another amount or hash. */
  #verify(bolt11: string, paymentHash: string, request: TargetRequest, expiresAtSec: number): void {
    try {
      const decoded = verifyBolt11(bolt11, { nodeKey: this.#nodeKey, amountMsat: request.priceUnits, paymentHash, network: this.#config.network });
      if (decoded.expiresAt < expiresAtSec - LightningLimits.expirySkewSecondsMax) {
        throw new Bolt11Error('format', `invoice expires at ${decoded.expiresAt}, before the deposit (${expiresAtSec})`);
      }
    } catch (error) {
      const reason = error instanceof Bolt11Error ? error.reason : 'format';
      const message = error instanceof Error ? error.message : String(error);
      this.#deps.log.error({ reason, err: message, invoiceId: request.invoiceId }, 'lightning node returned a BOLT11 that failed verification; refused');
      throw new CofferError('payment_method_unavailable', 'lightning payments are unavailable right now', { reason });
    }
  }

  createWatcher(context: WatcherContext): Watcher {
    const watcher = new LightningWatcher(context, this.#backend, {
      methodId: LIGHTNING_METHOD_ID, pollIntervalMs: this.#config.pollIntervalMs, nodeKey: this.#nodeKey, network: this.#config.network,
      onHealth: (health) => { this.#health = health; },
    });
    this.#watcher = watcher;
    return watcher;
  }

  health(): MethodHealth {
    return this.#createFailure ?? this.#health;
  }

  async close(): Promise<void> {
    await this.#watcher?.stop();
    this.#backend.close();
  }
}

/**
 * Builds the lightning adapter and checks the node at start: unreachable, refused credentials,
 * wrong network or an unexpected node key throw ConfigError naming the setting.
 */
export async function createLightningMethod(config: LightningConfig, deps: LightningMethodDeps): Promise<PaymentMethodAdapter> {
  const backend = deps.backend ?? createLightningBackend(config);
  try {
    const { nodeKey, info } = await checkNode(backend, config);
    deps.log.info({ backend: backend.kind, nodeKey, network: info.network ?? `${config.network} (checked on each invoice)` }, 'lightning node ready');
    return new LightningMethod(backend, config, nodeKey, deps);
  } catch (error) {
    backend.close();
    throw error;
  }
}
