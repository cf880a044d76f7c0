// cgroup readers. Fixture trees under a temp dir in the kernel's documented file formats
// (Documentation/admin-guide/cgroup-v1/*, cgroup-v2.rst) for v1, v2 and hybrid layouts, plus one test
// on a real cgroup2 mount made by the test (root only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { detectCgroupVersion, parseIoMax, parsePressure, readCgroup } from '../../../server/discover/cgroups';
import type { Problem } from '../../../server/protocol';
import { fixtureTree } from '../../support/fixtureTree';
import { probes, requireReal } from '../../support/real';

function tree(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  return fixtureTree(t, 'ns-h2-cg-', files);
}

const CG = '/docker/abc';
const v1Lines = [
  { id: 9, controllers: ['name=systemd'], path: CG },
  { id: 8, controllers: ['pids'], path: CG },
  { id: 7, controllers: ['blkio'], path: CG },
  { id: 4, controllers: ['memory'], path: CG },
  { id: 2, controllers: ['cpu', 'cpuacct'], path: CG },
  { id: 0, controllers: [], path: CG },
];

function v1Files(limit: string, quota: string): Record<string, string> {
  return {
    [`memory${CG}/memory.limit_in_bytes`]: `${limit}\n`,
    [`memory${CG}/memory.usage_in_bytes`]: '1048576\n',
    [`memory${CG}/memory.max_usage_in_bytes`]: '2097152\n',
    [`memory${CG}/memory.stat`]: 'cache 100\nrss 200\nmapped_file 0\ntotal_cache 4096\ntotal_rss 8192\n',
    [`memory${CG}/memory.oom_control`]: 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n',
    [`cpu,cpuacct${CG}/cpu.cfs_quota_us`]: `${quota}\n`,
    [`cpu,cpuacct${CG}/cpu.cfs_period_us`]: '100000\n',
    [`cpu,cpuacct${CG}/cpu.shares`]: '1024\n',
    [`cpu,cpuacct${CG}/cpuacct.usage`]: '1234567890\n',
    [`pids${CG}/pids.max`]: 'max\n',
    [`pids${CG}/pids.current`]: '4\n',
    [`blkio${CG}/blkio.throttle.read_bps_device`]: '8:0 1048576\n',
    [`blkio${CG}/blkio.throttle.write_bps_device`]: '',
    [`blkio${CG}/blkio.throttle.read_iops_device`]: '',
    [`blkio${CG}/blkio.throttle.write_iops_device`]: '8:0 100\n253:1 5\n',
  };
}

test('v1 fixture tree (co-mounted cpu,cpuacct): limits, usage, stat, blkio', (t) => {
  const root = tree(t, v1Files('67108864', '50000'));
  const problems: Problem[] = [];
  const cg = readCgroup(v1Lines, problems, root);
  assert.ok(cg);
  assert.equal(cg.version, 'v1');
  assert.equal(cg.path, CG);
  assert.equal(cg.paths.memory, CG);
  assert.deepEqual(
    { ...cg.memory, stat: undefined },
    {
      limitBytes: 64 * 1024 * 1024,
      usageBytes: 1048576,
      peakBytes: 2097152,
      fileBytes: 4096,
      anonBytes: 8192,
      oomEvents: null,
      oomKills: 3,
      stat: undefined,
    },
  );
  assert.equal(cg.memory?.stat.mapped_file, 0);
  assert.deepEqual(cg.cpu, { quotaUs: 50000, periodUs: 100000, shares: 1024, weight: null, usageUsec: 1234567 });
  assert.deepEqual(cg.pids, { max: null, current: 4 });
  assert.deepEqual(cg.io?.limits, [
    { device: '8:0', rbps: 1048576, wbps: null, riops: null, wiops: 100 },
    { device: '253:1', rbps: null, wbps: null, riops: null, wiops: 5 },
  ]);
  assert.equal(cg.pressure, null, 'no unified tree in this fixture: no PSI');
  assert.deepEqual(problems, []);
});

test('v1 fixture: "unlimited" memory (PAGE_COUNTER_MAX * 4 KiB and * 64 KiB) and quota -1 are null', (t) => {
  for (const limit of ['9223372036854771712', '9223372036854710272']) {
    const root = tree(t, v1Files(limit, '-1'));
    const cg = readCgroup(v1Lines, [], root);
    assert.equal(cg?.memory?.limitBytes, null);
    assert.equal(cg?.cpu?.quotaUs, null);
  }
});

test('v1 fixture: a huge but real limit is not rounded into a wrong number', (t) => {
  const root = tree(t, v1Files('9007199254740993', '-1')); // 2^53 + 1
  const problems: Problem[] = [];
  const cg = readCgroup(v1Lines, problems, root);
  assert.equal(cg?.memory?.limitBytes, null);
  assert.match(problems[0].message, /exceeds 2\^53/);
});

