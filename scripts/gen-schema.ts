/**
 * Writes the schemas made from server/protocol.ts, so that neither can drift from the types the agent is
 * compiled against (`npm run schema`; the unit suite fails when a committed file differs from what this
 * generates):
 *  - docs/snapshot.schema.json: the published schema of a snapshot (`nodescope snapshot --json`);
 *  - server/protocolParams.schema.json: every request's params, which the agent checks each request
 *    against before it acts (server/paramsCheck.ts). Its `properties` are the methods of `Methods`;
 *  - server/generated/paramsValidators.js: that schema compiled by ajv into plain functions, one per
 *    method (ajv's standalone code). Compiling at startup took 0.6 s of the agent's start; requiring the
 *    compiled functions takes a few milliseconds, and the agent bundle needs no ajv compiler.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { createGenerator, type Config, type Definition } from 'ts-json-schema-generator';

const repo = path.join(__dirname, '..');
export const SNAPSHOT_SCHEMA = path.join(repo, 'docs', 'snapshot.schema.json');
export const PARAMS_SCHEMA = path.join(repo, 'server', 'protocolParams.schema.json');
export const PARAMS_VALIDATORS = path.join(repo, 'server', 'generated', 'paramsValidators.js');

/**
 * `verbose` puts the failing schema in each error, which paramsCheck.ts words its message from.
 * `unicode: false` measures minLength in UTF-16 units, as `.length` does: a subject need only not be
 * empty, and counting the code points of a 50 MB one took 1.4 s (ajv warns the option is deprecated).
 */
const AJV_OPTIONS = {
  verbose: true,
  allowUnionTypes: true,
  unicode: false,
  code: { source: true, lines: true },
  logger: { log: console.log, warn: (...a: unknown[]) => /option unicode/.test(String(a[0])) || console.warn(...a), error: console.error },
};

function schemaOf(type: string, config: Partial<Config> = {}) {
  return createGenerator({
    path: path.join(repo, 'server', 'protocol.ts'),
    tsconfig: path.join(repo, 'tsconfig.json'),
    type,
    additionalProperties: false,
    skipTypeCheck: true,
    ...config,
  }).createSchema(type);
}

const asText = (schema: object): string => `${JSON.stringify(schema, null, 2)}\n`;

export function generateSnapshotSchema(): string {
  const schema = schemaOf('Snapshot');
  schema.$id = 'https://nodescope.invalid/snapshot.schema.json';
  return asText(schema);
}

/** The names of the definitions `schema` refers to, and those they refer to in turn. */
function referenced(schema: unknown, definitions: Record<string, unknown>, seen = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) referenced(s, definitions, seen);
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      const name = k === '$ref' && typeof v === 'string' ? decodeURIComponent(v.replace('#/definitions/', '')) : null;
      if (name !== null && !seen.has(name)) {
        seen.add(name);
        referenced(definitions[name], definitions, seen);
      } else referenced(v, definitions, seen);
    }
  }
  return seen;
}

/**
 * One schema whose properties are the methods, each the schema of its params, with only the definitions
 * those use (the results' types are left out). Unknown params keys are allowed, as the agent always has
 * (a newer client may send more); `Record<string, never>` (snapshot, shutdown) still takes none.
 */
export function generateParamsSchema(): string {
  const all = schemaOf('Methods', { additionalProperties: true });
  const definitions = all.definitions ?? {};
  const methods = (definitions.Methods as Definition).properties as Record<string, Definition>;
  const properties = Object.fromEntries(Object.entries(methods).map(([m, s]) => [m, (s.properties as Record<string, Definition>).params]));
  const used = [...referenced(properties, definitions)].sort();
  return asText({
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://nodescope.invalid/protocol-params.schema.json',
    description: 'Generated from server/protocol.ts by scripts/gen-schema.ts (npm run schema): do not edit.',
    type: 'object',
    properties,
    definitions: Object.fromEntries(used.map((n) => [n, definitions[n]])),
  });
}

/** The params schema compiled: CommonJS exporting one validate function per method, under its name. */
export function generateParamsValidators(paramsSchema: string): string {
  const schema = JSON.parse(paramsSchema) as { $id: string; properties: Record<string, unknown> };
  const ajv = new Ajv(AJV_OPTIONS);
  ajv.addSchema(schema);
  const refs = Object.fromEntries(Object.keys(schema.properties).map((m) => [m, `${schema.$id}#/properties/${m}`]));
  return `/* eslint-disable */\n// Generated from server/protocolParams.schema.json by scripts/gen-schema.ts (npm run schema): do not edit.\n${standaloneCode(ajv, refs)}\n`;
}

if (require.main === module) {
  const params = generateParamsSchema();
  fs.writeFileSync(SNAPSHOT_SCHEMA, generateSnapshotSchema());
  fs.writeFileSync(PARAMS_SCHEMA, params);
  fs.mkdirSync(path.dirname(PARAMS_VALIDATORS), { recursive: true });
  fs.writeFileSync(PARAMS_VALIDATORS, generateParamsValidators(params));
}
