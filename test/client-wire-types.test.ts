// Proves the SDK's wire types cannot drift from the server: packages/client/src/wire-types.ts is
// exactly what scripts/gen-client-wire-types.ts makes from the served /v2/openapi.json (itself
// generated from the routes' TypeBox schemas); the SDK's run-time reading of numbers (counts as
// numbers, amounts as decimal strings) agrees with the document's integer and number fields; and
// the SDK's request parameters name only fields the server's body schemas declare (checked by tsc).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Static } from 'typebox';
import { integerFields, sdkDocument, WIRE_TYPES_PATH, wireTypesSource } from '../scripts/gen-client-wire-types.ts';
import { COUNT_FIELDS } from '../packages/client/src/wire-values.ts';
import type { DepositParams } from '../packages/client/src/resources/accounts.ts';
import type { SandboxPayParams } from '../packages/client/src/resources/sandbox.ts';
import type { depositBody, sandboxPayBody } from '../src/http/schemas.ts';

// Compile-time: every SDK parameter is a field the server's body schema declares.
type Subset<A, B> = [A] extends [B] ? true : false;
const depositParamsDeclared: Subset<keyof DepositParams, keyof Static<typeof depositBody>> = true;
const sandboxParamsDeclared: Subset<keyof SandboxPayParams, keyof Static<typeof sandboxPayBody>> = true;

test('wire-types.ts is what the generator makes from the served OpenAPI document and the admin schemas', async () => {
  assert.ok(depositParamsDeclared && sandboxParamsDeclared);
  const document = await sdkDocument();
  const expected = wireTypesSource(document);
  assert.match(expected, /export interface Invoice \{/);
  assert.equal(readFileSync(WIRE_TYPES_PATH, 'utf8'), expected,
    'packages/client/src/wire-types.ts is stale: run node --import tsx scripts/gen-client-wire-types.ts');
});

test('the SDK reads as counts exactly the fields the document types as integers', async () => {
  const document = await sdkDocument();
  const integers = integerFields(document);
  assert.ok(integers.has('confirmations') && integers.has('chain_id') && integers.has('transfers'));
  for (const name of integers) assert.ok(COUNT_FIELDS.has(name), `${name} is an integer on the wire; the SDK would read it as a decimal string`);
  // An amount named like a count would come back as a float: no number field may share a count's name.
  const text = JSON.stringify(document);
  for (const name of COUNT_FIELDS) {
    assert.ok(!new RegExp(`"${name}":\\{[^{}]*"type":"number"`).test(text), `${name} is an amount in the document but a count in the SDK`);
  }
});
