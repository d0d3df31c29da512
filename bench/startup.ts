// Start-up time of the compiled release against the sources run through tsx, in one run with
// the variants alternating (the machine is shared, so ratios to a bare `node -e 0` measured in
// the same rounds are what to compare): `coffer help` wall time, and `npm start` (or a plain
// `node`) until /healthz answers, on SQLite in sandbox mode.
// Usage: node --import tsx bench/startup.ts [rounds=7]   (builds dist/ first)
// Before/after: node --import tsx bench/startup.ts [rounds] --root <checkout> [--root <checkout>…]
//   builds each checkout (each needs its node_modules) and alternates the compiled variants of
//   all of them, with bare node, in every round (the tsx variants are left out).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { freePort } from './support/processes.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const argv = process.argv.slice(2);
const ROOTS = argv.flatMap((arg, i) => (argv[i - 1] === '--root' ? [resolve(arg)] : []));
const ROUNDS = Number(argv.find((arg, i) => arg !== '--root' && argv[i - 1] !== '--root') ?? 7);
const POLL_MS = 5;

function wallMs(command: string, args: readonly string[], cwd = ROOT): number {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  if (result.stderr.includes('running the sources through tsx')) throw new Error('dist/ is stale: the compiled variant fell back to tsx');
  return performance.now() - started;
}

/** Milliseconds from spawning the command until GET /healthz answers 200; then SIGTERM and wait for its exit. */
async function readyMs(command: string, args: readonly string[], dataDir: string, cwd = ROOT): Promise<number> {
  const port = freePort();
  const started = performance.now();
  const child = spawn(command, args, {
    cwd, stdio: 'ignore',
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', COFFER_DATA_DIR: dataDir, COFFER_LOG_LEVEL: 'warn', COFFER_MODE: 'sandbox' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const elapsed = performance.now() - started;
  lastCpuMs = cpuMs(child.pid!);
  child.kill('SIGTERM');
  await exited;
  return elapsed;
}

const TICKS_PER_SECOND = 100; // USER_HZ, as getconf CLK_TCK reports on Linux

/** utime + stime of a running process (every thread), in milliseconds: less swayed by other load than wall time. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000;
}

/** CPU time of the last process readyMs started, read when /healthz first answered. */
let lastCpuMs = 0;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The compiled variants of several checkouts (--root), alternating in each round. */
async function compareRoots(roots: readonly string[]): Promise<void> {
  for (const root of roots) execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  const dirs = roots.map(() => mkdtempSync(join(tmpdir(), 'coffer-start-')));
  const samples: Record<string, number[]> = { bare: [] };
  const rows: Array<[string, string]> = [['bare `node -e 0`', 'bare']];
  roots.forEach((root, i) => {
    const name = `${basename(root)}`;
    for (const [label, key] of [['`coffer help`', 'help'], ['`npm start` → /healthz 200', 'npmStart'], ['`coffer serve` → /healthz 200 (plain node)', 'nodeServe'], ['`coffer serve`: its CPU time until /healthz 200', 'nodeServeCpu']] as const) {
      samples[`${key}${i}`] = [];
      rows.push([`${name}: ${label}`, `${key}${i}`]);
    }
  });
  try {
    for (const [i, root] of roots.entries()) await readyMs(process.execPath, ['dist/main.js', 'serve'], dirs[i]!, root);
    for (let round = 0; round < ROUNDS; round++) {
      samples.bare!.push(wallMs(process.execPath, ['-e', '0']));
      // Each round starts with a different checkout, so none always runs first.
      for (let k = 0; k < roots.length; k++) {
        const i = (round + k) % roots.length;
        const root = roots[i]!;
        samples[`help${i}`]!.push(wallMs(process.execPath, ['bin/coffer.mjs', 'help'], root));
        samples[`npmStart${i}`]!.push(await readyMs('npm', ['start'], dirs[i]!, root));
        samples[`nodeServe${i}`]!.push(await readyMs(process.execPath, ['bin/coffer.mjs', 'serve'], dirs[i]!, root));
        samples[`nodeServeCpu${i}`]!.push(lastCpuMs);
      }
    }
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  report(rows, samples);
}

function report(rows: ReadonlyArray<readonly [string, string]>, samples: Record<string, number[]>): void {
  const bare = median(samples.bare!);
  console.log(`${ROUNDS} rounds, variants alternating; median ms (× bare node)`);
  for (const [label, key] of rows) {
    const m = median(samples[key]!);
    console.log(`${label.padEnd(74)} ${m.toFixed(0).padStart(6)} ms  ${(m / bare).toFixed(1).padStart(5)}×`);
  }
}

async function main(): Promise<void> {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const dirs = { npm: mkdtempSync(join(tmpdir(), 'coffer-start-')), node: mkdtempSync(join(tmpdir(), 'coffer-start-')), tsx: mkdtempSync(join(tmpdir(), 'coffer-start-')) };
  const samples: Record<string, number[]> = { bare: [], help: [], helpTsx: [], npmStart: [], nodeServe: [], tsxServe: [] };
  try {
    // One unmeasured start per database: the first one creates it and runs the migrations.
    await readyMs(process.execPath, ['dist/main.js', 'serve'], dirs.npm);
    await readyMs(process.execPath, ['dist/main.js', 'serve'], dirs.node);
    await readyMs(process.execPath, ['dist/main.js', 'serve'], dirs.tsx);
    for (let round = 0; round < ROUNDS; round++) {
      samples.bare!.push(wallMs(process.execPath, ['-e', '0']));
      samples.help!.push(wallMs(process.execPath, ['bin/coffer.mjs', 'help']));
      samples.helpTsx!.push(wallMs(process.execPath, ['--import', 'tsx', 'src/main.ts', 'help']));
      samples.npmStart!.push(await readyMs('npm', ['start'], dirs.npm));
      samples.nodeServe!.push(await readyMs(process.execPath, ['bin/coffer.mjs', 'serve'], dirs.node));
      samples.tsxServe!.push(await readyMs(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], dirs.tsx));
    }
  } finally {
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
  }
  const rows: Array<[string, string]> = [
    ['bare `node -e 0`', 'bare'],
    ['`coffer help` (compiled, bin/coffer.mjs)', 'help'],
    ['`coffer help` through tsx (before)', 'helpTsx'],
    ['`npm start` → /healthz 200 (compiled)', 'npmStart'],
    ['`coffer serve` → /healthz 200 (plain node, no npm)', 'nodeServe'],
    ['`node --import tsx src/main.ts serve` → /healthz 200 (before, no npm)', 'tsxServe'],
  ];
  report(rows, samples);
}

if (ROOTS.length > 0) await compareRoots(ROOTS);
else await main();
