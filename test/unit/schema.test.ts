import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import {
  generateParamsSchema,
  generateParamsValidators,
  generateSnapshotSchema,
  PARAMS_SCHEMA,
  PARAMS_VALIDATORS,
  SNAPSHOT_SCHEMA,
} from '../../scripts/gen-schema';

describe('docs/snapshot.schema.json', () => {
  it('is what server/protocol.ts generates (run `npm run schema` after changing the protocol)', () => {
    assert.equal(fs.readFileSync(SNAPSHOT_SCHEMA, 'utf8'), generateSnapshotSchema());
  });
});

describe('the request params schema and its compiled validators', () => {
  it('are what server/protocol.ts generates (run `npm run schema` after changing the protocol)', () => {
    const schema = generateParamsSchema();
    assert.equal(fs.readFileSync(PARAMS_SCHEMA, 'utf8'), schema, 'server/protocolParams.schema.json');
    assert.equal(fs.readFileSync(PARAMS_VALIDATORS, 'utf8'), generateParamsValidators(schema), 'server/generated/paramsValidators.js');
  });
});
