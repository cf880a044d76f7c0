/**
 * The diagnosis's readers on the kernel's own formats: /dev/kmsg records of an OOM kill (as this 6.18
 * kernel wrote them for a Docker container at -m 32m), /proc/PID/net tables (as `ss` and `ip` read them),
 * smaps_rollup, cpu.stat of both cgroup versions, and Docker's inspect answer.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  freshOomState,
  killIn,
  killOfId,
  OomHistory,
  parseKmsgRecord,
  parseOomRecords,
  type KmsgRecord,
} from '../../server/diagnose/kmsgOom';
import {
  ipv6FromHex,
  parseInetSockets,
  parseIpAddrJson,
  parseNetDev,
  parseRoutes4,
  parseRoutes6,
  parseUnixSockets,
} from '../../server/diagnose/netTables';
import { parseSmapsRollup } from '../../server/diagnose/memoryByProcess';
import { parseCpuStat, ThrottleHistory } from '../../server/diagnose/throttling';
import { exitsFromInspect, signalOfExitCode } from '../../server/diagnose/dockerState';
import { largest } from '../../server/diagnose/diskWriters';

const ID = 'a2cf716b2782cf67e6689080f6fecadb4bc8853933f1add3aca9356985f6fd61';
/** One OOM kill's records as read(2) on /dev/kmsg returns them (the task table and call trace cut). */
const KMSG = [
  `4,430,8506116616,-;dd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0`,
  `4,431,8506117795,-;memory: usage 32768kB, limit 32768kB, failcnt 0`,
  `4,432,8506117798,-;memory+swap: usage 32768kB, limit 32768kB, failcnt 0`,
  `6,433,8506117800,-;Memory cgroup stats for /docker/${ID}:`,
  `6,443,8506119440,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=${ID},mems_allowed=0,oom_memcg=/docker/${ID},task_memcg=/docker/${ID},task=dd,pid=11339,uid=0`,
  `3,444,8506119462,-;Memory cgroup out of memory: Killed process 11339 (dd) total-vm:67804kB, anon-rss:32256kB, file-rss:860kB, shmem-rss:0kB, UID:0 pgtables:104kB oom_score_adj:0`,
].map((l) => `${l}\n SUBSYSTEM=x\n`);

const records = (lines: string[]): KmsgRecord[] => lines.map((l) => parseKmsgRecord(l)!);
const at = (usec: number) => `t+${usec}`;

describe('OOM kills from the kernel log', () => {
  it("reads the victim, its memory, the cgroup's usage and limit and the cgroup from one report", () => {
    const kills = parseOomRecords(records(KMSG), freshOomState(), at);
    assert.deepEqual(kills, [
      {
        at: 't+8506119440',
        seq: 443,
        pid: 11339,
        command: 'dd',
        rssBytes: (32256 + 860) * 1024,
        usageBytes: 32 * 2 ** 20,
        limitBytes: 32 * 2 ** 20,
        cgroup: `/docker/${ID}`,
        oomCgroup: `/docker/${ID}`,
      },
    ]);
    assert.equal(killIn(kills[0], `/docker/${ID}`), true);
    assert.equal(killIn(kills[0], `/docker/${ID.slice(0, 20)}`), false, 'a prefix of a name is not a parent');
    assert.equal(killOfId(kills[0], ID), true);
  });

  it('keeps a report that straddles two reads, and a command with commas in it', () => {
    const state = freshOomState();
    const odd = KMSG.map((l) => l.replace('task=dd,', 'task=a,b=c,').replace('(dd)', '(a,b=c)'));
    assert.deepEqual(parseOomRecords(records(odd.slice(0, 5)), state, at), []);
    const [k] = parseOomRecords(records(odd.slice(5)), state, at);
    assert.equal(k.command, 'a,b=c');
    assert.equal(k.rssBytes, (32256 + 860) * 1024);
  });

  it("does not lend a cgroup's usage line to a system-wide OOM that follows", () => {
    const global = `4,500,9000000000,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice,task=big,pid=77,uid=1000\n`;
    const kills = parseOomRecords(records([KMSG[1], global, KMSG[0]]), freshOomState(), at);
    assert.equal(kills.length, 1, 'a kill whose "Killed process" line never came is still a kill');
    assert.equal(kills[0].usageBytes, null);
    assert.equal(kills[0].rssBytes, null);
  });

  it('refuses records not in the documented shape', () => {
    assert.equal(parseKmsgRecord('no semicolon'), null);
    assert.equal(parseKmsgRecord('x,1,2;text'), null);
    assert.deepEqual(parseKmsgRecord('6,12,345,-;hello\n KEY=v\n'), { seq: 12, usec: 345, text: 'hello' });
  });

  it('a log that cannot be opened says why, and reports no kills', () => {
    const h = new OomHistory(path.join(os.tmpdir(), `no-kmsg-${process.pid}`));
    assert.deepEqual(h.look(), { kills: [], note: 'the kernel log was not read (ENOENT): kill details unknown' });
  });

  it('reads a file of records to its end and keeps them across looks', () => {
    // A regular file reads to EOF (0) where /dev/kmsg fails with EAGAIN: the same stop.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kmsg-')), 'kmsg');
    fs.writeFileSync(file, KMSG.join(''));
    const h = new OomHistory(file);
    // A regular file returns many records per read: this only checks the open and the stop, not the split.
    assert.equal(h.look().note, null);
    h.close();
    fs.rmSync(path.dirname(file), { recursive: true });
  });
});

