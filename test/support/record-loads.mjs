// `node --import ./test/support/record-loads.mjs …`: appends the URL of every module the process
// loads through the ESM loader (its own .ts files under tsx, packages' entry files, CommonJS
// files imported from ESM) to the file named by RECORD_LOADS_FILE, one per line. Built on Node's
// documented module customization hooks: module.register() with `data`, and a `load` hook
// (https://nodejs.org/docs/latest-v20.x/api/module.html#customization-hooks).
import { register } from 'node:module';

const out = process.env['RECORD_LOADS_FILE'];
if (!out) throw new Error('record-loads.mjs needs RECORD_LOADS_FILE');
register('./record-loads-hooks.mjs', import.meta.url, { data: { out } });
