// The wasted-space computation alone (pure: entries fed as a layer walk would feed them, top-most layer
// first). The overlay rules it encodes are checked against real images built by the rig, and their
// `docker history` sizes, in test/integration/layerReport.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WasteCounter, type StackEntry } from '../../../server/layers/wastedSpace';
import { foldHistory } from '../../../server/layers/dockerImage';

/** Layers top-most first, each a list of entries; the report indexes them 0, 1, ... */
function waste(layers: StackEntry[][]) {
  const c = new WasteCounter();
  layers.forEach((entries, i) => {
    c.beginLayer(i);
    for (const e of entries) c.add(e);
  });
  return c.result();
}
const file = (path: string, bytes: number): StackEntry => ({ path, kind: 'file', bytes });
const dir = (path: string): StackEntry => ({ path, kind: 'dir', bytes: 0 });
const opaque = (path: string): StackEntry => ({ path, kind: 'opaqueDir', bytes: 0 });
const whiteout = (path: string): StackEntry => ({ path, kind: 'whiteout', bytes: 0 });
const other = (path: string): StackEntry => ({ path, kind: 'other', bytes: 0 });

describe('wasted space', () => {
  it('a file removed by a later layer is wasted whole; efficiency is 1 - wasted / total', () => {
    const r = waste([[whiteout('big')], [file('big', 1000), file('keep', 3000)]]);
    assert.deepEqual(r.wasted, [{ path: '/big', bytes: 1000, layer: 1 }]);
    assert.equal(r.wastedBytes, 1000);
    assert.equal(r.totalBytes, 4000);
    assert.equal(r.efficiency, 0.75);
  });

  it('an overwritten file wastes the lower copy only, whatever the sizes', () => {
    const r = waste([
      [dir('etc'), file('etc/conf', 3)],
      [dir('etc'), file('etc/conf', 24)],
    ]);
    assert.deepEqual(r.wasted, [{ path: '/etc/conf', bytes: 24, layer: 1 }]);
    assert.equal(r.totalBytes, 27);
  });

  it('an opaque directory hides everything below it in lower layers, at any depth, but not its own content', () => {
    const r = waste([
      [opaque('d'), file('d/new', 2)],
      [dir('d'), dir('d/sub'), file('d/sub/deep', 5), file('d/old', 4), file('e', 9)],
    ]);
    assert.deepEqual(
      r.wasted.map((w) => w.path),
      ['/d/sub/deep', '/d/old'],
    );
    assert.equal(r.wastedBytes, 9);
  });

  it('a plain directory above merges: the lower files in it stay visible', () => {
    const r = waste([
      [dir('d'), file('d/a', 1)],
      [dir('d'), file('d/b', 7)],
    ]);
    assert.equal(r.wastedBytes, 0);
    assert.equal(r.efficiency, 1);
  });

  it('a whiteout, a file or a symlink over a directory hides the whole tree below it', () => {
    for (const cover of [whiteout('d'), file('d', 0), other('d')]) {
      const r = waste([[cover], [dir('d'), dir('d/x'), file('d/x/f', 10)]]);
      assert.equal(r.wastedBytes, 10, cover.kind);
    }
  });

  it('a directory over a file hides the file', () => {
    assert.equal(waste([[dir('f'), file('f/in', 1)], [file('f', 6)]]).wastedBytes, 6);
  });

  it('a layer never hides its own files, and hiding reaches every layer further down', () => {
    // Layer 1 holds both a whiteout of /x and a file under a name it adds again (what an engine never
    // writes, but the rule is by layer): nothing of layer 1 is wasted; layer 2's and 3's /x are.
    const r = waste([[], [whiteout('x'), file('y', 1)], [file('x', 2)], [file('x', 3)]]);
    assert.deepEqual(r.wasted, [
      { path: '/x', bytes: 3, layer: 3 },
      { path: '/x', bytes: 2, layer: 2 },
    ]);
  });

  it('a name that merely starts like a hidden directory is not below it', () => {
    assert.equal(waste([[whiteout('d')], [file('dd', 4), file('d.txt', 5)]]).wastedBytes, 0);
  });

  it('lists the wasted files largest first, and an empty stack is fully efficient', () => {
    const r = waste([
      [whiteout('a'), whiteout('b'), whiteout('c')],
      [file('a', 1), file('b', 30), file('c', 20)],
    ]);
    assert.deepEqual(
      r.wasted.map((w) => w.bytes),
      [30, 20, 1],
    );
    assert.equal(waste([[], []]).efficiency, 1);
  });
});

describe('image history folded onto layers', () => {
  const h = (created_by: string, empty = false) => ({ created_by, ...(empty ? { empty_layer: true } : {}) });

  it('entries that made no layer go with the next layer; those after the last one with the top-most', () => {
    const folded = foldHistory(
      [{ comment: 'Imported from -' }, h('ENV A=1', true), h('LABEL x=1', true), h('RUN a'), h('RUN b'), h('CMD ["sh"]', true)],
      3,
    );
    assert.deepEqual(folded, [
      { createdBy: null, emptyHistory: [] },
      { createdBy: 'RUN a', emptyHistory: ['ENV A=1', 'LABEL x=1'] },
      { createdBy: 'RUN b', emptyHistory: [], trailingHistory: ['CMD ["sh"]'] },
    ]);
  });

  it('a history that does not match the layers gives none rather than a wrong one', () => {
    assert.equal(foldHistory([h('RUN a'), h('RUN b')], 3), null);
    assert.equal(foldHistory(['junk', h('RUN a')], 1), null);
  });
});