describe('network tables of a namespace', () => {
  it("reads interfaces' counters from net/dev", () => {
    const text = `Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n    lo:    3193      29    1    2    0     0          0         0     3194      30    3    4    0     0       0          0\n`;
    assert.deepEqual(parseNetDev(text), [
      { name: 'lo', rxBytes: 3193, rxPackets: 29, rxErrors: 1, rxDropped: 2, txBytes: 3194, txPackets: 30, txErrors: 3, txDropped: 4 },
    ]);
  });

  it('reads TCP and UDP sockets as ss writes them: 127.0.0.1:8080 LISTEN, IPv6 in brackets', () => {
    const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21188 1 0000 100 0 0 10 0\n   1: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 21190 1 0000 100 0 0 10 0\n`;
    const s = parseInetSockets(tcp, 'tcp');
    assert.deepEqual(
      s.map((x) => [x.state, x.local, x.remote, x.inode]),
      [
        ['LISTEN', '127.0.0.1:8080', null, 21188],
        ['ESTABLISHED', '127.0.0.1:8080', '127.0.0.1:54000', 21190],
      ],
    );
    const tcp6 = `  sl  local_address remote_address st\n   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1\n`;
    assert.deepEqual(
      parseInetSockets(tcp6, 'tcp6').map((x) => [x.local, x.state]),
      [['[::1]:80', 'LISTEN']],
    );
    const udp = `  sl  local_address rem_address   st\n  1: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 555 2\n`;
    assert.deepEqual(
      parseInetSockets(udp, 'udp').map((x) => [x.local, x.state]),
      [['0.0.0.0:68', 'UNCONN']],
    );
  });

  it('writes IPv6 addresses in RFC 5952 form', () => {
    assert.equal(ipv6FromHex('fe800000000000000000000000000001', true), 'fe80::1');
    assert.equal(ipv6FromHex('20010db8000000010000000000000000', true), '2001:db8:0:1::');
    assert.equal(ipv6FromHex('0000000000000000FFFF00000100007F'), '::ffff:127.0.0.1');
  });

  it('reads unix sockets: a listener by its accept flag, paths and abstract names', () => {
    const text = `Num       RefCount Protocol Flags    Type St Inode Path\n0000000066c735d7: 00000002 00000000 00010000 0001 01 31933 /run/app.sock\n000000009cf74ce1: 00000003 00000000 00000000 0001 03 30390\n00000000aaaa: 00000002 00000000 00000000 0002 01 30391 @abstract\n`;
    assert.deepEqual(
      parseUnixSockets(text).map((x) => [x.state, x.local, x.inode]),
      [
        ['LISTEN', '/run/app.sock', 31933],
        ['CONNECTED', null, 30390],
        ['UNCONNECTED', '@abstract', 30391],
      ],
    );
  });

  it('reads IPv4 and IPv6 routes as ip route prints them', () => {
    const r4 = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`;
    assert.deepEqual(parseRoutes4(r4), [
      { family: 4, destination: 'default', gateway: '192.0.2.1', device: 'eth0' },
      { family: 4, destination: '192.0.2.0/24', gateway: null, device: 'eth0' },
    ]);
    const r6 = [
      'fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0',
      '00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo',
    ].join('\n');
    assert.deepEqual(parseRoutes6(r6), [
      { family: 6, destination: 'fd00::/64', gateway: null, device: 'eth0' },
      { family: 6, destination: 'default', gateway: 'fd00::1', device: 'eth0' },
    ]);
  });

  it('reads state, MTU and addresses from ip -j addr, and nothing from what is not its JSON', () => {
    const j = `[{"ifindex":1,"ifname":"lo","mtu":65536,"operstate":"UNKNOWN","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8},{"family":"inet6","local":"::1","prefixlen":128}]}]`;
    assert.deepEqual([...parseIpAddrJson(j)!], [['lo', { state: 'UNKNOWN', mtu: 65536, addresses: ['127.0.0.1/8', '::1/128'] }]]);
    assert.equal(parseIpAddrJson('Object "addr" is unknown'), null);
  });
});

