/** Deltas for panels: one container's change costs that container's row, and applying it gives the new snapshot. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { Snapshot } from '../../../server/protocol';
import { applySnapshotDelta, SnapshotDiffer } from '../../../src/panels/snapshotDelta';

/** A busy node's shape: 2,000 processes, 200 containers with their own namespaces. Only the fields the diff reads matter. */
function busyNode(): Snapshot {
  const containers = Array.from({ length: 200 }, (_, i) => ({
    id: `c${i}`,
    name: `app-${i}`,
    cgroup: { memory: { usageBytes: 1000 + i, limitBytes: 1 << 30 } },
  }));
  const processes = Array.from({ length: 2000 }, (_, i) => ({
    pid: 100 + i,
    ppid: 1,
    comm: 'worker',
    cmdline: `worker --id ${i} --config /etc/app/${i}.conf`,
    startTime: 5000 + i,
  }));
  const namespaces = containers.flatMap((_, i) =>
    ['mnt', 'pid', 'net', 'uts', 'ipc'].map((type) => ({ type, inode: 4026530000 + i * 10 + type.length, processCount: 10 })),
  );
  return {
    schemaVersion: 1,
    takenAt: 't0',
    agentVersion: 'x',
    host: { hostname: 'h', processCount: 2000 },
    processes,
    namespaces,
    containers,
    layers: [],
    problems: [],
  } as unknown as Snapshot;
}

test('one container changing on a 2,000-process node posts under 1 % of the first full post', () => {
  const first = busyNode();
  const differ = new SnapshotDiffer();
  assert.equal(differ.diff(first), null, 'nothing posted yet: the caller must post the whole snapshot');
  differ.full(first);
  const fullBytes = JSON.stringify(first).length;

  // The agent re-sends every list when anything changed: a fresh object graph with one container different.
  const next = structuredClone(first);
  next.takenAt = 't1';
  (next.containers[42].cgroup as { memory: { usageBytes: number } }).memory.usageBytes = 999_999;
  const d = differ.diff(next)!;
  assert.deepEqual(Object.keys(d).sort(), ['containers', 'takenAt']);
  assert.deepEqual(
    d.containers!.upserted.map((c) => c.id),
    ['c42'],
  );
  const deltaBytes = JSON.stringify(d).length;
  assert.ok(deltaBytes < fullBytes / 100, `delta ${deltaBytes} B against full ${fullBytes} B`);
  assert.deepEqual(applySnapshotDelta(first, d), next);
  assert.equal(
    (first.containers[42].cgroup as { memory: { usageBytes: number } }).memory.usageBytes,
    1042,
    "the page's old snapshot is not mutated",
  );
});

test('births, deaths and a reused pid are keyed changes; an unchanged snapshot is an empty delta', () => {
  const first = busyNode();
  const differ = new SnapshotDiffer();
  differ.full(first);
  const next = structuredClone(first);
  next.takenAt = 't1';
  next.processes.splice(0, 1); // pid 100 died
  next.processes.push({ ...next.processes[0], pid: 100, startTime: 9999 }); // and its pid was reused
  next.containers.pop();
  next.namespaces.push({ type: 'net', inode: 1, processCount: 0 } as never);
  const d = differ.diff(next)!;
  assert.deepEqual(d.processes!.removed, ['100@5000']);
  assert.deepEqual(
    d.processes!.upserted.map((p) => `${p.pid}@${p.startTime}`),
    ['100@9999'],
  );
  assert.deepEqual(d.containers!.removed, ['c199']);
  assert.deepEqual(
    d.namespaces!.upserted.map((n) => n.inode),
    [1],
  );
  assert.deepEqual(
    applySnapshotDelta(first, d)
      .processes.map((p) => p.pid)
      .sort(),
    next.processes.map((p) => p.pid).sort(),
  );
  assert.deepEqual(differ.diff(next), { takenAt: 't1' });
});
