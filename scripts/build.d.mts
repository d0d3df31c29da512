// Types of scripts/build.mjs (plain JavaScript, so `npm run build` needs no TypeScript), for the
// test that bundles into a folder of its own (test/lazy-loading.test.ts).
import type { Metafile } from 'esbuild';

export const EXTERNAL: readonly string[];
export const ENTRY_POINTS: Readonly<Record<string, string>>;
export function bundle(outdir: string): Promise<Metafile>;
