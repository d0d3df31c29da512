// The hooks of record-loads.mjs (they run on Node's loader thread): every loaded URL is appended
// to the file given at registration, synchronously, so nothing is lost when the process exits.
import { appendFileSync } from 'node:fs';

let out = '';

export function initialize(data) {
  out = data.out;
}

export async function load(url, context, nextLoad) {
  appendFileSync(out, `${url}\n`);
  return nextLoad(url, context);
}
