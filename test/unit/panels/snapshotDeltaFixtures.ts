/**
 * A busy node for the delta tests (2,000 processes, 200 containers with cgroup v2 figures) and a seeded
 * script of what a watch pass changes on it: every counter moving, a limit set, a container started or
 * stopped, processes born and reaped, a PSI file or a memory.stat key coming or going.
 */
import type { CgroupInfo, ContainerInfo, NamespaceInfo, ProcessInfo, Snapshot } from '../../../server/protocol';
import { container as dockerContainer } from './overviewFixtures';

const hex = (i: number): string => i.toString(16).padStart(64, '0');

const line = (v: number) => ({ avg10: v, avg60: v / 2, avg300: v / 4, total: Math.round(v * 1e6) });

function cgroup(i: number): CgroupInfo {
  return {
    version: 'v2',
    path: `/system.slice/docker-${hex(i)}.scope`,
    paths: { '': `/system.slice/docker-${hex(i)}.scope` },
    memory: {
      limitBytes: 256 * 2 ** 20,
      usageBytes: 10_000_000 + i,
      peakBytes: 20_000_000 + i,
      fileBytes: 4096 * i,
      anonBytes: 8192 * i,
      oomEvents: 0,
      oomKills: 0,
      stat: { anon: 8192 * i, file: 4096 * i, kernel: 1000, sock: 0, shmem: 0, pgfault: 100 + i },
    },
    cpu: { quotaUs: 50_000, periodUs: 100_000, shares: null, weight: 100, usageUsec: 1_000_000 + i },
    pids: { max: 100, current: 3 },
    io: { limits: [], readBytes: 0, writeBytes: 4096 },
    pressure: {
      cpu: { some: line(0.1), full: line(0) },
      memory: { some: line(0), full: line(0) },
      io: { some: line(0.02), full: line(0.01) },
    },
  };
}

/** A Docker container as the overview tests make it, with every cgroup v2 counter filled. */
export function container(i: number): ContainerInfo {
  return { ...dockerContainer({ id: hex(i), name: `app-${i}`, lowers: ['base'] }), cgroup: cgroup(i) };
}

function proc(pid: number, start: number, containerId: string | null): ProcessInfo {
  return {
    pid,
    ppid: 1,
    comm: 'worker',
    cmdline: `worker --id ${pid} --config /etc/app/${pid}.conf`,
    uid: 0,
    namespaces: { cgroup: null, ipc: 1, mnt: 2, net: 3, pid: 4, time: null, user: null, uts: 5 },
    nspid: [pid],
    containerId,
    threads: [],
    startTime: start,
  };
}

function namespace(inode: number): NamespaceInfo {
  return {
    type: 'pid',
    inode,
    processCount: 10,
    ownerUserNs: null,
    parent: null,
    ownerUid: null,
    isHost: false,
    containerIds: [],
    heldBy: ['process'],
    bindMounts: [],
    fdHolders: [],
    ealdorman: null,
  };
}

/** 2,000 processes and 200 containers by default; the property tests take a smaller node to run many passes. */
export function busyNode(size = { containers: 200, processes: 2000 }): Snapshot {
  const containers = Array.from({ length: size.containers }, (_, i) => container(i));
  return {
    schemaVersion: 1,
    takenAt: '2026-12-02T13:00:00.000Z',
    agentVersion: 'test',
    host: {
      hostname: 'busy',
      kernel: '6.1',
      arch: 'x86_64',
      cgroupVersion: 'v2',
      namespaces: { cgroup: 1, ipc: 1, mnt: 1, net: 1, pid: 1, time: 1, user: 1, uts: 1 },
      processCount: size.processes,
    },
    processes: Array.from({ length: size.processes }, (_, i) => proc(100 + i, 5000 + i, i < containers.length ? containers[i].id : null)),
    namespaces: containers.map((_, i) => namespace(4_026_530_000 + i)),
    containers,
    layers: [],
    problems: [],
  };
}

/** A small deterministic generator (mulberry32): the same seed scripts the same passes. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type PassKind = 'counters' | 'limit' | 'start' | 'stop' | 'processes' | 'psiGone' | 'statKey' | 'unreadable' | 'nothing';

/** One watch pass on `s`, in place (as NodeModel applies the agent's changes): what it did. */
export function pass(s: Snapshot, rnd: () => number, n: number): PassKind {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  s.takenAt = new Date(Date.parse('2026-12-02T13:00:00.000Z') + n * 1000).toISOString();
  const kinds: PassKind[] = [
    'counters',
    'counters',
    'counters',
    'limit',
    'start',
    'stop',
    'processes',
    'psiGone',
    'statKey',
    'unreadable',
    'nothing',
  ];
  const kind = pick(kinds);
  // Most passes move some counters, whatever else they do.
  if (kind !== 'nothing')
    for (const c of s.containers)
      if (c.cgroup?.memory && rnd() < 0.3) {
        c.cgroup.memory.usageBytes = (c.cgroup.memory.usageBytes ?? 0) + Math.floor(rnd() * 4096);
        c.cgroup.memory.stat.pgfault = (c.cgroup.memory.stat.pgfault ?? 0) + 1;
        if (c.cgroup.cpu) c.cgroup.cpu.usageUsec = (c.cgroup.cpu.usageUsec ?? 0) + 1000;
        if (c.cgroup.pressure?.cpu) c.cgroup.pressure.cpu.some.avg10 = Math.round(rnd() * 100) / 100;
      }
  const c = s.containers.length ? pick(s.containers) : null;
  switch (kind) {
    case 'limit':
      if (c?.cgroup?.memory) c.cgroup.memory.limitBytes = 96 * 2 ** 20 + n;
      break;
    case 'start':
      s.containers.push(container(1000 + n));
      break;
    case 'stop':
      if (c) s.containers.splice(s.containers.indexOf(c), 1);
      break;
    case 'processes':
      s.processes.splice(Math.floor(rnd() * s.processes.length), 1);
      s.processes.push(proc(100 + Math.floor(rnd() * s.processes.length), 90_000 + n, null));
      s.host.processCount = s.processes.length;
      break;
    case 'psiGone':
      if (c?.cgroup) c.cgroup.pressure = c.cgroup.pressure ? { ...c.cgroup.pressure, io: null } : null;
      break;
    case 'statKey':
      if (c?.cgroup?.memory) c.cgroup.memory.stat[`new_key_${n}`] = n;
      break;
    case 'unreadable':
      if (c?.cgroup?.memory) c.cgroup.memory.usageBytes = null;
      if (c?.cgroup?.io) c.cgroup.io.readBytes = null;
      break;
  }
  return kind;
}
