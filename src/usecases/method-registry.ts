// The configured payment methods: spec + adapter per method id, and the confirmations rule.
// A method whose adapter reports unhealthy is refused for new deposits; the others keep working.
// Beside them, every method the rails know (configured or not), so an old invoice of a method
// since switched off still reads with its name (the composition root passes the registry's list).

import type { MethodSpec } from '../core/methods.ts';
import type { PaymentMethodAdapter } from '../core/payment-method.ts';

/** Above `amountUnits`, a payment needs `confirmations` (DESIGN.md §5: may rise with the amount). */
export interface ConfirmationTier {
  readonly amountUnits: bigint;
  readonly confirmations: number;
}

export interface ConfiguredMethod {
  readonly spec: MethodSpec;
  readonly adapter: PaymentMethodAdapter;
  readonly tiers: readonly ConfirmationTier[];
}

export class MethodRegistry {
  readonly #methods = new Map<string, ConfiguredMethod>();
  readonly #known: readonly MethodSpec[];

  constructor(known: readonly MethodSpec[] = []) {
    this.#known = known;
  }

  add(method: ConfiguredMethod): void {
    if (this.#methods.has(method.spec.id)) throw new Error(`method ${method.spec.id} configured twice`);
    this.#methods.set(method.spec.id, method);
  }

  get(methodId: string): ConfiguredMethod | undefined {
    return this.#methods.get(methodId);
  }

  /** Every method the rails declare, as given at construction (configured or not). */
  known(): readonly MethodSpec[] {
    return this.#known;
  }

  /** The method's spec as configured, else as declared by its rail; undefined for an unknown id. */
  describe(methodId: string): MethodSpec | undefined {
    return this.#methods.get(methodId)?.spec ?? this.#known.find((s) => s.id === methodId);
  }

  /** How people read a method id: its label, or the id itself when no rail declares it. */
  label(methodId: string): string {
    return this.describe(methodId)?.label ?? methodId;
  }

  ids(): string[] {
    return [...this.#methods.keys()];
  }

  adapters(): PaymentMethodAdapter[] {
    return [...new Set([...this.#methods.values()].map((m) => m.adapter))];
  }

  /** Confirmations required for a payment of `amountUnits` with `methodId`. */
  confirmationsFor(methodId: string, amountUnits: bigint): number {
    const method = this.#methods.get(methodId);
    if (!method) return Number.MAX_SAFE_INTEGER;
    let required = Math.max(1, method.spec.confirmations);
    if (method.spec.settlesAtOnce === true) return required;
    for (const tier of method.tiers) {
      if (amountUnits > tier.amountUnits) required = Math.max(required, tier.confirmations);
    }
    return required;
  }
}