test('hybrid fixture tree: limits from v1, pressure from unified/', (t) => {
  const root = tree(t, {
    ...v1Files('67108864', '50000'),
    'unified/cgroup.controllers': '',
    [`unified${CG}/cgroup.controllers`]: '',
    [`unified${CG}/cpu.pressure`]: 'some avg10=1.50 avg60=0.25 avg300=0.00 total=12345\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=670\n',
    [`unified${CG}/memory.pressure`]: 'some avg10=0.00 avg60=0.00 avg300=0.00 total=7\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=3\n',
  });
  const cg = readCgroup(v1Lines, [], root);
  assert.equal(cg?.version, 'v1');
  assert.equal(cg?.memory?.limitBytes, 64 * 1024 * 1024);
  assert.deepEqual(cg?.pressure?.cpu, {
    some: { avg10: 1.5, avg60: 0.25, avg300: 0, total: 12345 },
    full: { avg10: 0, avg60: 0, avg300: 0, total: 670 },
  });
  assert.equal(cg?.pressure?.memory?.full?.total, 3);
  assert.equal(cg?.pressure?.io, null);
});

test('v2 fixture tree: memory/cpu/pids/io/PSI from the documented file formats', (t) => {
  const p = '/kubepods/pod1/ctr';
  const root = tree(t, {
    'cgroup.controllers': 'cpuset cpu io memory pids\n',
    [`${p.slice(1)}/cgroup.controllers`]: 'cpu io memory pids\n',
    [`${p.slice(1)}/memory.max`]: '134217728\n',
    [`${p.slice(1)}/memory.current`]: '5000000\n',
    [`${p.slice(1)}/memory.peak`]: '6000000\n',
    [`${p.slice(1)}/memory.stat`]: 'anon 3000000\nfile 1500000\nshmem 0\n',
    [`${p.slice(1)}/memory.events`]: 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n',
    [`${p.slice(1)}/cpu.max`]: '25000 100000\n',
    [`${p.slice(1)}/cpu.weight`]: '100\n',
    [`${p.slice(1)}/cpu.stat`]: 'usage_usec 987654\nuser_usec 600000\nsystem_usec 387654\n',
    [`${p.slice(1)}/pids.max`]: '50\n',
    [`${p.slice(1)}/pids.current`]: '3\n',
    [`${p.slice(1)}/io.max`]: '8:16 rbps=2097152 wbps=max riops=max wiops=120\n',
    [`${p.slice(1)}/io.pressure`]: 'some avg10=0.00 avg60=0.00 avg300=0.00 total=5\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=4\n',
  });
  const problems: Problem[] = [];
  const cg = readCgroup([{ id: 0, controllers: [], path: p }], problems, root);
  assert.ok(cg);
  assert.equal(cg.version, 'v2');
  assert.deepEqual(cg.paths, { '': p });
  assert.deepEqual(
    { ...cg.memory, stat: undefined },
    {
      limitBytes: 134217728,
      usageBytes: 5000000,
      peakBytes: 6000000,
      fileBytes: 1500000,
      anonBytes: 3000000,
      oomEvents: 2,
      oomKills: 1,
      stat: undefined,
    },
  );
  assert.deepEqual(cg.cpu, { quotaUs: 25000, periodUs: 100000, shares: null, weight: 100, usageUsec: 987654 });
  assert.deepEqual(cg.pids, { max: 50, current: 3 });
  assert.deepEqual(cg.io?.limits, [{ device: '8:16', rbps: 2097152, wbps: null, riops: null, wiops: 120 }]);
  assert.equal(cg.pressure?.io?.some.total, 5);
  assert.equal(cg.pressure?.cpu, null);
  assert.deepEqual(problems, []);
});

test('v2 fixture: "max" limits are null; controllers not enabled give null sections, not zeros', (t) => {
  const root = tree(t, {
    'cgroup.controllers': 'cpu memory\n',
    'a/cgroup.controllers': 'memory\n',
    'a/memory.max': 'max\n',
    'a/memory.current': '10\n',
    'a/memory.stat': 'anon 1\nfile 2\n',
    'a/memory.events': 'oom 0\noom_kill 0\n',
    'a/memory.peak': '11\n',
    'a/cpu.stat': 'usage_usec 5\n',
  });
  const cg = readCgroup([{ id: 0, controllers: [], path: '/a' }], [], root);
  assert.equal(cg?.memory?.limitBytes, null);
  assert.equal(cg?.memory?.usageBytes, 10);
  assert.equal(cg?.pids, null);
  assert.equal(cg?.io, null);
  assert.deepEqual(cg?.cpu, { quotaUs: null, periodUs: null, shares: null, weight: null, usageUsec: 5 });
});

test('a cgroup removed mid-scan is not a problem', (t) => {
  const root = tree(t, { 'memory/.keep': '', 'cgroup.controllers': '' });
  const problems: Problem[] = [];
  readCgroup([{ id: 4, controllers: ['memory'], path: '/gone' }], problems, root);
  readCgroup([{ id: 0, controllers: [], path: '/gone' }], problems, root);
  assert.deepEqual(problems, []);
});

