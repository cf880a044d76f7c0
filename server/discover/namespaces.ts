/**
 * Every namespace on the node, including the ones no process is in:
 *  - held by an open fd: /proc/PID/fd/N links read `net:[4026532…]`, or, when the fd was opened
 *    through a bind mount, that mount's path (`/` once the mount is gone): then only stat() tells,
 *    by the nsfs device, and NS_GET_NSTYPE gives the type;
 *  - held by a bind mount: a mountinfo entry with fstype nsfs whose root is `net:[4026532…]`
 *    (`ip netns add`, `/run/docker/netns/*`). A bind mount made inside a container's mount namespace
 *    shows only in that namespace's table, so every table is searched, not only the host's.
 * Hierarchy (owner user namespace, parent) comes from the NS_GET_* ioctls on an fd opened through
 * whichever holder is at hand.
 */
import type { NamespaceInfo, NsInodes, NsType, Problem } from '../protocol';
import { NS_TYPES } from '../protocol';
import type { MountTables } from './mountinfo';
import { parseNsLink, type ProcRecord } from './procfs';
import { agentNsFds, nsRelations } from '../sys/nsfs';
import { namespaceOrder } from './snapshotOrder';

/** Holders remembered per namespace for the ioctls; more than one only matters when a holder exits mid-scan. */
const MAX_HANDLES = 3;

interface Building {
  info: NamespaceInfo;
  members: ProcRecord[];
  /** Paths through which the namespace can be opened for the ioctls, a few in case the first holder exits. */
  handles: string[];
}

export function buildNamespaces(procs: ProcRecord[], host: NsInodes, mountTables: MountTables, problems: Problem[]): NamespaceInfo[] {
  // One map per type, keyed by inode: this runs eight times per process.
  const byType = new Map<NsType, Map<number, Building>>(NS_TYPES.map((t) => [t, new Map()]));
  const all: Building[] = [];
  const entry = (type: NsType, inode: number): Building => {
    const ofType = byType.get(type)!;
    let b = ofType.get(inode);
    if (!b) {
      b = {
        info: {
          type,
          inode,
          processCount: 0,
          ownerUserNs: null,
          parent: null,
          ownerUid: null,
          isHost: host[type] === inode,
          containerIds: [],
          heldBy: [],
          bindMounts: [],
          fdHolders: [],
          ealdorman: null,
        },
        members: [],
        handles: [],
      };
      ofType.set(inode, b);
      all.push(b);
    }
    return b;
  };
  const held = (b: Building, how: NamespaceInfo['heldBy'][number]): void => {
    if (!b.info.heldBy.includes(how)) b.info.heldBy.push(how);
  };
  // The path is built only when kept: most namespaces have thousands of member processes.
  const handle = (b: Building, path: () => string): void => {
    if (b.handles.length < MAX_HANDLES) b.handles.push(path());
  };
  const agent = new Set(agentNsFds());

  for (const p of procs) {
    for (const t of NS_TYPES) {
      const ino = p.namespaces[t];
      if (ino === null) continue;
      const b = entry(t, ino);
      b.members.push(p);
      held(b, 'process');
      handle(b, () => `/proc/${p.pid}/ns/${t}`);
    }
    for (const th of p.threads) {
      for (const [t, ino] of Object.entries(th.namespaces) as [NsType, number][]) {
        const b = entry(t, ino);
        held(b, 'process');
        handle(b, () => `/proc/${p.pid}/task/${th.tid}/ns/${t}`);
      }
    }
    for (const { fd, type, inode } of p.nsFds) {
      // The agent's own saved UTS fd (for hostnameOf) is an instrument of the observer, not a holder.
      if (p.pid === process.pid && agent.has(fd)) continue;
      const path = `/proc/${p.pid}/fd/${fd}`;
      // An nsfs file opened by path (procfs.ts NsFd): the type only the ioctl tells.
      const t = type ?? nsRelations(path).type;
      if (!t) continue;
      const b = entry(t, inode);
      held(b, 'fd');
      b.info.fdHolders.push({ pid: p.pid, fd });
      handle(b, () => path);
    }
  }

  for (const [mntInode, table] of mountTables) {
    // Paths in another mount namespace are reachable from the host through that process's root.
    const prefix = mntInode === host.mnt ? '' : `/proc/${table.pid}/root`;
    for (const m of table.mounts) {
      if (m.fstype !== 'nsfs') continue;
      const ns = parseNsLink(m.root);
      if (!ns) continue;
      const b = entry(ns.type, ns.inode);
      held(b, 'bindmount');
      const where = prefix + m.mountPoint;
      if (!b.info.bindMounts.includes(where)) b.info.bindMounts.push(where);
      handle(b, () => where);
    }
  }

  let nativeMissing = false;
  for (const b of all) {
    b.info.processCount = b.members.length;
    b.info.ealdorman = ealdormanOf(b.members);
    // Try the holders in turn: the first may have exited since it was seen (ENOENT is churn, not a problem).
    let failure: string | null = null;
    for (const path of b.handles) {
      const rel = nsRelations(path, b.info);
      if (rel.error === 'native calls unavailable') {
        nativeMissing = true;
        break;
      }
      if (rel.type === null && rel.error) {
        if (rel.error !== 'ENOENT' && rel.error !== 'ESRCH') failure = `${path}: ${rel.error}`;
        continue;
      }
      b.info.ownerUserNs = rel.ownerUserNs;
      b.info.parent = rel.parent;
      b.info.ownerUid = rel.ownerUid;
      // NS_GET_USERNS fails with EPERM only when the owner lies outside the agent's user namespace.
      failure = rel.error ? `${path}: ${rel.error}` : null;
      break;
    }
    if (failure && !nativeMissing)
      problems.push({ source: `${b.info.type}:[${b.info.inode}]`, message: `owner/parent unknown: ${failure}` });
  }
  if (nativeMissing)
    problems.push({ source: 'ioctl(NS_GET_USERNS)', message: 'owner and parent namespaces unknown: native calls unavailable' });

  return all.map((b) => b.info).sort(namespaceOrder);
}

/** The top-most, oldest process of a namespace (lxkns's "ealdorman"): its parent is outside. */
function ealdormanOf(members: ProcRecord[]): number | null {
  if (!members.length) return null;
  const pids = new Set(members.map((p) => p.pid));
  const tops = members.filter((p) => !pids.has(p.ppid));
  const pool = tops.length ? tops : members;
  return pool.reduce((a, b) => ((b.startTime ?? Infinity) < (a.startTime ?? Infinity) ? b : a)).pid;
}
