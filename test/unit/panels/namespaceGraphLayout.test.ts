/**
 * The banded layout the namespace graph uses past ELK_MAX_NODES, on the bench's synthetic 5,000-node
 * graph: every node placed, no two boxes overlap, and a container's own namespaces sit to its right (the
 * reading direction of the ELK layout used for small graphs). Pure logic.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { syntheticNamespaceSnapshot } from '../../../bench/panels';
import { buildNamespaceGraph } from '../../../src/model/graph/namespaceGraph';
import { bandLayout } from '../../../src/panels/namespaceGraph/web/bandLayout';
import { toViewGraph } from '../../../src/panels/namespaceGraph/web/elements';
import { ELK_MAX_NODES, layoutFor } from '../../../src/panels/namespaceGraph/web/graphView';

test('bands: every node placed once, no overlaps, own namespaces right of their container', () => {
  const snap = syntheticNamespaceSnapshot(436);
  const g = toViewGraph(buildNamespaceGraph(snap), new Set(), snap);
  assert.ok(g.nodes.length > 4500, `${g.nodes.length} nodes`);
  const at = bandLayout(g);
  assert.equal(at.size, g.nodes.length);
  // Boxes in one column share their centre's x only when stacked: sweep each column by y.
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const boxes = g.nodes.map((n) => ({ n, ...at.get(n.id)! })).sort((a, b) => a.x - b.x || a.y - b.y);
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].x - boxes[j].n.w / 2 < a.x + a.n.w / 2 + 400; j++) {
      const b = boxes[j];
      const apart = Math.abs(a.x - b.x) * 2 >= a.n.w + b.n.w || Math.abs(a.y - b.y) * 2 >= a.n.h + b.n.h;
      assert.ok(apart, `${a.n.id} and ${b.n.id} overlap`);
    }
  }
  let checked = 0;
  for (const e of g.edges) {
    const target = byId.get(e.target)!;
    if (e.kind !== 'member' || target.model.host || target.model.shared) continue;
    assert.ok(at.get(e.source)!.x < at.get(e.target)!.x, `${e.target} is left of ${e.source}`);
    checked++;
  }
  assert.ok(checked > 1000);
});

test('bands at every size unless a layout is forced (ELK read worse on the rig and is slow past hundreds)', () => {
  assert.equal(layoutFor(60), 'bands');
  assert.equal(layoutFor(ELK_MAX_NODES + 1), 'bands');
  assert.equal(layoutFor(60, 'elk'), 'elk');
  assert.equal(layoutFor(5000, 'cose'), 'cose');
});
