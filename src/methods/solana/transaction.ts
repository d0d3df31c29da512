// Verifies one transaction, as getTransaction returns it with encoding "jsonParsed", as a USDC
// payment to the operator's token account (solana.com/docs/rpc/http/gettransaction, "Transaction
// Structure" and "Token Balances Structure"). A payment is credited only when ALL hold:
// - the transaction succeeded (meta.err is null): a failed transaction moved nothing;
// - the invoice's reference is one of its account keys (what getSignaturesForAddress indexed);
// - an spl-token transfer/transferChecked instruction (top level, or inner under a top-level
//   instruction) has the operator's token account as destination, and a transferChecked names the
//   configured mint;
// - the operator's token account holds the configured mint in the post token balances.
// The amount is the account's balance change (post − pre token balance), so whatever the
// instructions claim, only what arrived counts. One transaction is one payment, keyed by the
// index of its first matching top-level instruction.

export interface TokenBalance {
  readonly accountIndex: number;
  readonly mint: string;
  readonly uiTokenAmount: { readonly amount: string; readonly decimals: number };
}

export interface ParsedInstruction {
  readonly program?: string;
  readonly programId: string;
  readonly parsed?: { readonly type?: string; readonly info?: Readonly<Record<string, unknown>> } | string;
}

export interface ParsedTransaction {
  readonly slot: number;
  readonly blockTime: number | null;
  readonly meta: {
    readonly err: unknown;
    readonly preTokenBalances?: readonly TokenBalance[] | null;
    readonly postTokenBalances?: readonly TokenBalance[] | null;
    readonly innerInstructions?: readonly { readonly index: number; readonly instructions: readonly ParsedInstruction[] }[] | null;
  } | null;
  readonly transaction: {
    readonly signatures: readonly string[];
    readonly message: {
      readonly accountKeys: readonly ({ readonly pubkey: string } | string)[];
      readonly instructions: readonly ParsedInstruction[];
    };
  };
}

export interface PaymentExpectation {
  readonly reference: string;
  readonly mint: string;
  readonly tokenAccount: string;
}

export type Verdict =
  | { readonly ok: true; readonly amountUnits: bigint; readonly instructionIndex: number }
  | { readonly ok: false; readonly reason: string };

const TRANSFER_TYPES = new Set(['transfer', 'transferChecked']);

function keyOf(key: { readonly pubkey: string } | string): string {
  return typeof key === 'string' ? key : key.pubkey;
}

/** Whether the instruction is an SPL Token transfer into `tokenAccount` (of `mint` when it says). */
function paysInto(ix: ParsedInstruction, expect: PaymentExpectation): boolean {
  if (ix.program !== 'spl-token' || typeof ix.parsed !== 'object' || ix.parsed === null) return false;
  const type = ix.parsed.type;
  const info = ix.parsed.info;
  if (type === undefined || !TRANSFER_TYPES.has(type) || info === undefined) return false;
  if (info['destination'] !== expect.tokenAccount) return false;
  return type !== 'transferChecked' || info['mint'] === expect.mint;
}

function balanceOf(balances: readonly TokenBalance[] | null | undefined, index: number, mint: string): bigint | null {
  const entry = balances?.find((b) => b.accountIndex === index);
  if (entry === undefined) return null;
  if (entry.mint !== mint || !/^\d{1,30}$/.test(entry.uiTokenAmount.amount)) return -1n;
  return BigInt(entry.uiTokenAmount.amount);
}

export function verifyPayment(tx: ParsedTransaction | null, expect: PaymentExpectation): Verdict {
  if (tx === null) return { ok: false, reason: 'transaction not found' };
  if (tx.meta === null) return { ok: false, reason: 'transaction has no status' };
  if (tx.meta.err !== null && tx.meta.err !== undefined) return { ok: false, reason: 'transaction failed' };
  const keys = tx.transaction.message.accountKeys.map(keyOf);
  if (!keys.includes(expect.reference)) return { ok: false, reason: 'reference not in the transaction' };
  const accountIndex = keys.indexOf(expect.tokenAccount);
  if (accountIndex < 0) return { ok: false, reason: 'the operator token account is not in the transaction' };
  const instructionIndex = firstTransferInto(tx, expect);
  if (instructionIndex === null) return { ok: false, reason: 'no token transfer to the operator token account' };
  const post = balanceOf(tx.meta.postTokenBalances, accountIndex, expect.mint);
  const pre = balanceOf(tx.meta.preTokenBalances, accountIndex, expect.mint) ?? 0n;
  if (post === null || post < 0n || pre < 0n) return { ok: false, reason: 'the operator token account does not hold the configured mint' };
  const amountUnits = post - pre;
  if (amountUnits <= 0n) return { ok: false, reason: 'the token balance did not grow' };
  return { ok: true, amountUnits, instructionIndex };
}

function firstTransferInto(tx: ParsedTransaction, expect: PaymentExpectation): number | null {
  const top = tx.transaction.message.instructions.findIndex((ix) => paysInto(ix, expect));
  const inner = (tx.meta?.innerInstructions ?? [])
    .filter((group) => group.instructions.some((ix) => paysInto(ix, expect)))
    .map((group) => group.index);
  const all = [...(top >= 0 ? [top] : []), ...inner];
  return all.length === 0 ? null : Math.min(...all);
}
