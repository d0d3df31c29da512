// Running a `coffer` command inside a test and reading what it printed. node:test's own messages
// to its parent process are binary (v8-serialized) and pass through untouched.
import assert from 'node:assert/strict';

async function captureChunks(run: () => Promise<number>): Promise<{ code: number; chunks: string[] }> {
  const original = process.stdout.write.bind(process.stdout);
  const chunks: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    chunks.push(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await run(), chunks };
  } finally {
    process.stdout.write = original;
  }
}

/** Runs a command, capturing the text it prints on stdout. */
export async function capture(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const { code, chunks } = await captureChunks(run);
  return { code, out: chunks.join('') };
}

/** The last JSON document a command run with `--json` printed; the command must exit 0. */
export async function printedJson(run: () => Promise<number>): Promise<unknown> {
  const { code, chunks } = await captureChunks(run);
  assert.equal(code, 0);
  const json = chunks.filter((chunk) => /^[[{]/.test(chunk)).at(-1);
  assert.ok(json !== undefined, `no JSON printed in ${JSON.stringify(chunks.join('').slice(0, 200))}`);
  return JSON.parse(json);
}
