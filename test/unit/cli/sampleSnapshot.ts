/**
 * A small, complete Snapshot for the pure tests (container references, change deltas, the schema). Every
 * field is filled, so the schema test catches a field the schema forgets as well as one it gets wrong.
 */
import type { ContainerInfo, NsInodes, Snapshot } from '../../../server/protocol';

const ns = (base: number): NsInodes => ({
  cgroup: base,
  ipc: base + 1,
  mnt: base + 2,
  net: base + 3,
  pid: base + 4,
  time: base + 5,
  user: base + 6,
  uts: base + 7,
});

export function sampleContainer(id: string, name: string, initPid: number): ContainerInfo {
  return {
    id,
    name,
    runtime: 'docker',
    image: 'nodescope-rig/base:1',
    imageId: 'sha256:' + 'c'.repeat(64),
    pod: null,
    labels: { 'nodescope.test': '1' },
    initPid,
    pids: [initPid],
    hostname: `${name}-host`,
    namespaces: ns(4026531000 + initPid * 10),
    sharesHostNamespaces: ['user', 'time'],
    cgroup: {
      version: 'v1',
      path: `/docker/${id}`,
      paths: { memory: `/docker/${id}` },
      memory: {
        limitBytes: 67108864,
        usageBytes: 1048576,
        peakBytes: 2097152,
        fileBytes: 4096,
        anonBytes: 8192,
        oomEvents: 0,
        oomKills: 0,
        stat: { cache: 4096 },
      },
      cpu: { quotaUs: 50000, periodUs: 100000, shares: 1024, weight: null, usageUsec: 1234 },
      pids: { max: 50, current: 1 },
      io: { limits: [] },
      pressure: null,
    },
    capabilities: {
      effective: ['CAP_CHOWN', 41],
      permitted: ['CAP_CHOWN'],
      inheritable: [],
      bounding: ['CAP_CHOWN'],
      ambient: [],
      masks: {
        effective: '0000020000000001',
        permitted: '0000000000000001',
        inheritable: '0000000000000000',
        bounding: '0000000000000001',
        ambient: '0000000000000000',
      },
    },
    noNewPrivs: true,
    seccomp: 'filter',
    seccompFilters: 1,
    lsmLabel: null,
    uidMap: [{ inside: 0, outside: 0, count: 4294967295 }],
    gidMap: null,
    rootfs: {
      fstype: 'overlay',
      source: 'overlay',
      readOnly: false,
      overlay: {
        lowerdirs: ['/l/1'],
        dataLowerdirs: [],
        upperdir: '/u',
        workdir: '/w',
        index: null,
        redirectDir: null,
        metacopy: null,
        xino: 'off',
        volatile: false,
        userxattr: false,
      },
      layers: [
        { path: '/u', role: 'upper', index: 0 },
        { path: '/l/1', role: 'lower', index: 1 },
      ],
    },
    mounts: [
      {
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
      },
    ],
    unknown: [],
  };
}

export function sampleSnapshot(): Snapshot {
  const a = sampleContainer('a1'.padEnd(64, '0'), 'alpha', 100);
  const b = sampleContainer('a2'.padEnd(64, '0'), 'beta', 200);
  return {
    schemaVersion: 1,
    takenAt: '2024-01-01T00:00:00.000Z',
    agentVersion: 'dev',
    host: { hostname: 'node1', kernel: '6.1.0', arch: 'x64', cgroupVersion: 'hybrid', namespaces: ns(4026531830), processCount: 3 },
    processes: [
      {
        pid: 100,
        ppid: 1,
        comm: 'sleep',
        cmdline: 'sleep 300',
        uid: 0,
        namespaces: a.namespaces,
        nspid: [100, 1],
        containerId: a.id,
        threads: [],
        startTime: 5000,
      },
      {
        pid: 200,
        ppid: 1,
        comm: 'sleep',
        cmdline: null,
        uid: null,
        namespaces: b.namespaces,
        nspid: [200, 1],
        containerId: b.id,
        threads: [{ tid: 201, namespaces: { net: 1 } }],
        startTime: null,
      },
    ],
    namespaces: [
      {
        type: 'net',
        inode: 4026532000,
        processCount: 0,
        ownerUserNs: 4026531837,
        parent: null,
        ownerUid: null,
        isHost: false,
        containerIds: [],
        heldBy: ['bindmount'],
        bindMounts: ['/run/netns/x'],
        fdHolders: [{ pid: 7, fd: 3 }],
        ealdorman: null,
      },
    ],
    containers: [a, b],
    layers: [
      {
        path: '/l/1',
        usedBy: [a.id, b.id],
        roles: { [a.id]: 'lower', [b.id]: 'lower' },
        sizeBytes: null,
        identity: { engine: 'docker', id: null, diffId: null, cacheId: 'abc' },
      },
    ],
    problems: [{ source: '/proc/1/ns/net', message: 'permission denied (EACCES)' }],
  };
}
