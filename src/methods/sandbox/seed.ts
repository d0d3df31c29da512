// The seed of every sandbox test key (bitcoin, EVM...): public, so nothing derived from it holds
// value, and fixed, so sandbox addresses are deterministic.

import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

export const SANDBOX_SEED = sha256(utf8ToBytes('coffer sandbox wallet seed (test only)'));
