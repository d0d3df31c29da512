// Compiles test/fixtures/evm-test-token.sol and evm-forwarder.sol with solc-js into
// evm-test-token.json and evm-forwarder.json (ABI and bytecode), so tests load committed
// artifacts instead of compiling on every run.
import { readFileSync, writeFileSync } from 'node:fs';
import solc from 'solc';

const dir = new URL('../fixtures/', import.meta.url);
for (const name of ['evm-test-token', 'evm-forwarder']) build(name);

function build(name: string): void {
  const file = `${name}.sol`;
  const source = readFileSync(new URL(file, dir), 'utf8');
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: source } },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: unknown; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const compiled = output.contracts[file] ?? {};
  const artifact = Object.fromEntries(Object.entries(compiled).map(([name, c]) => [name, { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }]));
  writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify({ compiler: `solc ${solc.version()}`, ...artifact }, null, 1)}\n`);
  console.log('wrote', Object.keys(artifact).join(', '));
}
