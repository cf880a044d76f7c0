import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Snapshot } from '../../../server/protocol';
import { NodeModel, type ModelChange } from '../../../src/model/nodeModel';

const load = (): Snapshot => JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'rig-snapshot.json'), 'utf8'));

describe('node model deltas', () => {
  it('applies upserts and removals in place and says what changed', () => {
    const m = new NodeModel();
    const changes: ModelChange[] = [];
    m.onDidChange((c) => changes.push(c));
    m.setSnapshot(load());
    const [first, second] = m.snapshot!.containers;
    const added = { ...first, id: 'f'.repeat(64), name: 'new-one' };
    const changed = { ...second, hostname: 'renamed' };
    assert.ok(m.apply({ seq: 1, containersUpserted: [added, changed], containersRemoved: [first.id], takenAt: 'later' }));
    assert.deepEqual(
      m.snapshot!.containers.map((c) => c.name).sort(),
      [
        ...load()
          .containers.map((c) => c.name)
          .filter((n) => n !== first.name),
        'new-one',
      ].sort(),
    );
    assert.equal(m.container(second.id)!.hostname, 'renamed');
    const last = changes[changes.length - 1];
    assert.deepEqual(last, {
      full: false,
      containers: [second.id],
      added: [added.id],
      removed: [first.id],
      namespaces: false,
      layers: false,
    });
  });

  it('refuses out-of-order deltas (the caller fetches a whole snapshot instead)', () => {
    const m = new NodeModel();
    assert.equal(m.apply({ seq: 1, containersUpserted: [], containersRemoved: [], takenAt: 't' }), false, 'no snapshot yet');
    m.setSnapshot(load());
    assert.ok(m.apply({ seq: 2, containersUpserted: [], containersRemoved: [], namespaces: [], takenAt: 't' }));
    assert.equal(m.apply({ seq: 2, containersUpserted: [], containersRemoved: [], takenAt: 't' }), false);
    assert.deepEqual(m.snapshot!.namespaces, []);
  });
});
