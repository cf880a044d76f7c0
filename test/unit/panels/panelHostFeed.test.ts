/**
 * What the host posts a node panel that draws the snapshot: the whole snapshot on ready, then per watch
 * pass a structure delta when a row's structure changed and, to a panel that shows live numbers, the
 * counters that moved; nothing at all to a panel that does not when only counters moved.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ContainerInfo, Snapshot } from '../../../server/protocol';
import type { CounterUpdate } from '../../../src/panels/containerCounters';
import type { SnapshotDelta } from '../../../src/panels/snapshotDelta';
import { busyNode } from './snapshotDeltaFixtures';
import { fakeFeed } from './panelHostFeedHarness';

const bump = (s: Snapshot) => {
  s.takenAt = new Date(Date.parse(s.takenAt) + 1000).toISOString();
  for (const c of s.containers) c.cgroup!.memory!.usageBytes! += 4096;
};

test('nothing before ready; on ready the whole snapshot, with counters only to a panel that takes them', () => {
  const live = fakeFeed(busyNode(), true);
  const plain = fakeFeed(busyNode(), false);
  live.changed();
  assert.equal(live.posted.length, 0, 'the page is not there yet');
  live.ready();
  plain.ready();
  const [l] = live.take();
  const [p] = plain.take();
  assert.equal(l.method, 'snapshot');
  assert.equal((l.params as Snapshot).containers[0].cgroup!.memory!.usageBytes, 10_000_000);
  assert.equal((p.params as Snapshot).containers[0].cgroup!.memory!.usageBytes, null, 'unknown, not a number that will go stale');
});

test('a pass where only counters moved: one counters message to a live panel, nothing to the others', () => {
  const live = fakeFeed(busyNode(), true);
  const plain = fakeFeed(busyNode(), false);
  live.ready();
  plain.ready();
  live.take();
  plain.take();
  bump(live.model.snapshot!);
  bump(plain.model.snapshot!);
  live.changed();
  plain.changed();
  const posts = live.take();
  assert.deepEqual(
    posts.map((m) => m.method),
    ['counters'],
  );
  assert.equal(Object.keys((posts[0].params as CounterUpdate).changed).length, 200);
  assert.deepEqual(plain.take(), []);
  live.changed();
  assert.deepEqual(live.take(), [], 'a pass with nothing new posts nothing');
});

test('a limit set on one container: the delta carries its row alone, before the counters of the others', () => {
  const live = fakeFeed(busyNode(), true);
  const plain = fakeFeed(busyNode(), false);
  for (const f of [live, plain]) {
    f.ready();
    f.take();
    bump(f.model.snapshot!);
    f.model.snapshot!.containers[42].cgroup!.memory!.limitBytes = 96 * 2 ** 20;
    f.changed();
  }
  const posts = live.take();
  assert.deepEqual(
    posts.map((m) => m.method),
    ['delta', 'counters'],
  );
  const row = (posts[0].params as SnapshotDelta).containers!.upserted;
  assert.deepEqual(
    row.map((c) => c.name),
    ['app-42'],
  );
  assert.equal(row[0].cgroup!.memory!.usageBytes, 10_000_000 + 42 + 4096, 'the row whole, its counters as they are now');
  assert.ok(!(row[0].id in (posts[1].params as CounterUpdate).changed), 'its counters came with the row');
  const plainPosts = plain.take();
  assert.deepEqual(
    plainPosts.map((m) => m.method),
    ['delta'],
  );
  const plainRow: ContainerInfo = (plainPosts[0].params as SnapshotDelta).containers!.upserted[0];
  assert.equal(plainRow.cgroup!.memory!.limitBytes, 96 * 2 ** 20);
  assert.equal(plainRow.cgroup!.memory!.usageBytes, null);
});

test('a new full snapshot in the model, or a reloaded page, is posted whole again; no snapshot posts nothing', () => {
  const live = fakeFeed(busyNode(), true);
  live.ready();
  live.take();
  live.model.snapshot = busyNode();
  live.changed(true);
  assert.deepEqual(
    live.take().map((m) => m.method),
    ['snapshot'],
  );
  live.ready();
  assert.deepEqual(
    live.take().map((m) => m.method),
    ['snapshot'],
  );
  live.model.snapshot = null;
  live.changed();
  assert.deepEqual(live.take(), []);
  live.model.snapshot = busyNode();
  live.changed();
  assert.deepEqual(
    live.take().map((m) => m.method),
    ['snapshot'],
    'after a gap the page may have missed anything: the whole snapshot',
  );
});
