/**
 * Live limits on cgroup v2, on file trees in the kernel's formats (Documentation/admin-guide/cgroup-v2.rst):
 * this hybrid machine's cgroup2 has no controllers, so v2 writes cannot reach a real kernel here. What is
 * checked: which files are written with which text (memory.max, pids.max, cpu.max "QUOTA PERIOD"), "max"
 * for no limit, and the refusals made before writing. The v1 path runs on the real kernel in
 * test/integration/limit.test.ts.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { setLimits } from '../../../server/act/limit';
import { ErrorCodes, type ContainerInfo } from '../../../server/protocol';
import { fixtureTree } from '../../support/fixtureTree';
import { refusal } from '../../support/refusal';

const MiB = 2 ** 20;
const own = (type: string): number => fs.statSync(`/proc/self/ns/${type}`).ino;

/** A container whose pid namespace is this test's own: the PIDs in the tree's cgroup.procs are its. */
function container(namespaces = { pid: own('pid'), mnt: own('mnt') }): ContainerInfo {
  return { id: 'c1', name: 'web', runtime: 'bare', sharesHostNamespaces: [], namespaces } as unknown as ContainerInfo;
}

function v2Tree(t: TestContext, files: Record<string, string> = {}): { root: string; read: (f: string) => string } {
  const root = fixtureTree(t, 'nodescope-limit-v2-', {
    'cgroup.controllers': 'cpu io memory pids\n',
    'web/cgroup.controllers': 'cpu memory pids\n',
    'web/cgroup.procs': `${process.pid}\n`,
    'web/memory.max': 'max\n',
    'web/memory.current': `${10 * MiB}\n`,
    'web/memory.swap.max': '0\n',
    'web/pids.max': 'max\n',
    'web/pids.current': '3\n',
    'web/cpu.max': 'max 100000\n',
    ...files,
  });
  return { root, read: (f) => fs.readFileSync(path.join(root, 'web', f), 'utf8').trim() };
}
const lines = [{ id: 0, controllers: [], path: '/web' }];

