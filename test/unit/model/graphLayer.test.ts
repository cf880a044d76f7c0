/**
 * The layer sharing graph builder on the recorded rig snapshot (pure logic). The fixture predates
 * LayerRef.hostPath: its paths name host directories directly, as `hostPath` absent means.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Snapshot } from '../../../server/protocol';
import { buildLayerGraph, layerLabel } from '../../../src/model/graph/layerGraph';
import type { Graph } from '../../../src/model/graph/graphModel';

const load = (): Snapshot => JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'rig-snapshot.json'), 'utf8'));

/** The chain from a container's node along "layer" edges: its stack as the graph tells it. */
function chain(g: Graph, containerId: string): string[] {
  const out: string[] = [];
  let at = `container:${containerId}`;
  for (;;) {
    const next = g.edges.filter((e) => e.kind === 'layer' && e.source === at);
    if (!next.length) return out;
    // A shared layer has one next layer whoever uses it: the image below it is the same.
    assert.equal(next.length, 1, `${at} points at ${next.length} layers`);
    at = next[0].target;
    out.push(g.nodes.find((n) => n.id === at)!.path!);
  }
}

describe('layer graph', () => {
  const snap = load();
  const g = buildLayerGraph(snap);

  it("follows each container's stack, upper first, as the chain of its edges", () => {
    for (const c of snap.containers)
      assert.deepEqual(
        chain(g, c.id),
        c.rootfs!.layers.map((l) => l.path),
        c.name,
      );
  });

  it('makes a layer several containers use one node, with usedBy as the snapshot lists them', () => {
    const layers = g.nodes.filter((n) => n.kind === 'layer');
    assert.equal(new Set(layers.map((n) => n.path)).size, layers.length, 'one node per directory');
    for (const l of snap.layers) {
      const n = layers.find((x) => x.path === l.path)!;
      assert.ok(n, l.path);
      assert.deepEqual(n.usedBy, [...l.usedBy].sort());
      if (l.usedBy.length > 1) assert.match(n.label, new RegExp(` \\(used by ${l.usedBy.length}\\)$`));
      assert.equal(n.sizeBytes, l.sizeBytes ?? undefined);
    }
    const base = layers.find(
      (n) => n.path === '/var/lib/docker/overlay2/21f775936c283d4896fdb4d46146fae6447a0cb965a9ff005de545f71bbe4ab0/diff',
    )!;
    assert.equal(base.usedBy!.length, 3);
    assert.equal(base.label, 'overlay2/21f775936c28 (used by 3)');
    // Every upper is writable, and only the uppers.
    const uppers = new Set(snap.containers.flatMap((c) => c.rootfs!.layers.filter((l) => l.role === 'upper').map((l) => l.path)));
    assert.deepEqual(
      layers
        .filter((n) => n.writable)
        .map((n) => n.path!)
        .sort(),
      [...uppers].sort(),
    );
  });

  it('keeps an unverified layer to its container: the same string in two containers may be two directories', () => {
    const s = load();
    const bare = s.containers.find((c) => c.runtime === 'bare')!;
    for (const l of bare.rootfs!.layers) Object.assign(l, { hostPath: null, unverified: "not under an engine's storage root" });
    s.containers.push({ ...structuredClone(bare), id: 'bare-1-2', name: 'other' });
    const h = buildLayerGraph(s);
    const lower1 = h.nodes.filter((n) => n.path === '/run/nodescope-rig/bare/lower1');
    assert.equal(lower1.length, 2);
    for (const n of lower1) {
      assert.equal(n.usedBy!.length, 1);
      assert.equal(n.unverified, "not under an engine's storage root");
      assert.equal(n.sizeBytes, undefined);
    }
  });

  it('names layers shortly, as docker prints ids', () => {
    assert.equal(
      layerLabel('/var/lib/docker/overlay2/21f775936c283d4896fdb4d46146fae6447a0cb965a9ff005de545f71bbe4ab0-init/diff'),
      'overlay2/21f775936c28-init',
    );
    assert.equal(layerLabel('/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/7/fs'), 'snapshots/7');
    assert.equal(layerLabel('/run/nodescope-rig/bare/lower1'), 'bare/lower1');
    assert.equal(layerLabel('/'), '/');
  });

  it('is sorted and the same whatever the input order; every edge joins two nodes', () => {
    const s = load();
    s.containers.reverse();
    s.layers.reverse();
    assert.deepEqual(buildLayerGraph(s), g);
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) assert.ok(ids.has(e.source) && ids.has(e.target));
  });
});
