/**
 * Deltas for panels: one container's change costs that container's row, live counters travel apart as
 * numbers, and applying what was posted gives the new snapshot.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ContainerInfo } from '../../../server/protocol';
import { applyCounters, initialCounterColumns, readCounters, withoutCounters } from '../../../src/panels/containerCounters';
import { applySnapshotDelta, isEmptyDelta, SnapshotDiffer } from '../../../src/panels/snapshotDelta';
import { busyNode } from './snapshotDeltaFixtures';

const bytes = (x: unknown): number => JSON.stringify(x).length;

test('one container changing on a 2,000-process node posts under 1 % of the first full post', () => {
  const first = busyNode();
  const differ = new SnapshotDiffer({ counters: true });
  assert.equal(differ.diff(first), null, 'nothing posted yet: the caller must post the whole snapshot');
  const fullBytes = bytes(differ.full(first));

  // The agent re-sends every list when anything changed: a fresh object graph with one container's limit new.
  const next = structuredClone(first);
  next.takenAt = 't1';
  next.containers[42].cgroup!.memory!.limitBytes = 96 * 2 ** 20;
  const d = differ.diff(next)!;
  assert.deepEqual(Object.keys(d).sort(), ['containers', 'takenAt']);
  assert.deepEqual(
    d.containers!.upserted.map((c) => c.id),
    [next.containers[42].id],
  );
  assert.equal(differ.counters(next), null, 'no counter moved');
  assert.ok(bytes(d) < fullBytes / 100, `delta ${bytes(d)} B against full ${fullBytes} B`);
  assert.deepEqual(applySnapshotDelta(first, d), next);
  assert.equal(first.containers[42].cgroup!.memory!.limitBytes, 256 * 2 ** 20, "the page's old snapshot is not mutated");
});

test('counters moving in every container are no structure change: the counters message carries them as numbers', () => {
  const first = busyNode();
  const differ = new SnapshotDiffer({ counters: true });
  const fullBytes = bytes(differ.full(first));
  const next = structuredClone(first);
  next.takenAt = 't1';
  for (const c of next.containers) {
    c.cgroup!.memory!.usageBytes! += 4096;
    c.cgroup!.cpu!.usageUsec! += 1000;
  }
  next.containers[7].cgroup!.memory!.stat.pgfault = 123_456;
  const d = differ.diff(next)!;
  assert.ok(isEmptyDelta(d), `the delta: ${JSON.stringify(d).slice(0, 200)}`);
  const u = differ.counters(next)!;
  assert.equal(Object.keys(u.changed).length, 200);
  // The fixed counters are known to both sides by position; a memory.stat key is named once a page load, when it first moves.
  assert.deepEqual(u.columns, ['stat:pgfault']);
  const columns = initialCounterColumns();
  const usage = columns.indexOf('memory.usageBytes');
  const cpu = columns.indexOf('cpu.usageUsec');
  assert.deepEqual(u.changed[next.containers[0].id], [
    usage,
    next.containers[0].cgroup!.memory!.usageBytes,
    cpu,
    next.containers[0].cgroup!.cpu!.usageUsec,
  ]);
  assert.equal(u.changed[next.containers[7].id].length, 6, 'usage, cpu and the one memory.stat counter');
  assert.ok(!JSON.stringify(u).includes('usageBytes'), 'no labels repeated per container');
  // Two numbers a container and its id: on this node about 2 % of the full post when all 200 move.
  assert.ok(bytes(u) < fullBytes / 20, `counters ${bytes(u)} B against full ${fullBytes} B`);

  const applied = applyCounters(first.containers, u, columns);
  assert.deepEqual(applied.containers, next.containers);
  assert.equal(applied.changed.length, 200);
  assert.notEqual(
    first.containers[0].cgroup!.memory!.usageBytes,
    next.containers[0].cgroup!.memory!.usageBytes,
    'the old rows are left as they were',
  );
  assert.equal(differ.counters(next), null, 'once posted, the same counters are not posted again');
});

test('a memory.stat key new since the full post is a structure change; a null counter travels as null', () => {
  const first = busyNode();
  const differ = new SnapshotDiffer({ counters: true });
  differ.full(first);
  const next = structuredClone(first);
  next.containers[3].cgroup!.memory!.stat.workingset_refault = 5;
  next.containers[4].cgroup!.memory!.usageBytes = null;
  next.containers[5].cgroup!.pressure!.io = null;
  const d = differ.diff(next)!;
  assert.deepEqual(
    d.containers!.upserted.map((c) => c.name),
    ['app-3', 'app-5'],
  );
  const u = differ.counters(next)!;
  assert.deepEqual(Object.keys(u.changed), [next.containers[4].id]);
  assert.deepEqual(u.changed[next.containers[4].id], [initialCounterColumns().indexOf('memory.usageBytes'), null]);
  // The next pass moves the new key: a column of its own, named once.
  const third = structuredClone(next);
  third.containers[3].cgroup!.memory!.stat.workingset_refault = 9;
  third.containers[6].cgroup!.memory!.stat.workingset_refault = 1;
  assert.deepEqual(
    differ.diff(third)!.containers!.upserted.map((c) => c.name),
    ['app-6'],
  );
  const u3 = differ.counters(third)!;
  assert.deepEqual(u3.columns, ['stat:workingset_refault']);
  assert.deepEqual(u3.changed[third.containers[3].id], [initialCounterColumns().length, 9]);
});

test('a differ without counters posts every counter as null, so a page never shows a number from an earlier pass', () => {
  const first = busyNode();
  const differ = new SnapshotDiffer();
  const posted = differ.full(first);
  const row = posted.containers[0];
  assert.equal(row.cgroup!.memory!.usageBytes, null);
  assert.equal(row.cgroup!.memory!.limitBytes, 256 * 2 ** 20, 'limits are structure and stay');
  assert.equal(row.cgroup!.pressure!.cpu!.some.avg10, null);
  assert.deepEqual(row.cgroup!.memory!.stat, {});
  assert.equal(first.containers[0].cgroup!.memory!.usageBytes, 10_000_000, "the model's snapshot is not touched");
  assert.ok(bytes(posted) < bytes(first));
  const next = structuredClone(first);
  next.containers[1].cgroup!.memory!.usageBytes = 1;
  assert.ok(isEmptyDelta(differ.diff(next)!), 'only a counter moved: nothing to post');
  assert.equal(differ.counters(next), null);
  next.containers[1].cgroup!.pids!.max = 50;
  const d = differ.diff(next)!;
  assert.equal(d.containers!.upserted[0].cgroup!.pids!.current, null);
  assert.equal(d.containers!.upserted[0].cgroup!.pids!.max, 50);
});

test('withoutCounters and readCounters split a row into its structure and its counters', () => {
  const c: ContainerInfo = busyNode().containers[9];
  const counters = readCounters(c);
  assert.equal(counters.get('memory.usageBytes'), 10_000_009);
  assert.equal(counters.get('pressure.io.full.avg10'), 0.01);
  assert.equal(counters.get('stat:pgfault'), 109);
  assert.ok(!counters.has('memory.limitBytes'));
  const shape = withoutCounters(c, 'shape');
  assert.deepEqual(Object.keys(shape.cgroup!.memory!.stat), Object.keys(c.cgroup!.memory!.stat));
  assert.equal(readCounters(shape).get('memory.usageBytes'), null);
  delete c.cgroup!.io!.readBytes; // an older agent's row: no such counter, not a null one
  assert.ok(!readCounters(c).has('io.readBytes'));
  assert.ok(!('readBytes' in withoutCounters(c, 'none').cgroup!.io!));
});

test('births, deaths and a reused pid are keyed changes; an unchanged snapshot is an empty delta', () => {
  const first = busyNode();
  const differ = new SnapshotDiffer();
  differ.full(first);
  const next = structuredClone(first);
  next.takenAt = 't1';
  next.processes.splice(0, 1); // pid 100 died
  next.processes.push({ ...next.processes[0], pid: 100, startTime: 9999 }); // and its pid was reused
  const gone = next.containers.pop()!;
  next.namespaces.push({ ...next.namespaces[0], inode: 1 });
  const d = differ.diff(next)!;
  assert.deepEqual(d.processes!.removed, ['100@5000']);
  assert.deepEqual(
    d.processes!.upserted.map((p) => `${p.pid}@${p.startTime}`),
    ['100@9999'],
  );
  assert.deepEqual(d.containers!.removed, [gone.id]);
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
