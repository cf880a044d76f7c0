// whence's lookup order on plain layer directories (no root, no mount): file over file, merged dirs,
// file over dir, AUFS-style whiteouts and opaque markers, '..' and symlinked components (followed inside
// the container, never on the host). The same rules
// are checked against a real overlay mount and the rig's Docker layers in test/integration/layers.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { whence } from '../../../server/layers/whence';
import type { LayerRef, RootfsInfo } from '../../../server/protocol';
import { fixtureTree } from '../../support/fixtureTree';

type T = Parameters<typeof fixtureTree>[0];

/** Layers named upper, mid, low (top-down), each a fixture tree. */
function layers(t: T, trees: { upper: Record<string, string>; mid: Record<string, string>; low: Record<string, string> }) {
  const upper: LayerRef = { path: fixtureTree(t, 'ns-h3-up-', trees.upper), role: 'upper', index: 0 };
  const mid: LayerRef = { path: fixtureTree(t, 'ns-h3-mid-', trees.mid), role: 'lower', index: 1 };
  const low: LayerRef = { path: fixtureTree(t, 'ns-h3-low-', trees.low), role: 'lower', index: 2 };
  const rootfs: RootfsInfo = { fstype: 'overlay', source: 'overlay', readOnly: false, overlay: null, layers: [upper, mid, low] };
  return { rootfs, upper, mid, low };
}

test('a file in a higher layer hides lower copies; in the upper layer it is a copy-up', (t) => {
  const l = layers(t, { upper: { 'etc/conf': 'u' }, mid: { 'etc/conf': 'm', 'etc/only-mid': '' }, low: { 'etc/conf': 'l' } });
  const w = whence(l.rootfs, 'c', '/etc/conf', null);
  assert.equal(w.visible, true);
  assert.equal(w.fileType, 'file');
  assert.equal(w.provider, l.upper);
  assert.deepEqual(w.shadowed, [l.mid, l.low]);
  assert.equal(w.copiedUp, true);
  assert.deepEqual(
    w.inodes.layers.map((x) => x.inode),
    [fs.lstatSync(`${l.upper.path}/etc/conf`).ino],
  );
  const m = whence(l.rootfs, 'c', 'etc/only-mid', null);
  assert.equal(m.provider, l.mid);
  assert.equal(m.copiedUp, false);
  assert.deepEqual(m.shadowed, []);
});

test('directories merge: the top-most provides, every lower copy is listed as shadowed', (t) => {
  const l = layers(t, { upper: { 'usr/a': '' }, mid: {}, low: { 'usr/b': '' } });
  const w = whence(l.rootfs, 'c', '/usr', null);
  assert.equal(w.fileType, 'dir');
  assert.equal(w.provider, l.upper);
  assert.deepEqual(w.shadowed, [l.low]);
  assert.equal(whence(l.rootfs, 'c', '/usr/b', null).provider, l.low, 'a lower file shows through the merged dir');
});

test('a file over a directory hides everything below that directory', (t) => {
  const l = layers(t, { upper: {}, mid: { opt: 'file now' }, low: { 'opt/tool': '' } });
  const w = whence(l.rootfs, 'c', '/opt/tool', null);
  assert.equal(w.visible, false);
  assert.equal(w.provider, null);
  assert.equal(w.deletedBy, null);
  assert.deepEqual(whence(l.rootfs, 'c', '/opt', null).shadowed, [l.low]);
});

test('.wh. whiteouts delete the name and everything below; a higher copy wins over a lower whiteout', (t) => {
  const l = layers(t, { upper: { 'srv/x': 'back' }, mid: { '.wh.tmp': '', 'srv/.wh.x': '' }, low: { 'tmp/f': '', 'srv/x': 'old' } });
  const gone = whence(l.rootfs, 'c', '/tmp/f', null);
  assert.equal(gone.visible, false);
  assert.equal(gone.deletedBy, l.mid);
  assert.equal(whence(l.rootfs, 'c', '/tmp', null).deletedBy, l.mid);
  const back = whence(l.rootfs, 'c', '/srv/x', null);
  assert.equal(back.provider, l.upper);
  assert.equal(back.deletedBy, null);
});

test("a deleted path names the whiteout's layer and, as shadowed, the lower layers that still hold it", (t) => {
  const l = layers(t, { upper: { 'bin/.wh.top': '' }, mid: { 'bin/top': 'image' }, low: { 'bin/top': 'base' } });
  const top = whence(l.rootfs, 'c', '/bin/top', null);
  assert.equal(top.visible, false);
  assert.equal(top.deletedBy, l.upper);
  assert.deepEqual(top.shadowed, [l.mid, l.low], 'the whiteout masks the copies below; it does not remove them');
  const never = layers(t, { upper: { 'bin/.wh.top': '' }, mid: {}, low: {} });
  assert.deepEqual(whence(never.rootfs, 'c', '/bin/top', null).shadowed, [], 'a whiteout over nothing hides nothing');
  assert.deepEqual(whence(l.rootfs, 'c', '/bin/none', null).shadowed, [], 'in no layer at all');
});

