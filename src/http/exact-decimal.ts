// Exact decimals at any depth of a JSON body. The body parser (body-parser.ts) reads every JSON
// number twice: as a JS number, which schema validation needs, and as its source text, kept by
// JSON Pointer for the whole body. A schema marks an amount with the `x-coffer-decimal` keyword
// (see `requestDecimal`); this Ajv keyword then replaces the validated number, wherever it sits,
// with its exact source text, so a handler only ever sees an amount as the string the client
// wrote ("90071992547409.93"), never a binary float ("90071992547409.94").
// Ajv user-defined keywords, `modifying` and the data context (instancePath, parentData,
// parentDataProperty, rootData): https://ajv.js.org/keywords.html#define-keyword-with-validate-function

import { Ajv } from 'ajv';
import type { ErrorObject, SchemaValidateFunction, ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

/** Ajv's data context for a `validate` keyword (ajv/dist/types DataValidationCxt, not re-exported by the package root). */
type DataCxt = Parameters<SchemaValidateFunction>[3];

export const DECIMAL_KEYWORD = 'x-coffer-decimal';

/** Source text of every number in a parsed body, keyed by the body's root object. */
const exactTexts = new WeakMap<object, ReadonlyMap<string, string>>();

export function rememberExactNumbers(root: unknown, numbers: ReadonlyMap<string, string>): void {
  if (root !== null && typeof root === 'object' && numbers.size > 0) exactTexts.set(root, numbers);
}

/** An RFC 6901 JSON Pointer segment, as Ajv writes instancePath. */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * A request amount: a JSON number or a decimal string; a handler receives the exact text either way.
 * Validation sees `type: ['number', 'string']`, so the error codes and messages are unchanged.
 */
export function requestDecimal(description = 'exact decimal: a JSON number or a decimal string') {
  return Type.Unsafe<string>({ type: ['number', 'string'], [DECIMAL_KEYWORD]: true, description });
}

// Ajv reads a failed keyword's errors from the `errors` property of the function it called.
const exactDecimal: SchemaValidateFunction = function check(_schema: boolean, data: unknown, _parent: unknown, cxt: DataCxt): boolean {
  if (typeof data !== 'number') return true;
  const text = cxt === undefined ? undefined : exactTexts.get(cxt.rootData)?.get(cxt.instancePath);
  if (text === undefined || cxt === undefined) {
    exactDecimal.errors = [{ keyword: DECIMAL_KEYWORD, message: 'must be a decimal number', params: {} }];
    return false;
  }
  cxt.parentData[cxt.parentDataProperty] = text;
  return true;
};

/** Teaches an Ajv instance the `x-coffer-decimal` keyword. */
export function addExactDecimalKeyword(ajv: Ajv): void {
  ajv.addKeyword({ keyword: DECIMAL_KEYWORD, schemaType: 'boolean', modifying: true, errors: true, validate: exactDecimal });
}

/**
 * A validator that compiles its schema when it first validates, not when its route is registered:
 * compiling every route's schemas was a tenth of the start-up time, and a process rarely needs
 * them all at once (docs/benchmarks.md). Fastify calls it and, when it returns false, reads its
 * `errors` — the Ajv validation interface its validator compilers may return
 * (https://fastify.dev/docs/latest/Reference/Validation-and-Serialization/#validator-compiler).
 * Ajv caches compiled schemas by object, so routes sharing a schema still compile it once.
 */
export function compileOnFirstUse(ajv: Ajv, schema: object): { (data: unknown): boolean; errors?: ErrorObject[] | null } {
  let compiled: ValidateFunction | undefined;
  function validate(data: unknown): boolean {
    compiled ??= ajv.compile(schema);
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  }
  validate.errors = null as ErrorObject[] | null | undefined;
  return validate;
}

/**
 * The app's validator compilers. Query strings and path params arrive as text and are coerced to
 * their types; JSON bodies are never coerced (["USD"] is not "USD", "10" is not 10). Fastify's own
 * default is one Ajv with coercion for every part; TypeBox schemas are plain JSON Schema, so Ajv
 * compiles them as they are (the type provider only adds TypeScript types).
 */
export function installValidators(app: FastifyInstance): void {
  const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false, allowUnionTypes: true });
  const strict = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false, allowUnionTypes: true });
  for (const ajv of [coercing, strict]) addExactDecimalKeyword(ajv);
  app.setValidatorCompiler(({ schema, httpPart }) => compileOnFirstUse(httpPart === 'body' ? strict : coercing, schema));
}
