/** What the agent pushes as `nodescope/changed`: only what differs from the last snapshot it sent. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffSnapshots, nextDelay } from '../../../server/watch';
import { sampleContainer, sampleSnapshot } from './sampleSnapshot';

describe('change notifications', () => {
  it('sends nothing when nothing a client shows changed (the time taken aside)', () => {
    const next = sampleSnapshot();
    next.takenAt = '2024-01-01T00:00:02.000Z';
    assert.equal(diffSnapshots(sampleSnapshot(), next, 1), null);
  });

  it('sends everything the first time', () => {
    const n = diffSnapshots(null, sampleSnapshot(), 1)!;
    assert.deepEqual(
      n.containersUpserted.map((c) => c.name),
      ['alpha', 'beta'],
    );
    assert.ok(n.namespaces && n.layers && n.processes);
  });

  it('upserts a started or changed container in full and removes a gone one by id, leaving the rest out', () => {
    const prev = sampleSnapshot();
    const next = sampleSnapshot();
    next.containers[0].cgroup!.memory!.usageBytes = 2 * 1048576;
    const gone = next.containers.splice(1, 1)[0];
    next.containers.push(sampleContainer('f'.repeat(64), 'gamma', 300));
    const n = diffSnapshots(prev, next, 7)!;
    assert.equal(n.seq, 7);
    assert.deepEqual(
      n.containersUpserted.map((c) => c.name),
      ['alpha', 'gamma'],
    );
    assert.equal(n.containersUpserted[0].cgroup!.memory!.usageBytes, 2 * 1048576);
    assert.deepEqual(n.containersRemoved, [gone.id]);
    assert.equal(n.namespaces, undefined);
    assert.equal(n.layers, undefined);
    assert.equal(n.processes, undefined);
  });

  it('replaces namespaces, layers or processes only when they changed', () => {
    const next = sampleSnapshot();
    next.namespaces[0].processCount = 1;
    const n = diffSnapshots(sampleSnapshot(), next, 2)!;
    assert.deepEqual(n.containersUpserted, []);
    assert.equal(n.namespaces![0].processCount, 1);
    assert.equal(n.layers, undefined);
    assert.equal(n.processes, undefined);
  });
});

describe('watch pacing', () => {
  it('keeps the asked interval while a pass is quick, and stays under a tenth of a core when it is not', () => {
    assert.equal(nextDelay(2000, 30), 2000);
    assert.equal(nextDelay(2000, 200), 2000, '200 ms every 2 s is a tenth already');
    assert.equal(nextDelay(2000, 400), 3600);
    assert.equal(nextDelay(250, 100), 900);
    for (const pass of [1, 50, 333, 1234]) {
      const delay = nextDelay(500, pass);
      assert.ok(pass / (pass + delay) <= 0.1 + 1e-9, `${pass} ms pass, ${delay} ms wait`);
    }
  });
});
