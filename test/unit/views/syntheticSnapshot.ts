/**
 * A big node made from the rig's recorded snapshot (test/fixtures/rig-snapshot.json): its first docker
 * container copied `containers` times, each with its own ids, own namespaces but the host's user and
 * cgroup ones, a writable layer of its own on four of twenty shared image layers, and `perContainer`
 * processes. The shape of a busy node, for measuring the tree at a size the rig does not reach.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ContainerInfo, LayerInfo, NamespaceInfo, NsType, ProcessInfo, Snapshot } from '../../../server/protocol';

const OWN: NsType[] = ['ipc', 'mnt', 'net', 'pid', 'uts'];

export function rigSnapshot(): Snapshot {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'rig-snapshot.json'), 'utf8')) as Snapshot;
}

export function syntheticSnapshot(containers: number, perContainer: number): Snapshot {
  const rig = rigSnapshot();
  const template = rig.containers.find((c) => c.runtime === 'docker')!;
  const hostNs = rig.namespaces.filter((n) => n.isHost);
  const hex = (n: number, salt: string): string => `${salt}${n.toString(16)}`.padStart(64, '0');
  const base: LayerInfo[] = Array.from({ length: 20 }, (_, i) => ({
    path: `/var/lib/docker/overlay2/${hex(i, 'b')}/diff`,
    usedBy: [],
    roles: {},
    sizeBytes: 1024,
    identity: null,
  }));
  const out: ContainerInfo[] = [];
  const namespaces: NamespaceInfo[] = hostNs.map((n) => ({ ...n, containerIds: [] }));
  const layers: LayerInfo[] = [...base];
  const processes: ProcessInfo[] = [];
  let inode = 4026540000;
  for (let i = 0; i < containers; i++) {
    const id = hex(i, 'c');
    const upper: LayerInfo = {
      path: `/var/lib/docker/overlay2/${hex(i, 'u')}/diff`,
      usedBy: [id],
      roles: { [id]: 'upper' },
      sizeBytes: 0,
      identity: null,
    };
    layers.push(upper);
    const lowers = [0, 1, 2, 3].map((k) => base[(i + k * 5) % base.length]);
    for (const l of lowers) {
      l.usedBy.push(id);
      l.roles[id] = 'lower';
    }
    const nsOf = { ...template.namespaces };
    for (const type of OWN) {
      nsOf[type] = ++inode;
      namespaces.push({
        type,
        inode,
        processCount: perContainer,
        ownerUserNs: null,
        parent: null,
        ownerUid: null,
        isHost: false,
        containerIds: [id],
        heldBy: ['process'],
        bindMounts: [],
        fdHolders: [],
        ealdorman: null,
      });
    }
    for (const n of namespaces) if (n.isHost && nsOf[n.type] === n.inode) n.containerIds.push(id);
    const pids = Array.from({ length: perContainer }, (_, k) => 10_000 + i * perContainer + k);
    for (const [k, pid] of pids.entries()) {
      processes.push({
        pid,
        ppid: k ? pids[0] : 1,
        comm: `p${k}`,
        cmdline: `sleep ${k}`,
        uid: 0,
        namespaces: nsOf,
        nspid: [pid, k + 1],
        containerId: id,
        threads: [],
        startTime: pid,
      });
    }
    out.push({
      ...template,
      id,
      name: `c${i}`,
      initPid: pids[0],
      pids,
      namespaces: nsOf,
      rootfs: template.rootfs && {
        ...template.rootfs,
        layers: [upper, ...lowers].map((l, index) => ({
          path: l.path,
          role: index ? 'lower' : 'upper',
          index,
          hostPath: l.path,
          unverified: null,
        })),
      },
    });
  }
  return { ...rig, containers: out, namespaces, layers, processes, host: { ...rig.host, processCount: processes.length } };
}
