// Helpers for the operator console suites: a world with the console mounted, an operator made
// through the real CLI command, TOTP codes computed with otpauth from the enrolment page's key,
// and a held payment (USDT paid to a USDC invoice's address: held as wrong_asset).

import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { createConsolePlugin } from '../../src/web/console/console-plugin.ts';
import { operatorCommand } from '../../src/cli/operator-command.ts';
import { applyObservation } from '../../src/usecases/apply-observations.ts';
import type { Invoice } from '../../src/core/invoice.ts';
import { openWorld } from './harness.ts';
import type { Dialect, World } from './harness.ts';
import { TEST_COOKIE_SECRET } from './browser.ts';
import { deposit, pay } from './observations.ts';
import { capture } from './cli-output.ts';

export const OPERATOR_PASSWORD = 'operator correct horse';

export function openConsoleWorld(dialect: Dialect): Promise<World> {
  return openWorld(dialect, { app: { plugins: [createConsolePlugin({ cookieSecret: TEST_COOKIE_SECRET, sandbox: true })] } });
}

/** Creates an operator through `coffer operator create --password-stdin` (quietly). */
export async function createOperatorByCli(world: World, email: string, role: 'operator' | 'read_only'): Promise<void> {
  const { code } = await capture(() => operatorCommand(world.useCases, ['create', '--email', email, '--role', role, '--password-stdin'], { stdin: () => `${OPERATOR_PASSWORD}\n`, prompt: null }));
  assert.equal(code, 0);
}

export function totpCode(secret: string, at: Date): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at.getTime() });
}

/** A USD invoice paid in USDT to its USDC address: held (wrong_asset), 10 USDT. */
export async function heldInvoice(world: World, accountId: string): Promise<{ invoice: Invoice; paymentId: string }> {
  const invoice = await deposit(world.deps, accountId, '10', 'USD', 'usdc_erc20');
  await applyObservation(world.deps, { ...pay(invoice, 10_000_000n, 10, `1:0x${Math.random().toString(16).slice(2).padEnd(64, '0')}:0`), methodId: 'usdt_erc20' });
  const [payment] = await world.deps.store.payments.forInvoice(invoice.id);
  return { invoice, paymentId: payment!.id };
}
