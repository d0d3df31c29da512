// ERC-20 Transfer events: the topic, and a strict decoder. Only logs shaped exactly like an
// ERC-20 Transfer are accepted (3 topics, one 32-byte word of data); ERC-721 Transfers share
// topic0 but index the token id as a 4th topic and are refused here.

import type { LogEntry } from './chain-reader.ts';

/** keccak256("Transfer(address,address,uint256)") */
export const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

/** `decimals()` selector, used at start to check configured token decimals against the contract. */
export const DECIMALS_SELECTOR = '0x313ce567';

export interface Erc20Transfer {
  readonly token: string;
  readonly from: string;
  readonly to: string;
  readonly valueUnits: bigint;
}

/** A lowercase address as a 32-byte topic (left-padded). */
export function addressTopic(address: string): string {
  return `0x${'0'.repeat(24)}${address.slice(2).toLowerCase()}`;
}

function topicAddress(topic: string): string | null {
  if (!topic.startsWith(`0x${'0'.repeat(24)}`)) return null;
  return `0x${topic.slice(26)}`;
}

export function decodeTransfer(log: LogEntry): Erc20Transfer | null {
  if (log.topics.length !== 3 || log.topics[0] !== TRANSFER_TOPIC) return null;
  if (log.data.length !== 66) return null;
  const from = topicAddress(log.topics[1] as string);
  const to = topicAddress(log.topics[2] as string);
  if (from === null || to === null) return null;
  return { token: log.address, from, to, valueUnits: BigInt(log.data) };
}

/** Decodes an ABI uint256 return value (e.g. decimals()); null when it is not one word. */
export function decodeUint(data: string): bigint | null {
  return data.length === 66 ? BigInt(data) : null;
}
