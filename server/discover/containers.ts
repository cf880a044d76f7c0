/**
 * Containers as the kernel shows them: one per init process of a non-host pid+mnt namespace pair.
 * Engines only name what we find here; a container no engine claims is still listed, as `bare`.
 *
 * Grouping, and why:
 *  1. Every process whose pid namespace is not the host's belongs to the container of that pid
 *     namespace (a process that later unshared its mount namespace inside a container is still in it).
 *     The init is the process whose parent is outside the group, the oldest by start time (`docker
 *     exec` children also have an outside parent, but start later).
 *  2. A process in the host pid namespace but a non-host mount namespace that a container of step 1
 *     also uses is that container's launcher (`unshare --pid --mount --fork` stays behind in host pid ns
 *     + the new mnt ns): it joins that container instead of being listed on its own.
 *  3. The remaining host-pid groups, by mount namespace, are candidates (`docker run --pid host`). Many
 *     host services also have private mount namespaces (systemd's PrivateTmp, ProtectSystem), so a
 *     candidate is a container only when an engine claims it or its root is another filesystem than the
 *     host's root (pivot_root/chroot into an image) and it is not a kernel thread.
 */
import * as fs from 'fs';
import type { ContainerInfo, IdMapEntry, NsInodes, NsType, Problem, RootfsInfo } from '../protocol';
import { NS_TYPES } from '../protocol';
import { capabilitySets } from './capabilities';
import { snapshotCgroupReader } from './cgroups';
import { claimContainer, containerLayerRecord, storageRoots, type EngineRoots } from './engines';
import { mountNsOwnedByHost, verifyLayers } from './layerTrust';
import type { MountEntry } from './mountinfo';
import { readMountinfoOf } from './mountinfo';
import { mountsOf, rootfsOf } from './overlay';
import type { ProcRecord } from './procfs';
import { hostnameOf } from '../sys/nsfs';

export type MountTables = Map<number, { pid: number; mounts: MountEntry[] }>;

export interface ContainerDiscovery {
  containers: ContainerInfo[];
  /** pid → container id, for every process that belongs to a container. */
  containerOf: Map<number, string>;
}

interface Group {
  /** Processes that define the container (its pid namespace, or its mount namespace for host-pid). */
  core: ProcRecord[];
  /** Launchers that joined it (step 2). */
  launchers: ProcRecord[];
  init: ProcRecord;
  hostPid: boolean;
}

function byStart(a: ProcRecord, b: ProcRecord): number {
  const sa = a.startTime ?? Number.MAX_SAFE_INTEGER;
  const sb = b.startTime ?? Number.MAX_SAFE_INTEGER;
  return sa - sb || a.pid - b.pid;
}

/** The process whose parent is outside the group, oldest first. */
function initOf(members: ProcRecord[]): ProcRecord {
  const pids = new Set(members.map((p) => p.pid));
  const roots = members.filter((p) => !pids.has(p.ppid));
  return [...(roots.length ? roots : members)].sort(byStart)[0];
}

function groupBy<K>(procs: ProcRecord[], key: (p: ProcRecord) => K): Map<K, ProcRecord[]> {
  const out = new Map<K, ProcRecord[]>();
  for (const p of procs) {
    const k = key(p);
    const list = out.get(k);
    if (list) list.push(p);
    else out.set(k, [p]);
  }
  return out;
}

/** The root mount's identity: device plus the directory of that device mounted at `/`. */
function rootKey(mounts: MountEntry[] | null): string | null {
  const roots = (mounts ?? []).filter((m) => m.mountPoint === '/');
  const r = roots[roots.length - 1];
  return r ? `${r.major}:${r.minor}:${r.root}` : null;
}

function exists(pid: number): boolean {
  return fs.existsSync(`/proc/${pid}`);
}

