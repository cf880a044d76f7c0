/**
 * A launch that joins some namespaces of a running container instead of making its own (the `kubectl debug
 * --target` pattern): net, pid, ipc and uts. Its root, its mount namespace (and cgroup namespace) stay its own.
 *
 * runc joins a namespace by the path in `linux.namespaces[].path`, which it opens itself. A path such as
 * /proc/<target pid>/ns/net names whichever process has that pid when runc gets to it: the target may have
 * exited and its pid been reused in between. So the agent opens each namespace file itself, checks that fd's
 * inode against the snapshot's record of the target (and the plan's, when one was confirmed), and hands runc
 * /proc/<agent pid>/fd/<fd>: the namespace the agent holds, whatever happens to the pid. Right before runc
 * starts, each held namespace is checked again to still be the target's (the target's init alive, in it),
 * so a launch does not join the namespaces of a container that has gone meanwhile.
 */
import * as fs from 'fs';
import { ErrorCodes, SHAREABLE_NS, type ContainerInfo, type LaunchParams, type ShareableNs } from '../protocol';
import { refuse } from '../failure';
import { parseStat } from '../discover/procfs';

/** The runtime-spec's names for the namespace types (config-linux.md). */
export const OCI_NS_TYPE: Record<ShareableNs, string> = { net: 'network', pid: 'pid', ipc: 'ipc', uts: 'uts' };

/** The target's namespaces, open in the agent until runc has started (close() in a finally). */
export interface HeldNamespaces {
  container: { id: string; name: string };
  pid: number;
  namespaces: { type: ShareableNs; inode: number; fd: number }[];
  /** The path runc opens for `type`: the agent's own fd, so it is the namespace that was checked. */
  pathOf(type: ShareableNs): string | undefined;
  /** Refuses when the target's init has left any of them (exited, or its pid reused) since they were opened. */
  recheck(): void;
  close(): void;
}

/** The request's `shareNs.types`: a non-empty list of known types, each once. */
export function checkedShareTypes(p: LaunchParams['shareNs']): ShareableNs[] {
  const types = (p as { types?: unknown } | undefined)?.types;
  if (!Array.isArray(types) || !types.length || !types.every((t) => (SHAREABLE_NS as readonly unknown[]).includes(t))) {
    throw refuse(ErrorCodes.InvalidParams, `"shareNs.types" must be some of ${SHAREABLE_NS.join(', ')}`);
  }
  return [...new Set(types as ShareableNs[])];
}

const startTimeOf = (pid: number): number | null => {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')).startTime;
  } catch {
    return null;
  }
};

/**
 * Opens `types` of `target`'s init `pid` (checked alive and the snapshot's by the caller; `startTime` is what
 * it was then). Each namespace must be the one the snapshot recorded for the container (and the one in
 * `pinned`, the plan the person confirmed); one the container shares with the host is refused: joining it
 * would put the test container in the host's network or process tree, which no one asked for by name.
 */
export function holdNamespaces(
  target: ContainerInfo,
  pid: number,
  startTime: number,
  types: ShareableNs[],
  pinned: Partial<Record<ShareableNs, number>> | undefined,
): HeldNamespaces {
  const namespaces: HeldNamespaces['namespaces'] = [];
  const close = (): void => {
    for (const n of namespaces.splice(0)) fs.closeSync(n.fd);
  };
  try {
    for (const type of types) {
      if (target.sharesHostNamespaces.includes(type)) {
        throw refuse(
          ErrorCodes.NotPermitted,
          `${target.name} shares the host's ${type} namespace: a launch does not join the host's namespaces; choose other types`,
        );
      }
      const recorded = target.namespaces[type];
      if (recorded === null)
        throw refuse(ErrorCodes.Unsupported, `${target.name}'s ${type} namespace could not be read; refresh and try again`);
      let fd: number;
      try {
        // A magic link of the kernel's, not a path on a disk anyone else controls: opening it is how nsfs is held.
        fd = fs.openSync(`/proc/${pid}/ns/${type}`, fs.constants.O_RDONLY);
      } catch {
        throw refuse(ErrorCodes.Gone, `${target.name}'s init (pid ${pid}) is gone; refresh and try again`);
      }
      const inode = fs.fstatSync(fd).ino;
      namespaces.push({ type, inode, fd });
      if (inode !== recorded || (pinned?.[type] !== undefined && pinned[type] !== inode)) {
        throw refuse(
          ErrorCodes.Gone,
          `${target.name}'s ${type} namespace is not the one ${pinned?.[type] !== undefined ? 'the plan showed' : 'the snapshot recorded'} (it was restarted or recreated); look at the new plan and confirm again`,
        );
      }
    }
    // Opened after the caller's check: the pid must still be that process, else these are another's namespaces.
    if (startTimeOf(pid) !== startTime) throw refuse(ErrorCodes.Gone, `${target.name}'s init (pid ${pid}) exited; refresh and try again`);
  } catch (err) {
    close();
    throw err;
  }
  return {
    container: { id: target.id, name: target.name },
    pid,
    namespaces,
    pathOf: (type) => {
      const n = namespaces.find((h) => h.type === type);
      return n && `/proc/${process.pid}/fd/${n.fd}`;
    },
    recheck: () => {
      for (const n of namespaces) {
        let now: number | null = null;
        try {
          now = fs.statSync(`/proc/${pid}/ns/${n.type}`).ino;
        } catch {
          /* gone */
        }
        if (now !== n.inode || startTimeOf(pid) !== startTime) {
          throw refuse(ErrorCodes.Gone, `${target.name} stopped before the launch could join its ${n.type} namespace`);
        }
      }
    },
    close,
  };
}
