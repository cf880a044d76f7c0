/**
 * The page's store fed by the host's feed over scripted watch passes (a property over seeded scripts):
 * after every pass, the store of a panel that takes live counters equals the model's snapshot, and the
 * store of one that does not equals it with every counter unknown. Messages go through JSON and the
 * page's real bridge (happy-dom), as a webview gets them.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { Snapshot } from '../../../server/protocol';
import { withoutCounters } from '../../../src/panels/containerCounters';
import { containerKey, layerKey, namespaceKey, processKey } from '../../../src/panels/snapshotDelta';
import { NodePanelBridge } from '../../../src/panels/web/bridge';
import { SnapshotStore, type StoreChange } from '../../../src/panels/web/snapshotStore';
import type { NodePanelContract } from '../../../src/panels/nodePanelContract';
import { installPageDom, type FakePage } from '../../support/pageDom';
import { fakeFeed } from './panelHostFeedHarness';
import { busyNode, pass, random, type PassKind } from './snapshotDeltaFixtures';

let page: FakePage;
before(() => {
  page = installPageDom();
});
after(() => page.close());

/** The same facts in the same keyed order: the order of a list is not what a delta carries (pages sort to show). */
function canonical(s: Snapshot): Snapshot {
  const by =
    <T>(key: (x: T) => string) =>
    (a: T, b: T) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  return {
    ...s,
    containers: [...s.containers].sort(by(containerKey)),
    processes: [...s.processes].sort(by(processKey)),
    namespaces: [...s.namespaces].sort(by(namespaceKey)),
    layers: [...s.layers].sort(by(layerKey)),
  };
}

const unknownCounters = (s: Snapshot): Snapshot => ({ ...s, containers: s.containers.map((c) => withoutCounters(c, 'none')) });

function run(seed: number, counters: boolean, passes: number) {
  const bridge = new NodePanelBridge<NodePanelContract>();
  const store = new SnapshotStore(bridge);
  const changes: StoreChange[] = [];
  store.onChange((c) => changes.push(c));
  const feed = fakeFeed(busyNode({ containers: 30, processes: 300 }), counters, (m) => page.deliver(m));
  feed.ready();
  feed.take();
  const rnd = random(seed);
  const kinds = new Map<PassKind, number>();
  let lastPosted = feed.model.snapshot!.takenAt;
  for (let n = 1; n <= passes; n++) {
    const kind = pass(feed.model.snapshot!, rnd, n);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    changes.length = 0;
    feed.changed();
    const posts = feed.take();
    if (posts.length) lastPosted = feed.model.snapshot!.takenAt;
    const fresh = structuredClone(feed.model.snapshot!);
    const want = counters ? fresh : unknownCounters(fresh);
    const got = store.snapshot!;
    assert.deepEqual(
      canonical({ ...got, takenAt: '' }),
      canonical({ ...want, takenAt: '' }),
      `seed ${seed}, pass ${n} (${kind}): the store differs from the snapshot`,
    );
    assert.equal(got.takenAt, lastPosted, `seed ${seed}, pass ${n}: takenAt of the last post`);
    assert.ok(posts.length <= 2, 'at most a delta and a counters message a pass');
    assert.equal(posts.filter((m) => m.method === 'counters').length <= (counters ? 1 : 0), true);
    if (kind === 'nothing') assert.deepEqual(posts, [], 'a pass that changed nothing posts nothing');
    if (!counters && kind === 'counters') assert.deepEqual(posts, [], 'only counters moved: nothing to a panel without them');
    const counted = changes.find((c) => c.counters);
    if (counted) assert.ok(!counted.full && counted.delta, 'counters reach listeners as a delta of the rows they moved');
  }
  return kinds;
}

test('a panel with live counters: init + deltas + counters equal the fresh snapshot after every pass', () => {
  const kinds = new Map<PassKind, number>();
  for (const seed of [1, 2, 3, 4, 5]) for (const [k, v] of run(seed, true, 40)) kinds.set(k, (kinds.get(k) ?? 0) + v);
  for (const k of ['counters', 'limit', 'start', 'stop', 'processes', 'psiGone', 'statKey', 'unreadable', 'nothing'] as const)
    assert.ok(kinds.get(k), `the scripts never made a "${k}" pass`);
});

test('a panel without counters: init + deltas equal the fresh snapshot with every counter unknown', () => {
  for (const seed of [6, 7, 8]) run(seed, false, 40);
});

test('a counters message reaches listeners as the rows it moved, marked counters, with the new numbers in the store', () => {
  const bridge = new NodePanelBridge<NodePanelContract>();
  const store = new SnapshotStore(bridge);
  const changes: StoreChange[] = [];
  store.onChange((c) => changes.push(c));
  const feed = fakeFeed(busyNode(), true, (m) => page.deliver(m));
  feed.ready();
  const before = store.snapshot!;
  const s = feed.model.snapshot!;
  s.takenAt = '2026-12-02T13:00:01.000Z';
  s.containers[3].cgroup!.memory!.usageBytes = 77;
  changes.length = 0;
  feed.changed();
  assert.equal(changes.length, 1);
  assert.deepEqual(changes[0].counters, true);
  assert.deepEqual(
    changes[0].delta!.containers!.upserted.map((c) => c.name),
    ['app-3'],
  );
  assert.deepEqual(changes[0].delta!.containers!.removed, []);
  assert.equal(store.snapshot!.containers[3].cgroup!.memory!.usageBytes, 77);
  assert.equal(store.snapshot!.takenAt, '2026-12-02T13:00:01.000Z');
  assert.equal(before.containers[3].cgroup!.memory!.usageBytes, 10_000_003, 'the snapshot a listener held is left as it was');
  assert.equal(store.snapshot!.containers[4], before.containers[4], 'rows the counters did not touch are the same objects');
});