/** /proc/PID/uid_map and gid_map: `inside outside count` per line. Null when gone or unreadable. */
export function readIdMap(pid: number, which: 'uid_map' | 'gid_map'): IdMapEntry[] | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/${which}`, 'utf8');
  } catch {
    return null;
  }
  const out: IdMapEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length === 3) out.push({ inside: Number(f[0]), outside: Number(f[1]), count: Number(f[2]) });
  }
  return out;
}

const SECCOMP = { 0: 'disabled', 1: 'strict', 2: 'filter' } as const;

export function discoverContainers(
  procs: ProcRecord[],
  host: NsInodes,
  mountTables: MountTables,
  problems: Problem[],
  resolveRelative: (p: string) => string | null,
  engineRoots: EngineRoots,
): ContainerDiscovery {
  const groups: Group[] = [];
  const roots = storageRoots(engineRoots);
  const readCgroup = snapshotCgroupReader();
  const idMaps = new Map<string, IdMapEntry[]>();
  // uid_map and gid_map belong to the user namespace: read once per namespace, not per container.
  const idMapOf = (init: ProcRecord, which: 'uid_map' | 'gid_map'): IdMapEntry[] | null => {
    const key = `${init.namespaces.user ?? `pid ${init.pid}`} ${which}`;
    const known = idMaps.get(key);
    if (known) return known;
    const read = readIdMap(init.pid, which);
    if (read) idMaps.set(key, read); // a gone process answers nothing for the others in its namespace
    return read;
  };

  // Step 1: non-host pid namespaces.
  const ownPidNs = procs.filter((p) => p.namespaces.pid !== null && p.namespaces.pid !== host.pid);
  for (const members of groupBy(ownPidNs, (p) => p.namespaces.pid).values()) {
    groups.push({ core: members, launchers: [], init: initOf(members), hostPid: false });
  }

  // Step 2 and 3: host pid namespace, other mount namespace.
  const containerMnt = new Map<number, Group>();
  for (const g of groups) if (g.init.namespaces.mnt !== null) containerMnt.set(g.init.namespaces.mnt, g);
  const hostPidOwnMnt = procs.filter(
    (p) => p.namespaces.pid !== null && p.namespaces.pid === host.pid && p.namespaces.mnt !== null && p.namespaces.mnt !== host.mnt,
  );
  const candidates: Group[] = [];
  for (const [mnt, members] of groupBy(hostPidOwnMnt, (p) => p.namespaces.mnt as number)) {
    const owner = containerMnt.get(mnt);
    if (owner) owner.launchers.push(...members);
    else candidates.push({ core: members, launchers: [], init: initOf(members), hostPid: true });
  }

  const hostRoot = rootKey(
    host.mnt !== null ? (mountTables.get(host.mnt)?.mounts ?? readMountinfoOf(process.pid)) : readMountinfoOf(process.pid),
  );

  // Older inits first: when a nested pid namespace sits inside an engine's container (same cgroup),
  // the outer one keeps the engine's id.
  const all = [...groups, ...candidates].sort((a, b) => byStart(a.init, b.init));
  const containers: ContainerInfo[] = [];
  const containerOf = new Map<number, string>();
  const seenIds = new Set<string>();

  for (const g of all) {
    const init = g.init;
    const unknown: Problem[] = [];
    const corePids = new Set(g.core.map((p) => p.pid));

    // The mount table was read through one process of this mount namespace; its mount points are
    // relative to THAT process's root. Use it only if that process is one of the container's own
    // (a launcher's root is the host's), else read the init's mountinfo.
    const table = init.namespaces.mnt !== null ? mountTables.get(init.namespaces.mnt) : undefined;
    const mountEntries = table && corePids.has(table.pid) ? table.mounts : readMountinfoOf(init.pid, unknown);
    if (!mountEntries && exists(init.pid))
      unknown.push({ source: `/proc/${init.pid}/mountinfo`, message: 'unreadable; root filesystem and mounts unknown' });
    let rootfs: RootfsInfo | null = mountEntries ? rootfsOf(mountEntries, resolveRelative) : null;

    const cgroupPaths = [...new Set((init.cgroupLines ?? []).map((l) => l.path))];
    let claim = claimContainer({ initPid: init.pid, proc: init, cgroupPaths, rootfs, problems, roots: engineRoots });
    if (claim && seenIds.has(claim.id)) claim = null; // nested inside an already-listed container

    if (g.hostPid && !claim) {
      // Kernel threads (children of kthreadd, empty cmdline) may run in their own mount namespace
      // on another filesystem: kdevtmpfs is rooted in devtmpfs. They are not containers.
      if (init.cmdline === '' && (init.ppid === 2 || init.pid === 2)) continue;
      const ownRoot = rootKey(mountEntries);
      if (ownRoot === null || ownRoot === hostRoot) continue; // a host service with private mounts
    }

    // Layer paths are strings of the container's mount namespace until checked on the host (layerTrust.ts).
    if (rootfs?.layers.length) {
      const record = claim ? containerLayerRecord(engineRoots, claim, init.pid) : null;
      rootfs = {
        ...rootfs,
        layers: verifyLayers({
          layers: rootfs.layers,
          initialUserNs: mountNsOwnedByHost(init.pid, init.namespaces.mnt, host.user),
          record,
          storageRoots: roots,
        }),
      };
    }

    const pidNs = init.namespaces.pid;
    const id = claim?.id ?? `bare-${init.pid}-${pidNs ?? 'unknown'}`;
    seenIds.add(id);

    const status = init.status;
    if (!status && exists(init.pid))
      unknown.push({ source: `/proc/${init.pid}/status`, message: 'unreadable; capabilities, NoNewPrivs and seccomp unknown' });
    const hostname = hostnameOf(init.pid);
    if (hostname === null && exists(init.pid))
      unknown.push({ source: `/proc/${init.pid}/ns/uts`, message: 'hostname could not be read from the uts namespace' });
    const cgroup = readCgroup(init.cgroupLines, unknown);

    const sharesHostNamespaces = NS_TYPES.filter(
      (t: NsType) => init.namespaces[t] !== null && host[t] !== null && init.namespaces[t] === host[t],
    );

    const pids = [...g.core, ...g.launchers].map((p) => p.pid).sort((a, b) => a - b);
    for (const pid of pids) containerOf.set(pid, id);

    containers.push({
      id,
      name: claim?.name ?? init.comm,
      runtime: claim?.runtime ?? 'bare',
      image: claim?.image ?? null,
      imageId: claim?.imageId ?? null,
      pod: claim?.pod ?? null,
      labels: claim?.labels ?? {},
      initPid: init.pid,
      pids,
      hostname,
      namespaces: init.namespaces,
      sharesHostNamespaces,
      cgroup,
      capabilities: status ? capabilitySets(status) : null,
      noNewPrivs: status?.noNewPrivs ?? null,
      seccomp: status && status.seccomp !== null ? SECCOMP[status.seccomp] : null,
      seccompFilters: status?.seccompFilters ?? null,
      lsmLabel: init.lsmLabel,
      uidMap: idMapOf(init, 'uid_map'),
      gidMap: idMapOf(init, 'gid_map'),
      rootfs,
      mounts: mountEntries ? mountsOf(mountEntries) : [],
      unknown,
    });
  }
  return { containers, containerOf };
}
