// The sandbox method: serves every method id of every rail in the registry with the targets that
// rail's own sandbox makes (regtest BIP84 addresses, signed regtest BOLT11s, EIP-55 addresses,
// Solana Pay requests on devnet...) and no chain. Payments arrive through
// POST /v2/sandbox/invoices/{id}/pay, which asks the rail for the payment's natural key
// (SimulateCapability) and turns it into Observations on the real settlement path.

import type { Clock } from '../../core/clock.ts';
import type { MethodSpec } from '../../core/methods.ts';
import type { IndexAllocator, MethodHealth, PaymentMethodAdapter, PaymentTarget, SimulateCapability, TargetRequest } from '../../core/payment-method.ts';
import type { RailPlugin, RailSandbox } from '../plugin.ts';

export class SandboxMethod implements PaymentMethodAdapter {
  readonly rail = 'sandbox';
  readonly methodIds: readonly string[];
  readonly capabilities: { readonly simulate: SimulateCapability };
  readonly #sandboxOf = new Map<string, RailSandbox>();
  readonly #clock: Clock;

  constructor(rails: readonly RailPlugin[], clock: Clock) {
    for (const plugin of rails) for (const spec of plugin.methods) this.#sandboxOf.set(spec.id, plugin.sandbox);
    this.methodIds = [...this.#sandboxOf.keys()];
    this.#clock = clock;
    this.capabilities = { simulate: { payment: (spec, targetKey, hash) => this.#sandbox(spec).payment(spec, targetKey, hash) } };
  }

  health(): MethodHealth {
    return { ok: true, detail: 'sandbox' };
  }

  createTarget(request: TargetRequest, indexes: IndexAllocator): Promise<PaymentTarget> {
    return this.#sandbox(request.method).target(request, indexes, this.#clock);
  }

  #sandbox(spec: MethodSpec): RailSandbox {
    const sandbox = this.#sandboxOf.get(spec.id);
    if (!sandbox) throw new Error(`the sandbox does not serve ${spec.id}`);
    return sandbox;
  }
}

/** The method specs as the sandbox serves them: each rail's, on its test network. */
export function sandboxSpecs(rails: readonly RailPlugin[]): MethodSpec[] {
  return rails.flatMap((plugin) => plugin.methods.map((spec) => plugin.sandbox.spec(spec)));
}
