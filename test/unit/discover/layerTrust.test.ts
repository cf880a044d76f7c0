/**
 * Which layer paths count as host directories, on real directories and symlinks made here under a
 * storage root of the test's own (openat2 RESOLVE_NO_SYMLINKS is the kernel's, not imitated). The
 * namespace ownership and engine records are inputs: their reading is checked for real in
 * test/integration/launchTrap.test.ts.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LayerRef } from '../../../server/protocol';
import { hostLayerDirProblem, verifyLayers } from '../../../server/discover/layerTrust';
import { layerItem } from '../../../src/views/tree/layer';
import { SnapshotIndex } from '../../../src/views/tree/snapshotIndex';
import { tooltipOf } from '../../../src/views/tree/tooltip';
import type { Snapshot } from '../../../server/protocol';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-layertrust-'));
const root = path.join(base, 'overlay2');
for (const d of ['a/diff', 'b/diff', 'elsewhere/diff']) fs.mkdirSync(path.join(root, d), { recursive: true });
fs.mkdirSync(path.join(base, 'outside'));
fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'link'));
fs.symlinkSync('../a', path.join(root, 'c'));
fs.writeFileSync(path.join(root, 'file'), '');
const roots = [root, '/nonexistent/storage'];
const ref = (p: string, index: number, role: LayerRef['role'] = 'lower'): LayerRef => ({ path: p, role, index });

describe('layer trust', () => {
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  it('a directory under a storage root, reached without symlinks, is a host layer directory', () => {
    assert.equal(hostLayerDirProblem(`${root}/a/diff`, roots), null);
  });

  it('a symlink in any component is refused, not only in the last', () => {
    assert.equal(hostLayerDirProblem(`${root}/link`, roots), 'reached through a symlink on the host');
    assert.equal(hostLayerDirProblem(`${root}/c/diff`, roots), 'reached through a symlink on the host');
  });

  it('outside every storage root, unnormalised, relative, missing or not a directory: refused with why', () => {
    assert.equal(hostLayerDirProblem(`${base}/outside`, roots), "not under an engine's storage root");
    assert.equal(hostLayerDirProblem(root, roots), "not under an engine's storage root", 'the root itself is no layer');
    assert.equal(hostLayerDirProblem(`${root}/a/../../outside`, roots), 'not an absolute, normalised path');
    assert.equal(hostLayerDirProblem(`${root}//a/diff`, roots), 'not an absolute, normalised path');
    assert.equal(hostLayerDirProblem(`${root}/a/diff/`, roots), 'not an absolute, normalised path');
    assert.equal(hostLayerDirProblem('overlay2/a/diff', roots), 'not an absolute, normalised path');
    assert.equal(hostLayerDirProblem(`${root}/gone`, roots), 'not a directory on the host (ENOENT)');
    assert.equal(hostLayerDirProblem(`${root}/file`, roots), 'not a directory on the host (ENOTDIR)');
    assert.equal(
      hostLayerDirProblem(`${root}-other/a`, roots),
      "not under an engine's storage root",
      'a prefix of the name is not the root',
    );
  });

  it('in the initial user namespace each layer stands on its own checks', () => {
    const out = verifyLayers({
      layers: [ref(`${root}/a/diff`, 0, 'upper'), ref('/root/s', 1)],
      initialUserNs: true,
      record: null,
      storageRoots: roots,
    });
    assert.deepEqual(
      out.map((l) => [l.hostPath, l.unverified]),
      [
        [`${root}/a/diff`, null],
        [null, "not under an engine's storage root"],
      ],
    );
  });

  it("in a user namespace of its own only the engine's record, all of it in order, makes the layers host paths", () => {
    const layers = [ref(`${root}/a/diff`, 0, 'upper'), ref(`${root}/b/diff`, 1)];
    const record = { layers: [`${root}/a/diff`, `${root}/b/diff`], source: 'rec' };
    assert.deepEqual(
      verifyLayers({ layers, initialUserNs: false, record, storageRoots: roots }).map((l) => l.hostPath),
      record.layers,
    );
    const none = verifyLayers({ layers, initialUserNs: false, record: null, storageRoots: roots });
    assert.ok(none.every((l) => l.hostPath === null && /user namespace of its own, and no engine's record/.test(l.unverified!)));
    for (const other of [[...record.layers].reverse(), [record.layers[0]], [...record.layers, `${root}/elsewhere/diff`]]) {
      const out = verifyLayers({ layers, initialUserNs: false, record: { layers: other, source: 'rec' }, storageRoots: roots });
      assert.ok(
        out.every(
          (l) =>
            l.hostPath === null &&
            l.unverified ===
              "its mount namespace belongs to a user namespace of its own, and its engine's record (rec) names other directories",
        ),
      );
    }
    const unknown = verifyLayers({ layers, initialUserNs: null, record: null, storageRoots: roots });
    assert.ok(unknown.every((l) => l.hostPath === null && l.unverified!.startsWith('the owner of its mount namespace is unknown')));
  });

  it('a record does not excuse a path that fails on the host', () => {
    const layers = [ref(`${root}/link`, 0)];
    const out = verifyLayers({ layers, initialUserNs: false, record: { layers: [`${root}/link`], source: 'rec' }, storageRoots: roots });
    assert.deepEqual([out[0].hostPath, out[0].unverified], [null, 'reached through a symlink on the host']);
  });

  it('the tree shows an unverified layer as such and offers no scan of it', () => {
    const snap = {
      containers: [],
      namespaces: [],
      processes: [],
      layers: [{ path: '/root/s', usedBy: ['x'], roles: {}, sizeBytes: null, identity: null }],
    } as unknown as Snapshot;
    const ix = new SnapshotIndex(snap);
    const item = layerItem('i', ix, { ...ref('/root/s', 1), hostPath: null, unverified: 'why' }, undefined, 'c');
    assert.equal(item.expandable, false);
    assert.equal(item.verified, false, 'the view scans verified layers only');
    assert.equal(item.contextValue, 'layer');
    assert.equal(item.description, 'not verified on the host · /root/s');
    assert.match(tooltipOf(item, ix)!, /not a host directory: why$/);
  });
});
