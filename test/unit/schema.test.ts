import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { generateSnapshotSchema } from '../../scripts/gen-schema';

describe('docs/snapshot.schema.json', () => {
  it('is what server/protocol.ts generates (run `npm run schema` after changing the protocol)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'snapshot.schema.json'), 'utf8');
    assert.equal(committed, generateSnapshotSchema());
  });
});
