// ls and the layer report on plain directory trees standing in for layers, with AUFS / fuse-overlayfs
// style marks (`.wh.NAME`, `.wh..wh..opq`: no root needed). The kernel's own marks (0/0 devices,
// trusted.overlay.opaque) on Docker's real layers are checked in test/integration/layerReport.test.ts.
// A symlink a layer holds is never followed: not to the node's /etc, not into another layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { LayerListing } from '../../../server/protocol';
import { listLayerDir } from '../../../server/layers/layerListing';
import { layerReport } from '../../../server/layers/layerReport';
import type { LayerStack } from '../../../server/layers/layerStack';
import { fixtureTree } from '../../support/fixtureTree';

function stack(t: { after: (fn: () => void) => void }): LayerStack {
  const top = fixtureTree(t, 'ns-ls-top-', {
    '.wh.gone': '',
    'd/.wh..wh..opq': '',
    'd/new': 'n',
    'e/f': 'new f',
  });
  fs.symlinkSync('/etc', path.join(top, 'x')); // over the lower layer's directory x
  fs.symlinkSync('../../../../../../etc', path.join(top, 'up'));
  const lower = fixtureTree(t, 'ns-ls-lower-', { gone: '12345', 'd/old': '1234', 'e/f': 'f', 'e/g': 'g', 'x/y': 'y', keep: 'k' });
  const layer = (index: number, dir: string) => ({
    index,
    dir,
    role: 'lower' as const,
    origin: null,
    createdBy: null,
    emptyHistory: [],
    usedBy: [],
  });
  return {
    target: { kind: 'image', id: 'test', name: 'test' },
    layers: [layer(0, top), layer(1, lower)],
    prefixes: ['trusted.overlay.'],
    problems: [],
  };
}
const marks = (l: LayerListing) =>
  l.entries.map(
    (e) =>
      `${e.mark} ${e.name}${e.whiteout ? ' (whiteout)' : ''}${e.hiddenByOpaque ? ' (hidden)' : ''}${e.opaque ? ' (opaque)' : ''} @${e.layer}`,
  );

test('one layer alone: added, modified, removed by a whiteout, a directory made opaque', (t) => {
  const s = stack(t);
  assert.deepEqual(marks(listLayerDir(s, '/', 0, false)), ['M d (opaque) @0', 'M e @0', 'R gone (whiteout) @1', 'A up @0', 'M x @0']);
  const d = listLayerDir(s, '/d', 0, false);
  assert.equal(d.opaque, true);
  assert.deepEqual(marks(d), ['A new @0', 'R old (hidden) @1']);
});

test('the merged view: what each layer leaves, unmodified entries from below', (t) => {
  const s = stack(t);
  assert.deepEqual(marks(listLayerDir(s, '/e', 0, true)), ['M f @0', 'U g @1']);
  assert.deepEqual(marks(listLayerDir(s, '/', 1, true)), ['A d @1', 'A e @1', 'A gone @1', 'A keep @1', 'A x @1']);
  assert.deepEqual(
    listLayerDir(s, '/', 0, true)
      .entries.filter((e) => e.mark !== 'R')
      .map((e) => e.name),
    ['d', 'e', 'keep', 'up', 'x'],
  );
});

test("a symlink in a layer is not followed: not to the node's /etc, and it hides the directory below it", (t) => {
  const s = stack(t);
  assert.throws(() => listLayerDir(s, '/x', 0, true), /no directory \/x in test up to layer 0/);
  assert.throws(() => listLayerDir(s, '/up', 0, true), /no directory \/up/);
  assert.throws(() => listLayerDir(s, '/x/..', 0, true), /must not hold \. or \.\./);
  // The lower layer alone still has its own x.
  assert.deepEqual(marks(listLayerDir(s, '/x', 1, false)), ['A y @1']);
});

test('a layer index the stack does not have is refused in one line', (t) => {
  assert.throws(() => listLayerDir(stack(t), '/', 2, false), /no layer 2 in test: its layers are 0 to 1$/);
});

test('the report counts the marks and wastes what the top layer hides or replaces', (t) => {
  const r = layerReport(stack(t), 100);
  assert.deepEqual(
    r.layers.map((l) => [l.files, l.whiteouts, l.opaqueDirs, l.bytes]),
    [
      [2, 1, 1, 6],
      [6, 0, 0, 13],
    ],
  );
  assert.deepEqual(
    r.wasted.map((w) => `${w.path} ${w.bytes}`),
    ['/gone 5', '/d/old 4', '/e/f 1', '/x/y 1'],
  );
  assert.equal(r.wastedBytes, 11);
  assert.equal(r.efficiency, 1 - 11 / 19);
});