test('parsers: io.max and PSI lines', () => {
  assert.deepEqual(parseIoMax('8:0 rbps=max wbps=max riops=max wiops=max\n'), [
    { device: '8:0', rbps: null, wbps: null, riops: null, wiops: null },
  ]);
  assert.equal(parsePressure('garbage'), null);
  assert.equal(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=9\n')?.full, null);
});

test('detectCgroupVersion from mounts files: v1, v2, hybrid', (t) => {
  const root = tree(t, {
    v1: 'cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n',
    v2: 'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n',
    hy: 'cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n',
  });
  assert.equal(detectCgroupVersion(path.join(root, 'v1')), 'v1');
  assert.equal(detectCgroupVersion(path.join(root, 'v2')), 'v2');
  assert.equal(detectCgroupVersion(path.join(root, 'hy')), 'hybrid');
  // This host, against its own mount table read here.
  const mounts = fs.readFileSync('/proc/self/mounts', 'utf8');
  const expected = / cgroup2 /.test(mounts) ? (/ cgroup /.test(mounts) ? 'hybrid' : 'v2') : 'v1';
  assert.equal(detectCgroupVersion(), expected);
});

test('real cgroup2 mount made here: usage and PSI of a cgroup holding a live process', (t) => {
  if (!requireReal(t, probes.root)) return;
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-h2-cg2-'));
  execFileSync('mount', ['-t', 'cgroup2', 'none', mnt]);
  const name = `nodescope-h2-${process.pid}`;
  const dir = path.join(mnt, name);
  fs.mkdirSync(dir);
  const child = spawn('sh', ['-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 30'], { stdio: 'ignore' });
  t.after(() => {
    child.kill('SIGKILL');
    // The cgroup can only be removed once the killed child has left it.
    for (let i = 0; i < 50; i++) {
      try {
        fs.rmdirSync(dir);
        break;
      } catch {
        execFileSync('sleep', ['0.1']);
      }
    }
    execFileSync('umount', [mnt]);
    fs.rmdirSync(mnt);
  });
  fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(child.pid));
  execFileSync('sleep', ['0.3']);
  const problems: Problem[] = [];
  const cg = readCgroup([{ id: 0, controllers: [], path: `/${name}` }], problems, mnt);
  const usage = Number(/^usage_usec (\d+)/m.exec(fs.readFileSync(path.join(dir, 'cpu.stat'), 'utf8'))![1]);
  assert.equal(cg?.version, 'v2');
  assert.ok(cg?.cpu?.usageUsec != null && cg.cpu.usageUsec > 0 && cg.cpu.usageUsec <= usage, `${cg?.cpu?.usageUsec} vs ${usage}`);
  const controllers = fs.readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8').trim();
  if (!controllers.includes('memory')) assert.equal(cg?.memory, null, 'no memory controller on this cgroup2: memory unknown, not 0');
  const psi = fs.existsSync(path.join(dir, 'cpu.pressure'));
  assert.equal(cg?.pressure?.cpu != null, psi);
  assert.deepEqual(problems, []);
});

test("v1 fixture: the root cgroup has no pids.max by design (no limit); its usage is the host's, so unknown, with why", (t) => {
  const root = tree(t, { 'pids/cgroup.procs': '1\n', 'pids/pids.current': '812\n' });
  const problems: Problem[] = [];
  const cg = readCgroup([{ id: 8, controllers: ['pids'], path: '/' }], problems, root);
  assert.deepEqual(cg?.pids, { max: null, current: null });
  assert.deepEqual(problems, [
    { source: 'cgroup pids', message: "in the root cgroup: its usage is the whole host's, not this container's" },
  ]);
});

test('v2 fixture: a cgroup below the root keeps its usage and PSI', (t) => {
  const root = tree(t, {
    'cgroup.controllers': 'memory pids\n',
    'c1/cgroup.controllers': 'memory pids\n',
    'c1/memory.current': '4096\n',
    'c1/memory.max': 'max\n',
    'c1/memory.stat': 'file 0\nanon 4096\n',
    'c1/memory.events': 'oom 0\noom_kill 0\n',
    'c1/pids.current': '3\n',
    'c1/pids.max': '10\n',
    'c1/cpu.stat': 'usage_usec 77\n',
    'c1/cpu.pressure': 'some avg10=0.00 avg60=0.00 avg300=0.00 total=5\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1\n',
  });
  const problems: Problem[] = [];
  const cg = readCgroup([{ id: 0, controllers: [], path: '/c1' }], problems, root)!;
  assert.equal(cg.memory?.usageBytes, 4096);
  assert.deepEqual(cg.pids, { max: 10, current: 3 });
  assert.equal(cg.cpu?.usageUsec, 77);
  assert.equal(cg.pressure?.cpu?.some.total, 5);
});
