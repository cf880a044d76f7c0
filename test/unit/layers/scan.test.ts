// scanLayer on plain directory trees (no root needed): the AUFS / fuse-overlayfs markers, symlinks that
// must never be followed, counts, progress and the one-line errors. Kernel-made marks (0/0 devices,
// trusted.overlay.* xattrs) are checked against find/getfattr in test/integration/layers.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { scanLayer } from '../../../server/layers/scan';
import { fixtureTree } from '../../support/fixtureTree';

test('AUFS-style markers report the deleted path and the opaque dir, and are not counted as files', (t) => {
  const dir = fixtureTree(t, 'ns-h3-scan-', {
    '.wh.gone': '',
    'etc/.wh.passwd': '',
    '.wh..wh..opq': '',
    'var/lib/.wh..wh..opq': '',
    'var/lib/kept': '12345',
  });
  const s = scanLayer(dir);
  assert.deepEqual(s.whiteouts.map((w) => [w.path, w.kind]).sort(), [['etc/passwd', 'wh-file'], ['gone', 'wh-file']]);
  assert.deepEqual(s.opaqueDirs.map((o) => [o.path, o.kind]).sort(), [['', 'wh-opq'], ['var/lib', 'wh-opq']]);
  assert.equal(s.files, 1);
  assert.equal(s.bytes, 5);
  assert.equal(s.dirs, 3);
  assert.deepEqual(s.problems, []);
});

test('symlinks are counted, never followed, whether they point outside the layer or up out of it', (t) => {
  const outside = fixtureTree(t, 'ns-h3-outside-', { 'a': 'x'.repeat(100), 'b/c': 'y' });
  const dir = fixtureTree(t, 'ns-h3-scan-', { 'bin/sh': 'ab' });
  fs.symlinkSync(outside, `${dir}/to-outside`);
  fs.symlinkSync('../../../../..', `${dir}/bin/up`);
  fs.symlinkSync('/etc/passwd', `${dir}/bin/abs`);
  const s = scanLayer(dir);
  assert.equal(s.symlinks, 3);
  assert.equal(s.files, 1);
  assert.equal(s.bytes, 2);
  assert.equal(s.dirs, 1);
});

test('a symlink given as the layer is not a directory: the link is not followed', (t) => {
  const dir = fixtureTree(t, 'ns-h3-scan-', { 'f': '' });
  fs.symlinkSync(dir, `${dir}/self`);
  assert.throws(() => scanLayer(`${dir}/self`), { message: `not a directory: ${dir}/self` });
  assert.throws(() => scanLayer(`${dir}/f`), { message: `not a directory: ${dir}/f` });
  assert.throws(() => scanLayer(`${dir}/missing`), { message: `no such directory: ${dir}/missing` });
});

test('onProgress reports the running file count every 10,000 files', (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 20_001; i++) files[`d${i % 40}/f${i}`] = '';
  const dir = fixtureTree(t, 'ns-h3-scan-', files);
  const seen: number[] = [];
  const s = scanLayer(dir, { onProgress: (n) => seen.push(n) });
  assert.equal(s.files, 20_001);
  assert.deepEqual(seen, [10_000, 20_000]);
});

test('an unreadable subdirectory is a problem, the rest is still counted', { skip: process.getuid?.() === 0 && 'root reads every directory' }, (t) => {
  const dir = fixtureTree(t, 'ns-h3-scan-', { 'closed/secret': 'x', 'open/f': 'yy' });
  fs.chmodSync(`${dir}/closed`, 0);
  let s;
  try {
    s = scanLayer(dir);
  } finally {
    fs.chmodSync(`${dir}/closed`, 0o755); // before the fixture's own cleanup, which must read it
  }
  assert.equal(s.files, 1);
  assert.deepEqual(s.problems, [{ source: `${dir}/closed`, message: 'permission denied (EACCES)' }]);
});
