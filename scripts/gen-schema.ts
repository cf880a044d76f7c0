/**
 * Writes docs/snapshot.schema.json from server/protocol.ts, so the published schema can never drift from
 * the types the agent is compiled against. `npm run schema`; the unit suite fails when the committed
 * file differs from what this generates.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createGenerator } from 'ts-json-schema-generator';

export function generateSnapshotSchema(): string {
  const schema = createGenerator({
    path: path.join(__dirname, '..', 'server', 'protocol.ts'),
    tsconfig: path.join(__dirname, '..', 'tsconfig.json'),
    type: 'Snapshot',
    additionalProperties: false,
    skipTypeCheck: true,
  }).createSchema('Snapshot');
  schema.$id = 'https://nodescope.invalid/snapshot.schema.json';
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (require.main === module) {
  fs.writeFileSync(path.join(__dirname, '..', 'docs', 'snapshot.schema.json'), generateSnapshotSchema());
}
