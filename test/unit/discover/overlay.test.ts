// Pure parsing of overlay option strings (formats from Documentation/filesystems/overlayfs.rst), plus
// Docker-style `l/` short links resolved on a real directory tree in a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  followLayerLink,
  mountsOf,
  parseOverlayOptions,
  parseTmpfsSize,
  relativeLayerResolver,
  rootfsOf,
} from '../../../server/discover/overlay';
import type { MountEntry } from '../../../server/discover/mountinfo';

const noResolve = () => null;

test('lowerdir order is top-most first; upper, work and flags are read', () => {
  const o = parseOverlayOptions(
    'rw,lowerdir=/a:/b:/c,upperdir=/u,workdir=/w,index=off,redirect_dir=follow,metacopy=on,xino=auto,volatile,userxattr',
    noResolve,
  );
  assert.deepEqual(o.lowerdirs, ['/a', '/b', '/c']);
  assert.deepEqual(o.dataLowerdirs, []);
  assert.equal(o.upperdir, '/u');
  assert.equal(o.workdir, '/w');
  assert.equal(o.index, false);
  assert.equal(o.redirectDir, 'follow');
  assert.equal(o.metacopy, true);
  assert.equal(o.xino, 'auto');
  assert.equal(o.volatile, true);
  assert.equal(o.userxattr, true);
});

test('options absent stay null/false (no invented defaults)', () => {
  const o = parseOverlayOptions('rw,lowerdir=/a', noResolve);
  assert.equal(o.upperdir, null);
  assert.equal(o.index, null);
  assert.equal(o.metacopy, null);
  assert.equal(o.redirectDir, null);
  assert.equal(o.volatile, false);
});

test('`::` starts the data-only layers', () => {
  const o = parseOverlayOptions('lowerdir=/l1:/l2::/do1::/do2', noResolve);
  assert.deepEqual(o.lowerdirs, ['/l1', '/l2']);
  assert.deepEqual(o.dataLowerdirs, ['/do1', '/do2']);
});

test('lowerdir+= and datadir+= add one layer each, in order', () => {
  const o = parseOverlayOptions('lowerdir+=/l1,lowerdir+=/l2,datadir+=/d1,upperdir=/u', noResolve);
  assert.deepEqual(o.lowerdirs, ['/l1', '/l2']);
  assert.deepEqual(o.dataLowerdirs, ['/d1']);
});

test('escaped colons, commas and spaces stay inside a path', () => {
  const o = parseOverlayOptions('lowerdir=/a\\:b:/c\\072d:/e\\054f\\040g,upperdir=/u\\072v', noResolve);
  assert.deepEqual(o.lowerdirs, ['/a:b', '/c:d', '/e,f g']);
  assert.equal(o.upperdir, '/u:v');
});

test('relative l/ links resolve through the engine root to <cache-id>/diff', (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-h2-ovl-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const o2 = path.join(root, 'overlay2');
  fs.mkdirSync(path.join(o2, 'cache1', 'diff'), { recursive: true });
  fs.mkdirSync(path.join(o2, 'cache2', 'diff'), { recursive: true });
  fs.mkdirSync(path.join(o2, 'l'));
  fs.symlinkSync('../cache1/diff', path.join(o2, 'l', 'AAAA'));
  fs.symlinkSync('../cache2/diff', path.join(o2, 'l', 'BBBB'));
  const resolve = relativeLayerResolver([path.join(root, 'missing-root'), o2]);
  const o = parseOverlayOptions(`lowerdir=l/AAAA:${o2}/l/BBBB:l/NOPE,upperdir=${o2}/cache3/diff`, resolve);
  assert.deepEqual(o.lowerdirs, [path.join(o2, 'cache1', 'diff'), path.join(o2, 'cache2', 'diff'), 'l/NOPE']);
  assert.equal(o.upperdir, `${o2}/cache3/diff`);
  assert.equal(followLayerLink(path.join(o2, 'cache1', 'diff')), path.join(o2, 'cache1', 'diff'));
});

function entry(over: Partial<MountEntry>): MountEntry {
  return {
    mountId: 1,
    parentId: 0,
    major: 0,
    minor: 1,
    root: '/',
    mountPoint: '/',
    options: 'rw',
    optional: [],
    fstype: 'ext4',
    source: '/dev/sda',
    superOptions: 'rw',
    ...over,
  };
}

test('rootfsOf takes the last mount on / and numbers upper, lowers, data layers', () => {
  const r = rootfsOf([
    entry({ mountId: 1 }),
    entry({
      mountId: 2,
      fstype: 'overlay',
      source: 'overlay',
      options: 'ro,relatime',
      superOptions: 'rw,lowerdir=/l1:/l2::/d,upperdir=/u,workdir=/w',
    }),
    entry({ mountId: 3, mountPoint: '/proc', fstype: 'proc' }),
  ]);
  assert.ok(r);
  assert.equal(r.fstype, 'overlay');
  assert.equal(r.readOnly, true);
  assert.deepEqual(r.layers, [
    { path: '/u', role: 'upper', index: 0 },
    { path: '/l1', role: 'lower', index: 1 },
    { path: '/l2', role: 'lower', index: 2 },
    { path: '/d', role: 'data', index: 3 },
  ]);
  assert.deepEqual(rootfsOf([entry({})])?.layers, []);
  assert.equal(rootfsOf([entry({ mountPoint: '/x' })]), null);
});

test('without an upper the top-most lower is index 0', () => {
  const r = rootfsOf([entry({ fstype: 'overlay', superOptions: 'ro,lowerdir=/l1:/l2' })]);
  assert.deepEqual(
    r?.layers.map((l) => [l.path, l.index]),
    [
      ['/l1', 0],
      ['/l2', 1],
    ],
  );
});

test('tmpfs sizes: k/m/g suffixes, 0 = unlimited, % of MemTotal', () => {
  assert.equal(parseTmpfsSize('16384k'), 16 * 1024 * 1024);
  assert.equal(parseTmpfsSize('16m'), 16 * 1024 * 1024);
  assert.equal(parseTmpfsSize('1g'), 1024 ** 3);
  assert.equal(parseTmpfsSize('4096'), 4096);
  assert.equal(parseTmpfsSize('0'), null);
  assert.equal(parseTmpfsSize('bogus'), null);
  const memTotalKb = Number(/^MemTotal:\s+(\d+)/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]);
  assert.equal(parseTmpfsSize('50%'), Math.floor((memTotalKb * 1024 * 50) / 100));
});

test('mountsOf: read-only from per-mount options, sizes only for tmpfs', () => {
  const m = mountsOf([
    entry({ mountPoint: '/tmp', fstype: 'tmpfs', options: 'rw,nosuid', superOptions: 'rw,size=16384k' }),
    entry({ mountPoint: '/etc/hosts', options: 'ro,relatime', superOptions: 'rw,size=100k' }),
  ]);
  assert.equal(m[0].sizeBytes, 16 * 1024 * 1024);
  assert.equal(m[0].readOnly, false);
  assert.equal(m[0].target, '/tmp');
  assert.equal(m[1].readOnly, true);
  assert.equal(m[1].sizeBytes, null);
});