describe('memory, CPU, disk and exits', () => {
  it('reads RSS, PSS and swap from smaps_rollup', () => {
    const text = `5574542c6000-7fff660f4000 ---p 00000000 00:00 0  [rollup]\nRss:                1752 kB\nPss:                 204 kB\nPss_Anon:            116 kB\nSwap:                  8 kB\nSwapPss:               8 kB\n`;
    assert.deepEqual(parseSmapsRollup(text), { rssBytes: 1752 * 1024, pssBytes: 204 * 1024, swapBytes: 8 * 1024 });
  });

  it('reads cpu.stat of v2 (usec) and v1 (ns), and a rate only against an earlier look of the same cgroup', () => {
    assert.deepEqual(parseCpuStat('usage_usec 5\nnr_periods 10\nnr_throttled 4\nthrottled_usec 2500\n'), {
      periods: 10,
      throttledPeriods: 4,
      throttledUsec: 2500,
    });
    assert.deepEqual(parseCpuStat('nr_periods 10\nnr_throttled 4\nthrottled_time 2500000\n'), {
      periods: 10,
      throttledPeriods: 4,
      throttledUsec: 2500,
    });
    const h = new ThrottleHistory();
    const q = { quotaUs: 10_000, periodUs: 100_000 };
    assert.equal(h.see('c', { periods: 10, throttledPeriods: 4, throttledUsec: 100 }, q, 1000).sinceLast, null);
    assert.deepEqual(h.see('c', { periods: 40, throttledPeriods: 30, throttledUsec: 900 }, q, 31_000).sinceLast, {
      seconds: 30,
      periods: 30,
      throttledPeriods: 26,
      throttledUsec: 800,
    });
    assert.equal(
      h.see('c', { periods: 5, throttledPeriods: 1, throttledUsec: 1 }, q, 32_000).sinceLast,
      null,
      'counters that went back: a new cgroup',
    );
  });

  it('lists the largest sizes first', () => {
    assert.deepEqual(
      largest(
        new Map([
          ['/a', 1],
          ['/b', 3],
          ['/c', 2],
        ]),
        2,
      ),
      [
        { path: '/b', bytes: 3 },
        { path: '/c', bytes: 2 },
      ],
    );
  });

  it("reads exits from Docker's inspect answer, a never-set time as unknown", () => {
    const doc = {
      Id: 'x',
      RestartCount: 2,
      State: {
        Status: 'exited',
        Running: false,
        OOMKilled: true,
        ExitCode: 137,
        Error: '',
        StartedAt: '2026-12-02T14:00:00Z',
        FinishedAt: '0001-01-01T00:00:00Z',
      },
    };
    assert.deepEqual(exitsFromInspect(doc), {
      source: 'docker',
      status: 'exited',
      running: false,
      exitCode: 137,
      signal: 'SIGKILL',
      oomKilled: true,
      restartCount: 2,
      startedAt: '2026-12-02T14:00:00Z',
      finishedAt: null,
      error: null,
      unknown: null,
    });
    assert.equal(signalOfExitCode(1), null);
    assert.equal(signalOfExitCode(143), 'SIGTERM');
    assert.equal(exitsFromInspect({}).unknown, 'the engine answered without a State');
  });
});
