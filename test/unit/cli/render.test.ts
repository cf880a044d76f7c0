/**
 * The CLI's readable output with hostile names: every string a document carries is given a newline, a
 * colour escape, a C1 CSI and a bidi override, and the output must keep the shape it has with plain
 * names (the same lines) with none of those characters raw. The real CLI on a real container with such
 * names: test/integration/cli.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderDiff, renderLaunch, renderLayer, renderLimit, renderPageCache, renderSnapshot, renderWhence } from '../../../src/cli/render';
import type { ContainerDiff, LaunchResult, LayerScan, LimitResult, PageCacheReport, Whence } from '../../../server/protocol';
import { sampleSnapshot } from './sampleSnapshot';

const EVIL = '\n\x1b[31mFAKE\u009b2J\u202e\u2028\r';
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The document with EVIL appended to every string in it (enums too: a renderer must not trust them either). */
function poisoned<T>(doc: T): T {
  return JSON.parse(JSON.stringify(doc), (_k, v) => (typeof v === 'string' ? `${v}${EVIL}` : v)) as T;
}

const ref = (role: 'upper' | 'lower', index: number) => ({ path: `/var/lib/l${index}/diff`, role, index });
const whence: Whence = {
  container: 'c'.repeat(64),
  path: '/bin/top',
  resolvedPath: '/usr/bin/top',
  visible: false,
  fileType: null,
  provider: null,
  deletedBy: ref('lower', 1),
  hiddenByOpaque: ref('lower', 2),
  shadowed: [ref('lower', 3)],
  copiedUp: false,
  inodes: { merged: null, layers: [{ ...ref('lower', 3), inode: 42 }] },
  problems: [{ source: '/proc/1/root', message: 'gone' }],
};
const layer: LayerScan = {
  path: '/l',
  files: 1,
  dirs: 2,
  symlinks: 0,
  bytes: 10,
  whiteouts: [{ path: 'etc/x', kind: 'chardev' }],
  opaqueDirs: [{ path: 'd', kind: 'xattr' }],
  redirects: [{ path: 'a', target: '/b' }],
  metacopy: ['m'],
  problems: [{ source: 's', message: 'm' }],
};
const diff: ContainerDiff = {
  container: 'c1',
  upper: '/u',
  changes: [
    { path: '/etc/x', kind: 'A', fileType: 'file' },
    { path: '/d', kind: 'D', fileType: 'dir', opaque: true },
  ],
  truncated: true,
  problems: [{ source: 's', message: 'm' }],
};
const pagecache: PageCacheReport = {
  target: 'web',
  kind: 'container',
  method: 'mincore',
  pageSize: 4096,
  residentBytes: 8192,
  cgroupFileBytes: 4096,
  problems: [{ source: 's', message: 'm' }],
  layers: [
    {
      layer: ref('upper', 0),
      files: 1,
      bytes: 8192,
      residentBytes: 4096,
      topFiles: [{ path: '/etc/passwd', residentBytes: 4096 } as never],
    },
  ],
};
const limit: LimitResult = {
  container: 'c1',
  name: 'web',
  cgroup: { version: 'v1', path: '/docker/c1' },
  applied: false,
  notes: ['a note'],
  changes: [
    { resource: 'pids', file: '/sys/fs/cgroup/pids/docker/c1/pids.max', unit: 'pids', before: 50, after: 1, readBack: false, usage: 1 },
  ],
};
const launch: LaunchResult = {
  container: 'x',
  name: 'web-test',
  from: { id: 'c1', name: 'web' },
  started: true,
  pid: 7,
  bundle: '/run/nodescope/launch/web-test',
  lowerdirs: ['/l1'],
  upperdir: '/u',
  cgroupPath: '/nodescope/web-test',
  command: ['sh', '-c', "echo 'hi' \\ there"],
  runAs: { uid: 0, gid: 0, cwd: '/' },
  readOnly: true,
  tmpfs: [{ path: '/tmp', sizeBytes: 1024 }],
  limits: { memoryBytes: null, pidsMax: 5, cpus: null },
  sharedNs: { container: { id: 'c2', name: 'db' }, pid: 9, namespaces: [{ type: 'net', inode: 4026531840 }] },
  hostname: 'web-test',
  capabilities: ['CAP_CHOWN'],
  userNs: null,
  env: ['PATH=/bin', 'A=b'],
  notes: ['n'],
};

const cases: [string, () => string, () => string][] = [
  ['snapshot', () => renderSnapshot(sampleSnapshot()), () => renderSnapshot(poisoned(sampleSnapshot()))],
  ['layer', () => renderLayer(layer), () => renderLayer(poisoned(layer))],
  ['whence', () => renderWhence(whence), () => renderWhence(poisoned(whence))],
  ['diff', () => renderDiff(diff), () => renderDiff(poisoned(diff))],
  ['pagecache', () => renderPageCache(pagecache), () => renderPageCache(poisoned(pagecache))],
  ['limit', () => renderLimit(limit), () => renderLimit(poisoned(limit))],
  ['launch', () => renderLaunch(launch), () => renderLaunch(poisoned(launch))],
];

describe("the CLI's readable output, whatever the node names things", () => {
  for (const [name, plain, hostile] of cases) {
    it(`${name}: no raw control or bidi character, and the lines plain names give`, () => {
      const out = hostile();
      const lines = out.split('\n');
      for (const l of lines) assert.doesNotMatch(l, RAW, JSON.stringify(l));
      assert.equal(lines.length, plain().split('\n').length, out);
      assert.ok(out.includes('\\n\\x1b[31mFAKE\\x9b2J\\u202e\\u2028\\r'), `the name is shown, escaped: ${out}`);
    });
  }

  it('whence says what its merged inode is, and why there is none', () => {
    assert.match(renderWhence(whence), /inode +not known in the container's own view: it could not be looked at \(problems below\)/);
    assert.match(
      renderWhence({ ...whence, problems: [] }),
      /inode +none in the container's own view: the container does not see this path/,
    );
    assert.match(renderWhence({ ...whence, visible: true, inodes: { merged: 99, layers: [] } }), /inode +99 in the container's own view/);
    assert.doesNotMatch(renderWhence(whence), /\?/);
    // Deleted: the layer that deleted it and the one that still holds it.
    assert.match(renderWhence(whence), /deleted by +lower #1 .*\n(.*\n)* {2}still in +lower #3 \/var\/lib\/l3\/diff/);
    assert.match(renderWhence({ ...whence, deletedBy: null, hiddenByOpaque: null, shadowed: [] }), /not visible: not in any layer/);
    assert.match(renderWhence(whence, 'web'), /^\/bin\/top in web \(cccccccccccc\): not visible/, 'the editor names the container');
  });

  it('counts read as English: 1 file, 2 dirs', () => {
    assert.match(renderLayer(layer), /: 1 file, 2 dirs, 0 symlinks,/);
    assert.match(renderPageCache(pagecache), / in 1 file$/m);
    assert.match(renderLimit(limit), /50 tasks → 1 task/);
  });

  it('shows a launch command as sh would take it back', () => {
    assert.match(renderLaunch(launch), /command +sh -c 'echo '"'"'hi'"'"' \\ there' as uid 0/);
  });
});