test('a path under an opaque directory lists, as shadowed, the cut-off layer that still holds it', (t) => {
  const l = layers(t, { upper: {}, mid: { 'data/.wh..wh..opq': '' }, low: { 'data/old': '' } });
  const old = whence(l.rootfs, 'c', '/data/old', null);
  assert.equal(old.hiddenByOpaque, l.mid);
  assert.deepEqual(old.shadowed, [l.low]);
});

test('.wh..wh..opq makes a directory opaque: lower contents are hidden by that layer', (t) => {
  const l = layers(t, { upper: {}, mid: { 'data/.wh..wh..opq': '', 'data/new': '' }, low: { 'data/old/deep': '' } });
  const old = whence(l.rootfs, 'c', '/data/old/deep', null);
  assert.equal(old.visible, false);
  assert.equal(old.hiddenByOpaque, l.mid);
  assert.equal(whence(l.rootfs, 'c', '/data/new', null).provider, l.mid);
  assert.deepEqual(whence(l.rootfs, 'c', '/data', null).shadowed, [], 'an opaque dir merges with nothing below');
});

test("'..' cannot climb out of the container root; a symlinked component is followed inside the container", (t) => {
  const l = layers(t, { upper: {}, mid: {}, low: { 'etc/passwd': 'container' } });
  const w = whence(l.rootfs, 'c', '../../../etc/passwd', null);
  assert.equal(w.path, '/etc/passwd');
  assert.equal(w.provider, l.low);
  fs.symlinkSync('/etc', `${l.upper.path}/lnk`);
  const through = whence(l.rootfs, 'c', '/lnk/passwd', null);
  assert.equal(through.path, '/lnk/passwd');
  assert.equal(through.resolvedPath, '/etc/passwd', "an absolute target is the container's /etc");
  assert.equal(through.provider, l.low);
  assert.deepEqual(
    through.inodes.layers.map((x) => x.inode),
    [fs.lstatSync(`${l.low.path}/etc/passwd`).ino],
    'never the host /etc/passwd',
  );
  const link = whence(l.rootfs, 'c', '/lnk', null);
  assert.equal(link.fileType, 'symlink', 'the last component is not followed (lstat)');
  assert.equal(link.provider, l.upper);
  assert.equal(link.resolvedPath, undefined);
});

test('merged-usr images: /bin/sh through bin -> usr/bin, relative targets, .. above the root, loops', (t) => {
  const l = layers(t, { upper: { 'usr/bin/sh': 'copied up' }, mid: {}, low: { 'usr/bin/sh': 'dash', 'usr/lib/x': '' } });
  fs.symlinkSync('usr/bin', `${l.low.path}/bin`);
  fs.symlinkSync('../../../../../usr/lib', `${l.mid.path}/lib`);
  fs.symlinkSync('b', `${l.mid.path}/a`);
  fs.symlinkSync('a', `${l.mid.path}/b`);
  const sh = whence(l.rootfs, 'c', '/bin/sh', null);
  assert.equal(sh.resolvedPath, '/usr/bin/sh');
  assert.equal(sh.visible, true);
  assert.equal(sh.provider, l.upper);
  assert.deepEqual(sh.shadowed, [l.low]);
  assert.equal(sh.copiedUp, true);
  const lib = whence(l.rootfs, 'c', '/lib/x', null);
  assert.equal(lib.resolvedPath, '/usr/lib/x', "'..' in a target stops at the container root");
  assert.equal(lib.provider, l.low);
  const loop = whence(l.rootfs, 'c', '/a/x', null);
  assert.equal(loop.visible, false);
  assert.equal(loop.provider, null);
  assert.match(loop.problems?.[0]?.message ?? '', /more than 40 symlinks on the way \(ELOOP\)/);
});

test('data-only layers are never looked up by name; no init process means no merged inode', (t) => {
  const l = layers(t, { upper: {}, mid: {}, low: {} });
  const data: LayerRef = { path: fixtureTree(t, 'ns-h3-data-', { blob: 'x' }), role: 'data', index: 3 };
  const w = whence({ ...l.rootfs, layers: [...l.rootfs.layers, data] }, 'c', '/blob', null);
  assert.equal(w.visible, false);
  assert.equal(w.inodes.merged, null);
  assert.equal(w.problems, undefined);
});

test('an init process that is gone leaves the merged inode null with a problem', (t) => {
  const l = layers(t, { upper: { a: '' }, mid: {}, low: {} });
  const w = whence(l.rootfs, 'c', '/a', 2 ** 22 + 1); // above pid_max's ceiling: never a live process
  assert.equal(w.inodes.merged, null);
  assert.match(w.problems?.[0]?.message ?? '', /container process is gone/);
});
