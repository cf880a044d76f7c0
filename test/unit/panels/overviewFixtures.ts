/**
 * Small snapshots for the overview and layer graph page tests: the fields those pages read, filled the way
 * the agent fills them (Docker's overlay2 layout, cgroup v2, capability names). Pure data.
 */
import type { ContainerInfo, LayerInfo, Snapshot } from '../../../server/protocol';
import { DOCKER_DEFAULT_CAPS } from '../../../server/discover/capabilities';

const O2 = '/var/lib/docker/overlay2';
export const layerDir = (name: string): string => `${O2}/${name.padEnd(64, '0')}/diff`;

export interface ContainerSpec {
  id: string;
  name: string;
  /** Image layers, top-most first (directory names, see layerDir). */
  lowers: string[];
  usage?: number;
  caps?: string[];
  sharesHost?: ContainerInfo['sharesHostNamespaces'];
  net?: number;
}

export function container(s: ContainerSpec): ContainerInfo {
  const upper = layerDir(`${s.name}-upper`);
  const effective = [...(s.caps ?? DOCKER_DEFAULT_CAPS)];
  return {
    id: s.id,
    name: s.name,
    runtime: 'docker',
    image: 'nodescope-rig/base:1',
    imageId: null,
    pod: null,
    labels: {},
    initPid: 1000,
    pids: [1000],
    hostname: s.name,
    namespaces: { mnt: 1, pid: 2, net: s.net ?? 3, uts: 4, ipc: 5, user: 6, cgroup: 7, time: 8 },
    sharesHostNamespaces: s.sharesHost ?? [],
    cgroup: {
      version: 'v2',
      path: `/system.slice/docker-${s.id}.scope`,
      paths: {},
      memory: {
        limitBytes: 64 * 2 ** 20,
        usageBytes: s.usage ?? 8 * 2 ** 20,
        peakBytes: null,
        fileBytes: 3 * 2 ** 20,
        anonBytes: null,
        oomEvents: 0,
        oomKills: 0,
        stat: {},
      },
      cpu: { quotaUs: 50_000, periodUs: 100_000, shares: null, weight: 100, usageUsec: 1 },
      pids: { max: 50, current: 3 },
      io: null,
      pressure: null,
    },
    capabilities: {
      effective,
      permitted: effective,
      inheritable: [],
      bounding: effective,
      ambient: [],
      masks: { effective: '0', permitted: '0', inheritable: '0', bounding: '0', ambient: '0' },
    },
    noNewPrivs: false,
    seccomp: 'filter',
    seccompFilters: 1,
    lsmLabel: null,
    uidMap: null,
    gidMap: null,
    rootfs: {
      fstype: 'overlay',
      source: 'overlay',
      readOnly: false,
      overlay: null,
      layers: [
        { path: upper, role: 'upper', index: 0, hostPath: upper, unverified: null },
        ...s.lowers.map((l, i) => ({ path: layerDir(l), role: 'lower' as const, index: i + 1, hostPath: layerDir(l), unverified: null })),
      ],
    },
    mounts: [],
    unknown: [],
  };
}

export function snapshot(containers: ContainerInfo[], takenAt = '2026-12-02T05:00:00.000Z'): Snapshot {
  const layers = new Map<string, LayerInfo>();
  for (const c of containers)
    for (const l of c.rootfs?.layers ?? []) {
      const known = layers.get(l.hostPath!) ?? {
        path: l.hostPath!,
        usedBy: [],
        roles: {},
        sizeBytes: 4096 * (l.index + 1),
        identity: null,
      };
      known.usedBy.push(c.id);
      known.roles[c.id] = l.role;
      layers.set(l.hostPath!, known);
    }
  const netUsers = new Map<number, string[]>();
  for (const c of containers) netUsers.set(c.namespaces.net!, [...(netUsers.get(c.namespaces.net!) ?? []), c.id]);
  return {
    schemaVersion: 1,
    takenAt,
    agentVersion: 'test',
    host: { hostname: 'rig-host', kernel: '6.8.0', arch: 'x86_64', cgroupVersion: 'v2', namespaces: {} as never, processCount: 321 },
    processes: [],
    namespaces: [...netUsers].map(([inode, ids]) => ({
      type: 'net',
      inode,
      processCount: ids.length,
      ownerUserNs: null,
      parent: null,
      ownerUid: null,
      isHost: false,
      containerIds: ids,
      heldBy: [],
      bindMounts: [],
      fdHolders: [],
      ealdorman: null,
    })),
    containers,
    layers: [...layers.values()],
    problems: [],
  } as unknown as Snapshot;
}
