// /proc parsers on text in man 5 proc's formats: stat (comm with spaces and parentheses), status
// (capabilities, seccomp, NSpid of a process two pid namespaces deep), cgroup (v1, hybrid and v2 lines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCgroupFile, parseStat, parseStatus } from '../../../server/discover/procfs';

test('stat: comm ends at the last ")", so spaces and parentheses in it do not shift ppid or starttime', () => {
  // Fields 1..22: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice num_threads itrealvalue starttime ...
  const line = '4242 (a) b (c)) S 17 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 987654 10000000 200 18446744073709551615\n';
  assert.deepEqual(parseStat(line), { comm: 'a) b (c)', state: 'S', ppid: 17, startTime: 987654 });
  const plain = '1 (systemd) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 12 0 0\n';
  assert.deepEqual(parseStat(plain), { comm: 'systemd', state: 'S', ppid: 0, startTime: 12 });
});

const STATUS = `Name:\tsleep
Umask:\t0022
State:\tS (sleeping)
Tgid:\t9001
Ngid:\t0
Pid:\t9001
PPid:\t9000
TracerPid:\t0
Uid:\t100000\t100001\t100002\t100003
Gid:\t100004\t100004\t100004\t100004
NStgid:\t9001\t7\t1
NSpid:\t9001\t7\t1
Threads:\t3
CapInh:\t0000000000000000
CapPrm:\t00000000a80425fb
CapEff:\t00000000a80425fb
CapBnd:\t00000000a80425fb
CapAmb:\t0000000000000000
NoNewPrivs:\t1
Seccomp:\t2
Seccomp_filters:\t1
Speculation_Store_Bypass:\tthread force mitigated
`;

test('status: real uid/gid, NSpid outermost first, thread count, capability masks, seccomp and NoNewPrivs', () => {
  const s = parseStatus(STATUS);
  assert.equal(s.uid, 100000);
  assert.equal(s.gid, 100004);
  assert.deepEqual(s.nspid, [9001, 7, 1]);
  assert.equal(s.threads, 3);
  assert.deepEqual(s.status, {
    capInh: '0000000000000000',
    capPrm: '00000000a80425fb',
    capEff: '00000000a80425fb',
    capBnd: '00000000a80425fb',
    capAmb: '0000000000000000',
    noNewPrivs: true,
    seccomp: 2,
    seccompFilters: 1,
  });
});

test('status of an older kernel: no NoNewPrivs or Seccomp lines means unknown, not "off"', () => {
  const old = STATUS.split('\n')
    .filter((l) => !/^(NoNewPrivs|Seccomp|Seccomp_filters):/.test(l))
    .join('\n');
  const s = parseStatus(old);
  assert.equal(s.status?.noNewPrivs, null);
  assert.equal(s.status?.seccomp, null);
  assert.equal(s.status?.seccompFilters, null);
});

test('status without capability lines (not a normal process view) gives no capability record', () => {
  const s = parseStatus('Name:\tx\nUid:\t0\t0\t0\t0\nThreads:\t1\n');
  assert.equal(s.status, null);
  assert.deepEqual(s.nspid, []);
  assert.equal(s.gid, null);
});

test('cgroup: v1 hierarchies with several controllers, named hierarchies and the v2 line', () => {
  const lines = parseCgroupFile(
    '12:pids:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/system.slice/docker-abc.scope\n0::/system.slice/x:y.scope\n',
  );
  assert.deepEqual(lines, [
    { id: 12, controllers: ['pids'], path: '/docker/abc' },
    { id: 4, controllers: ['cpu', 'cpuacct'], path: '/docker/abc' },
    { id: 1, controllers: ['name=systemd'], path: '/system.slice/docker-abc.scope' },
    // The path may itself contain colons: only the first two separate fields.
    { id: 0, controllers: [], path: '/system.slice/x:y.scope' },
  ]);
});
