// Proves amounts stay exact at any depth of a JSON body: a nested amount with more digits than a
// double holds reaches the handler as the text the client sent, never a rounded float, through the
// app's own body parser and validator compilers; and that type errors keep Ajv's codes and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { registerJsonParser } from './body-parser.ts';
import { installValidators, requestDecimal } from './exact-decimal.ts';

async function appWithNestedAmounts() {
  const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  registerJsonParser(app);
  installValidators(app);
  const body = Type.Object({
    amount: requestDecimal(),
    lines: Type.Array(Type.Object({ amount: requestDecimal(), 'a/b~c': Type.Optional(requestDecimal()), count: Type.Integer() })),
    nested: Type.Optional(Type.Object({ deeper: Type.Object({ amount: requestDecimal() }) })),
  });
  app.post('/echo', { schema: { body } }, async (request) => request.body);
  app.setErrorHandler((error: { validation?: unknown }, _request, reply) => reply.status(400).send({ validation: error.validation }));
  await app.ready();
  return app;
}

test('a nested amount with more digits than a double holds reaches the handler exactly', async () => {
  const app = await appWithNestedAmounts();
  // 90071992547409.93 read through a float is 90071992547409.94; 21 significant digits are far past 17.
  const payload = '{"amount":90071992547409.93,"lines":[{"amount":123456789012345678.123,"count":2,"a/b~c":0.10000000000000000001},{"amount":"7.5","count":1}],'
    + '"nested":{"deeper":{"amount":1e-30}}}';
  const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(JSON.parse(res.body), {
    amount: '90071992547409.93',
    lines: [{ amount: '123456789012345678.123', count: 2, 'a/b~c': '0.10000000000000000001' }, { amount: '7.5', count: 1 }],
    nested: { deeper: { amount: '1e-30' } },
  });
  await app.close();
});

test('a wrong type for a nested amount is reported with its path, as Ajv words it', async () => {
  const app = await appWithNestedAmounts();
  const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"amount":1,"lines":[{"amount":true,"count":1}]}' });
  assert.equal(res.statusCode, 400);
  const [first] = (JSON.parse(res.body) as { validation: Array<{ instancePath: string; message: string }> }).validation;
  assert.equal(first?.instancePath, '/lines/0/amount');
  assert.equal(first?.message, 'must be number,string');
  await app.close();
});
