/**
 * Every request's params checked against the schemas generated from protocol.ts
 * (protocolParams.schema.json, compiled by ajv at build time into generated/paramsValidators.js) before
 * its method runs: types, required fields, non-empty subjects and non-negative counts. What a schema
 * cannot say stays with the method: that a path is absolute and safe to walk, that a user name is one
 * nsenter may take, that a limit is one the kernel accepts.
 *
 * A refusal names the field and what it must be, in the words the hand checks used before
 * ('"top" must be a non-negative integer'), described from the field's schema rather than from the
 * keyword that failed, so that a missing field and a wrong one read alike.
 */
import type { ErrorObject } from 'ajv';
import schema from './protocolParams.schema.json';
import validators from './generated/paramsValidators';
import { ErrorCodes } from './protocol';
import { echo, refuse } from './failure';

interface Schema {
  $ref?: string;
  type?: string | string[];
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  minimum?: number;
}

const definitions = schema.definitions as Record<string, Schema>;

function resolved(s: Schema | undefined): Schema | undefined {
  let cur = s;
  for (let i = 0; cur?.$ref && i < 16; i++) cur = definitions[decodeURIComponent(cur.$ref.replace(/^.*#\/definitions\//, ''))];
  return cur;
}

/** What a value of schema `s` is, as a person reads it: "a non-empty string", "a number or null". */
function describe(s: Schema | undefined): string {
  const r = resolved(s);
  if (!r) return 'something else';
  if (r.anyOf) return r.anyOf.map(describe).join(' or ');
  if (r.const !== undefined) return JSON.stringify(r.const);
  if (r.enum) return `one of ${r.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (Array.isArray(r.type)) return r.type.map((t) => describe({ ...r, type: t })).join(' or ');
  switch (r.type) {
    case 'string':
      return r.minLength ? 'a non-empty string' : 'a string';
    case 'integer':
      return r.minimum === 0 ? 'a non-negative integer' : 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'array':
      return `an array of ${describe(r.items).replace(/^an? (.*)$/, '$1s')}`;
    case 'object':
      return 'an object';
    default:
      return 'something else';
  }
}

/** `/tmpfs/0/path` → `tmpfs[0].path`. */
function fieldName(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
}

/** One line for the first problem ajv found. */
function problem(method: string, errors: ErrorObject[]): string {
  // A union (number | null) fails in each branch and then as a whole: the whole says what it must be.
  const e = errors.find((x) => x.keyword === 'anyOf') ?? errors[0];
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    const field = fieldName(`${e.instancePath}/${missing}`);
    return `"${echo(field)}" must be ${describe((e.parentSchema as Schema).properties?.[missing])}`;
  }
  if (e.keyword === 'additionalProperties' || (e.keyword === 'not' && e.instancePath)) {
    const extra =
      e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : fieldName(e.instancePath);
    return `${method} takes no "${echo(extra)}"`;
  }
  if (!e.instancePath) return `the params of ${method} must be ${describe(e.parentSchema as Schema)}`;
  return `"${echo(fieldName(e.instancePath))}" must be ${describe(e.parentSchema as Schema)}`;
}

/**
 * Refuses (InvalidParams, one line naming the field) params that do not match `method`'s schema. A
 * method without a schema is refused too: the schema file is older than protocol.ts (`npm run schema`).
 */
export function checkParams(method: string, params: unknown): void {
  // Own properties only, as dispatch looks methods up: "toString" names no validator.
  const validate = Object.hasOwn(validators, method) ? validators[method] : undefined;
  if (!validate)
    throw refuse(
      ErrorCodes.InternalError,
      `no params schema for ${echo(method)}: server/protocolParams.schema.json is older than protocol.ts (npm run schema)`,
    );
  if (!validate(params)) throw refuse(ErrorCodes.InvalidParams, problem(method, validate.errors ?? []));
}
