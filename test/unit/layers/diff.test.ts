// A container's changes against its image, on plain layer directories with AUFS-style markers (.wh.
// names, .wh..wh..opq): what is added, changed, deleted, and what an opaque directory hides. The same is
// checked against `docker diff` on real containers in test/integration/diff.test.ts.
import { test } from 'node:test';
import * as fs from 'fs';
import assert from 'node:assert/strict';
import { containerDiff } from '../../../server/layers/diff';
import type { LayerRef, RootfsInfo } from '../../../server/protocol';
import { fixtureTree } from '../../support/fixtureTree';

type T = Parameters<typeof fixtureTree>[0];

function rootfs(t: T, upper: Record<string, string>, lowers: Record<string, string>[]): RootfsInfo {
  const layers: LayerRef[] = [
    { path: fixtureTree(t, 'ns-diff-up-', upper), role: 'upper', index: 0 },
    ...lowers.map((files, i): LayerRef => ({ path: fixtureTree(t, `ns-diff-low${i}-`, files), role: 'lower', index: i + 1 })),
  ];
  return { fstype: 'overlay', source: 'overlay', readOnly: false, overlay: null, layers };
}

test('added, changed and deleted as docker diff names them; an opaque dir deletes what the image had in it', (t) => {
  const r = rootfs(t, { 'etc/conf': 'edited', 'etc/.wh.gone': '', 'opt/.wh..wh..opq': '', 'opt/new': '', 'srv/new': '' }, [
    { 'etc/conf': 'v2', 'opt/keep': '' },
    { 'etc/conf': 'v1', 'etc/gone': '', 'opt/old': '' },
  ]);
  const d = containerDiff(r, 'c', 100);
  assert.deepEqual(
    d.changes.map((c) => `${c.kind} ${c.path}${c.opaque ? ' opaque' : ''}`),
    ['C /etc', 'C /etc/conf', 'D /etc/gone', 'C /opt opaque', 'D /opt/keep', 'A /opt/new', 'D /opt/old', 'A /srv', 'A /srv/new'],
  );
  assert.equal(d.changes.find((c) => c.path === '/etc/conf')?.fileType, 'file');
  assert.equal(d.changes.find((c) => c.path === '/etc/gone')?.fileType, null);
  assert.equal(d.truncated, false);
  assert.equal(d.upper, r.layers[0].path);
});

test('a name the image deleted in a lower layer is new again; below a new directory everything is new', (t) => {
  const r = rootfs(t, { 'var/log/x': '', 'tmp/a/b/c': '' }, [{ 'var/log/.wh.x': '' }, { 'var/log/x': 'old' }]);
  assert.deepEqual(
    containerDiff(r, 'c', 100).changes.map((c) => `${c.kind} ${c.path}`),
    ['A /tmp', 'A /tmp/a', 'A /tmp/a/b', 'A /tmp/a/b/c', 'C /var', 'C /var/log', 'A /var/log/x'],
  );
});

test('a directory copied up with nothing left changed below it is no change; a chmod of it is one', (t) => {
  const r = rootfs(t, { 'var/keep': '' }, [{ 'var/keep': '', 'srv/x': '', 'opt/y': '' }]);
  fs.rmSync(`${r.layers[0].path}/var/keep`); // a file made and removed again: overlayfs leaves var/ behind
  fs.mkdirSync(`${r.layers[0].path}/srv`);
  fs.mkdirSync(`${r.layers[0].path}/opt`);
  fs.chmodSync(`${r.layers[0].path}/opt`, 0o700);
  assert.deepEqual(
    containerDiff(r, 'c', 100).changes.map((c) => `${c.kind} ${c.path}`),
    ['C /opt'],
  );
});

test('stops collecting at the limit and says so; no upper layer is an error', (t) => {
  const r = rootfs(t, { a: '', b: '', c: '' }, [{}]);
  const d = containerDiff(r, 'c', 2);
  assert.equal(d.changes.length, 2);
  assert.equal(d.truncated, true);
  assert.throws(() => containerDiff({ ...r, layers: r.layers.slice(1) }, 'c', 10), /no writable \(upper\) layer/);
});
