// Summarises a V8 CPU profile (`node --cpu-prof`) by where the time went: self time per package
// (node_modules/<name>), per folder of ours (dist/<dir>/<subdir>) and per part of Node (its
// module loaders apart), then the costliest functions. Used for the start-up analysis in
// docs/benchmarks.md ("Compiled release"); the .cpuprofile format is Chrome DevTools' Profile
// (https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile).
// Usage: node --import tsx bench/cpu-profile-summary.ts <file.cpuprofile> [rows=25]

import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

const [file, rowsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: bench/cpu-profile-summary.ts <file.cpuprofile> [rows]');
const rows = Number(rowsArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

/** Where a frame's code lives: a package, a folder of ours, Node's module loaders, the rest of Node, or V8/native. */
function bucketOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName || '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `package ${pkg[1]}`;
  if (url.startsWith('node:')) return url.startsWith('node:internal/modules') ? 'node: module loaders' : 'node: other';
  const ours = /\/(?:dist|src)\/(.*)$/.exec(url);
  return ours ? `ours ${ours[1]!.split('/').slice(0, -1).join('/') || '.'}` : url;
}

const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const byBucket = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const ms = selfMs.get(node.id) ?? 0;
  total += ms;
  const bucket = bucketOf(node.callFrame);
  byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + ms);
  const fn = `${node.callFrame.functionName || '(anonymous)'}  ${bucket}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
}

function print(title: string, table: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [name, ms] of [...table].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${ms.toFixed(0).padStart(7)} ms ${(100 * ms / total).toFixed(1).padStart(5)} %  ${name}`);
  }
}

// Inclusive: a sample counts for module loading when a loader frame is anywhere on its stack
// (reading, compiling and evaluating modules, the code a module runs at import included).
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
let loadingMs = 0;
profile.samples.forEach((id, i) => {
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    if (nodeById.get(at)!.callFrame.url.startsWith('node:internal/modules')) {
      loadingMs += (profile.timeDeltas[i] ?? 0) / 1000;
      return;
    }
  }
});

console.log(`${total.toFixed(0)} ms sampled over ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms`);
console.log(`${loadingMs.toFixed(0)} ms (${(100 * loadingMs / total).toFixed(1)} %) with a module loader on the stack (loading modules and running their top level)`);
print('Self time by where the code lives', byBucket);
print('Self time by function', byFunction);
