/**
 * Text from the node cut to a size before it reaches the wire (issue 8): a cut is in UTF-8 bytes, never
 * splits a character, and is said. Command lines are read from real processes started here with long
 * argvs, and checked against /proc/PID/cmdline read whole.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import {
  boundContainer,
  boundNamespace,
  CMDLINE_MAX_BYTES,
  cutText,
  LABELS_MAX,
  MOUNTS_MAX,
  TEXT_MAX_BYTES,
  utf8Boundary,
} from '../../../server/discover/bounded';
import { readProcessData } from '../../../server/discover/procfs';
import type { CgroupInfo, Problem } from '../../../server/protocol';
import { sampleContainer, sampleSnapshot } from '../cli/sampleSnapshot';

describe('cutText', () => {
  it('leaves text that fits, and cuts the rest to the byte on a character boundary', () => {
    assert.equal(cutText('short'), null);
    assert.equal(cutText('a'.repeat(TEXT_MAX_BYTES)), null);
    assert.equal(cutText('a'.repeat(TEXT_MAX_BYTES + 1)), 'a'.repeat(TEXT_MAX_BYTES));
    // 'é' is 2 bytes, '€' 3, '😀' 4 (a surrogate pair in UTF-16): the cut backs off to a whole one.
    for (const [ch, bytes] of [
      ['é', 2],
      ['€', 3],
      ['😀', 4],
    ] as const) {
      const s = `a${ch.repeat(TEXT_MAX_BYTES)}`;
      const cut = cutText(s)!;
      const n = Buffer.byteLength(cut);
      assert.ok(n <= TEXT_MAX_BYTES && n > TEXT_MAX_BYTES - bytes, `${ch}: ${n}`);
      assert.ok(s.startsWith(cut), `${ch}: a prefix`);
      assert.ok(!cut.includes('\uFFFD'), `${ch}: no broken character`);
    }
  });

  it('finds the boundary in bytes', () => {
    const b = Buffer.from('aé€');
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].map((m) => utf8Boundary(b, m)),
      [0, 1, 1, 3, 3, 3, 6],
    );
  });
});

describe('boundContainer', () => {
  it('cuts names, labels and mounts, marks the container truncated and says what was cut', () => {
    const c = sampleContainer('a'.repeat(64), 'n'.repeat(10_000), 100);
    c.hostname = 'h';
    c.labels = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i === 0 ? 'v'.repeat(5000) : 'v']));
    const mount = c.mounts[0] ?? {
      mountId: 1,
      parentId: 0,
      target: '/',
      fstype: 'overlay',
      source: 'overlay',
      root: '/',
      readOnly: false,
      options: 'rw',
      superOptions: 'rw',
      sizeBytes: null,
    };
    c.mounts = Array.from({ length: MOUNTS_MAX + 10 }, (_, i) => ({
      ...mount,
      mountId: i,
      target: i === 1 ? `/${'d'.repeat(5000)}` : `/m${i}`,
    }));
    boundContainer(c);
    assert.equal(c.truncated, true);
    assert.equal(c.name, 'n'.repeat(TEXT_MAX_BYTES));
    assert.equal(c.hostname, 'h');
    assert.equal(Object.keys(c.labels).length, LABELS_MAX);
    assert.equal(c.labels.k0, 'v'.repeat(TEXT_MAX_BYTES));
    assert.equal(c.mounts.length, MOUNTS_MAX);
    assert.equal(c.mounts[1].target.length, TEXT_MAX_BYTES);
    const said = c.unknown.find((p: Problem) => p.source === 'snapshot')!.message;
    assert.match(said, /name \(10000 bytes\)/);
    assert.match(said, /labels \(300, the first 256 kept\)/);
    assert.match(said, /1 label over 4096 bytes/);
    assert.match(said, /mounts \(4106, the first 4096 kept\)/);
    assert.match(said, /paths or options of 1 mount\b/);
  });

  it('cuts a long cgroup path in a copy: the reading shared with another container of that cgroup stays whole', () => {
    const [c, other] = [sampleContainer('a'.repeat(64), 'a', 1), sampleContainer('b'.repeat(64), 'b', 1)];
    const long = `/${'x'.repeat(250)}`.repeat(20);
    const shared: CgroupInfo = {
      version: 'v1',
      path: long,
      paths: { memory: long, pids: '/short' },
      memory: null,
      cpu: null,
      pids: null,
      io: null,
      pressure: null,
    };
    c.cgroup = shared;
    other.cgroup = shared;
    boundContainer(c);
    assert.equal(c.cgroup.path, long.slice(0, TEXT_MAX_BYTES));
    assert.deepEqual(c.cgroup.paths, { memory: long.slice(0, TEXT_MAX_BYTES), pids: '/short' });
    assert.equal(c.truncated, true);
    assert.match(c.unknown.find((p: Problem) => p.source === 'snapshot')!.message, /cgroup paths \(the longest 5020 bytes\)/);
    assert.equal(other.cgroup.path, long, 'the shared reading is not changed');
    assert.equal(shared.paths.memory, long);
  });

  it('leaves an ordinary container as it was, unmarked', () => {
    const c = sampleSnapshot().containers[0];
    const before = JSON.stringify(c);
    boundContainer(c);
    assert.equal(JSON.stringify(c), before);
    assert.equal(c.truncated, undefined);
  });

  it('keeps at most 64 bind mounts of a namespace', () => {
    const n = sampleSnapshot().namespaces[0];
    n.bindMounts = Array.from({ length: 100 }, (_, i) => `/run/netns/n${i}`);
    boundNamespace(n);
    assert.equal(n.bindMounts.length, 64);
    assert.equal(n.truncated, true);
  });
});

describe('command lines read from /proc', () => {
  const started: ChildProcess[] = [];
  after(() => started.forEach((c) => c.kill('SIGKILL')));

  /** A shell whose argv is `sh -c 'sleep 60' ARGS...`; its pid once /proc shows the whole argv. */
  async function shellWith(args: string[]): Promise<number> {
    const child = spawn('sh', ['-c', 'sleep 60', ...args], { stdio: 'ignore' });
    started.push(child);
    const want = ['sh', '-c', 'sleep 60', ...args].reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
    for (let i = 0; i < 500; i++) {
      try {
        if (fs.readFileSync(`/proc/${child.pid}/cmdline`).length === want) return child.pid!;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`sh ${child.pid} never showed its argv`);
  }
  // 'sh\0-c\0sleep 60\0' is 15 bytes; the argument ends with its own NUL.
  const HEAD = 15;

  for (const [what, total, truncated] of [
    ['exactly the cap with its last NUL', CMDLINE_MAX_BYTES, false],
    ['the cap plus its last NUL', CMDLINE_MAX_BYTES + 1, false],
    ['one byte past that', CMDLINE_MAX_BYTES + 2, true],
    ['1.8 MB (15 arguments of 120,000 bytes)', 0, true],
  ] as const) {
    it(`reads ${what}: ${truncated ? 'its first 4 KiB, truncated' : 'whole'}`, async () => {
      const pid = await shellWith(total ? ['x'.repeat(total - HEAD - 1)] : Array.from({ length: 15 }, () => 'x'.repeat(120_000)));
      const own = fs.readFileSync(`/proc/${pid}/cmdline`);
      const p = readProcessData(pid, [])!;
      assert.equal(p.cmdlineTruncated, truncated);
      const whole = own
        .subarray(0, own.length - 1)
        .toString('utf8')
        .replace(/\0/g, ' ');
      if (truncated) {
        assert.equal(Buffer.byteLength(p.cmdline!), CMDLINE_MAX_BYTES);
        assert.ok(whole.startsWith(p.cmdline!));
      } else {
        assert.equal(p.cmdline, whole);
      }
    });
  }
});
