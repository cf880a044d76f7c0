// scanLayer on plain directory trees (no root needed): the AUFS / fuse-overlayfs markers, symlinks that
// must never be followed, counts, progress and the one-line errors. Kernel-made marks (0/0 devices,
// trusted.overlay.* xattrs) are checked against find/getfattr in test/integration/layers.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { LayerScan } from '../../../server/protocol';
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
  assert.deepEqual(s.whiteouts.map((w) => [w.path, w.kind]).sort(), [
    ['etc/passwd', 'wh-file'],
    ['gone', 'wh-file'],
  ]);
  assert.deepEqual(s.opaqueDirs.map((o) => [o.path, o.kind]).sort(), [
    ['', 'wh-opq'],
    ['var/lib', 'wh-opq'],
  ]);
  assert.equal(s.files, 1);
  assert.equal(s.bytes, 5);
  assert.equal(s.dirs, 3);
  assert.deepEqual(s.problems, []);
});

test('symlinks are counted, never followed, whether they point outside the layer or up out of it', (t) => {
  const outside = fixtureTree(t, 'ns-h3-outside-', { a: 'x'.repeat(100), 'b/c': 'y' });
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
  const dir = fixtureTree(t, 'ns-h3-scan-', { f: '' });
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

/**
 * Root reads every directory, so as root the scan runs in a child dropped to `nobody` (setpriv): the
 * EACCES path is exercised in CI, where the suite runs as root, and not only on developer laptops.
 */
function scanAsUnprivileged(dir: string): LayerScan {
  if (process.getuid?.() !== 0) return scanLayer(dir);
  fs.chmodSync(dir, 0o755); // the fixture's own directory must be enterable by nobody
  const repo = path.resolve(__dirname, '..', '..', '..');
  const code = `const {scanLayer}=require(${JSON.stringify(path.join(repo, 'server', 'layers', 'scan'))});process.stdout.write(JSON.stringify(scanLayer(${JSON.stringify(dir)})))`;
  const out = execFileSync(
    'setpriv',
    ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '--import', 'tsx', '-e', code],
    { cwd: repo, encoding: 'utf8' },
  );
  return JSON.parse(out) as LayerScan;
}

test('an unreadable subdirectory is a problem, the rest is still counted', (t) => {
  const dir = fixtureTree(t, 'ns-h3-scan-', { 'closed/secret': 'x', 'open/f': 'yy' });
  fs.chmodSync(`${dir}/closed`, 0);
  let s: LayerScan;
  try {
    s = scanAsUnprivileged(dir);
  } finally {
    fs.chmodSync(`${dir}/closed`, 0o755); // before the fixture's own cleanup, which must read it
  }
  assert.equal(s.files, 1);
  assert.deepEqual(s.problems, [{ source: `${dir}/closed`, message: 'permission denied (EACCES)' }]);
});