describe("live limits on cgroup v2 (file trees in the kernel's format)", () => {
  it("writes memory.max, pids.max and cpu.max over the cgroup's own period, and reads them back", (t) => {
    const { root, read } = v2Tree(t, { 'web/cpu.max': 'max 50000\n' });
    const r = setLimits(container(), lines, { container: 'c1', memoryBytes: 64 * MiB, pidsMax: 10, cpus: 0.5 }, { root });
    assert.equal(read('memory.max'), String(64 * MiB));
    assert.equal(read('pids.max'), '10');
    assert.equal(read('cpu.max'), '25000 50000', 'half of a 50 ms period');
    assert.deepEqual(r.cgroup, { version: 'v2', path: '/web' });
    assert.ok(
      r.changes.every((c) => c.readBack),
      'what holds was read back',
    );
    assert.deepEqual(
      r.changes.map((c) => [c.resource, c.before, c.after, c.usage]),
      [
        ['memory', null, 64 * MiB, 10 * MiB],
        ['pids', null, 10, 3],
        ['cpu', null, 0.5, null],
      ],
    );
    assert.ok(r.notes.includes('swap stays limited to 0 B (memory.swap.max)'), r.notes.join(' | '));
  });

  it('null lifts a limit: "max", keeping the period', (t) => {
    const { root, read } = v2Tree(t, { 'web/memory.max': `${64 * MiB}\n`, 'web/cpu.max': '20000 100000\n' });
    const r = setLimits(container(), lines, { container: 'c1', memoryBytes: null, cpus: null }, { root });
    assert.equal(read('memory.max'), 'max');
    assert.equal(read('cpu.max'), 'max 100000');
    assert.deepEqual(
      r.changes.map((c) => [c.before, c.after]),
      [
        [64 * MiB, null],
        [0.2, null],
      ],
    );
  });

  it('a dry run writes nothing and says what would change', (t) => {
    const { root, read } = v2Tree(t);
    const audited: unknown[] = [];
    const r = setLimits(container(), lines, { container: 'c1', pidsMax: 7, dryRun: true }, { root, audit: (a) => audited.push(a) });
    assert.equal(r.applied, false);
    assert.equal(read('pids.max'), 'max');
    assert.deepEqual(
      r.changes.map((c) => c.after),
      [7],
    );
    assert.deepEqual(audited, [], 'nothing written, nothing audited');
  });

  it('refuses before writing: below use, the root cgroup, a cgroup shared with others, a controller not enabled', (t) => {
    const { root, read } = v2Tree(t);
    const below = refusal(() => setLimits(container(), lines, { container: 'c1', memoryBytes: 4 * MiB }, { root }));
    assert.equal(below.code, ErrorCodes.NotPermitted);
    assert.match(below.message, new RegExp(`web uses 10\\.0 MiB now; a memory limit of 4\\.0 MiB below that .* give at least 10\\.0 MiB$`));
    assert.match(
      refusal(() => setLimits(container(), lines, { container: 'c1', pidsMax: 2 }, { root })).message,
      /has 3 tasks \(processes and threads\) now/,
    );
    assert.equal(read('memory.max'), 'max');

    const atRoot = refusal(() =>
      setLimits(container(), [{ id: 0, controllers: [], path: '/' }], { container: 'c1', pidsMax: 20 }, { root }),
    );
    assert.match(atRoot.message, /in the node's root pids cgroup/);

    const stranger = refusal(() => setLimits(container({ pid: 1, mnt: 1 }), lines, { container: 'c1', pidsMax: 20 }, { root }));
    assert.match(stranger.message, new RegExp(`also holds 1 process that is not its own \\(pid ${process.pid}, `));

    fs.writeFileSync(path.join(root, 'web', 'cgroup.controllers'), 'memory\n');
    const off = refusal(() => setLimits(container(), lines, { container: 'c1', cpus: 1 }, { root }));
    assert.equal(off.code, ErrorCodes.Unsupported);
    assert.match(off.message, /the cpu controller is not available for web/);
    assert.equal(read('cpu.max'), 'max 100000');
  });

  it("says when a cgroup above still caps a raised limit (a pod's memory over its container's)", (t) => {
    const root = fixtureTree(t, 'nodescope-limit-v2-', {
      'cgroup.controllers': 'memory pids\n',
      'pod/cgroup.controllers': 'memory pids\n',
      'pod/memory.max': `${32 * MiB}\n`,
      'pod/pids.max': 'max\n',
      'pod/web/cgroup.controllers': 'memory pids\n',
      'pod/web/cgroup.procs': `${process.pid}\n`,
      'pod/web/memory.max': `${16 * MiB}\n`,
      'pod/web/memory.current': `${MiB}\n`,
      'pod/web/pids.max': '10\n',
    });
    const podLines = [{ id: 0, controllers: [], path: '/pod/web' }];
    const raised = setLimits(container(), podLines, { container: 'c1', memoryBytes: 64 * MiB, dryRun: true }, { root });
    assert.ok(raised.notes.includes('/pod above it limits memory to 32.0 MiB: that still caps web'), raised.notes.join(' | '));
    const within = setLimits(container(), podLines, { container: 'c1', memoryBytes: 24 * MiB, pidsMax: 100, dryRun: true }, { root });
    assert.ok(!within.notes.some((n) => n.includes('above it')), within.notes.join(' | '));
  });

  it('a limit file that does not read as a limit is refused, not taken for "unlimited"', (t) => {
    const { root, read } = v2Tree(t, { 'web/memory.max': '12abc\n' });
    const r = refusal(() => setLimits(container(), lines, { container: 'c1', memoryBytes: 64 * MiB, pidsMax: 10 }, { root }));
    assert.equal(r.code, ErrorCodes.Unsupported);
    assert.match(r.message, /memory\.max says "12abc", which is not a limit Nodescope can read exactly$/);
    assert.equal(read('pids.max'), 'max', 'nothing written');
  });

  it("refuses values that are not limits, in the parameters' own names", (t) => {
    const { root } = v2Tree(t);
    assert.match(
      refusal(() => setLimits(container(), lines, { container: 'c1' }, { root })).message,
      /give at least one of "memoryBytes", "pidsMax", "cpus"/,
    );
    assert.match(
      refusal(() => setLimits(container(), lines, { container: 'c1', pidsMax: 2.5 }, { root })).message,
      /"pidsMax" must be a whole number/,
    );
    assert.match(
      refusal(() => setLimits(container(), lines, { container: 'c1', memoryBytes: -1 }, { root })).message,
      /"memoryBytes" must be a positive number or null/,
    );
    assert.match(
      refusal(() => setLimits(container(), lines, { container: 'c1', cpus: 0.001 }, { root })).message,
      /quota of 100 µs .* minimum is 1000 µs/,
    );
    assert.match(refusal(() => setLimits(container(), lines, { container: 'c1', cpus: 1e6 }, { root })).message, /the node has \d+ CPUs/);
  });
});
