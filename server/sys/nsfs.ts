/**
 * Namespace file ioctls (man 2 ioctl_ns) and reading a hostname from another UTS namespace.
 *
 * Every fd opened here is closed before returning, including the fds the NS_GET_* ioctls hand back.
 */
import * as fs from 'fs';
import type { NsType } from '../protocol';
import { loadLibc, errnoName } from './libc';
import { kindOf, openChecked } from './openChecked';
import { during } from '../activity';

const NS_GET_USERNS = 0xb701;
const NS_GET_PARENT = 0xb702;
const NS_GET_NSTYPE = 0xb703;
const NS_GET_OWNER_UID = 0xb704;
const CLONE_NEWUTS = 0x04000000;

/** CLONE_NEW* flag → type, as NS_GET_NSTYPE returns it. */
const TYPE_OF_FLAG: Record<number, NsType> = {
  0x02000000: 'cgroup',
  0x08000000: 'ipc',
  0x00020000: 'mnt',
  0x40000000: 'net',
  0x20000000: 'pid',
  0x00000080: 'time',
  0x10000000: 'user',
  0x04000000: 'uts',
};

interface NsCalls {
  ioctl: (fd: number, req: number, ...rest: unknown[]) => number;
  setns: (fd: number, nstype: number) => number;
  gethostname: (buf: Buffer, len: number) => number;
  errno: () => number;
}
let calls: NsCalls | null | undefined;

function nsCalls(): NsCalls | null {
  if (calls !== undefined) return calls;
  const native = loadLibc();
  if (!native) return (calls = null);
  const { koffi, lib } = native;
  calls = {
    ioctl: lib.func('int ioctl(int fd, unsigned long request, ...)') as NsCalls['ioctl'],
    setns: lib.func('int setns(int fd, int nstype)') as NsCalls['setns'],
    gethostname: lib.func('int gethostname(_Out_ uint8_t *name, size_t len)') as NsCalls['gethostname'],
    errno: () => koffi.errno(),
  };
  return calls;
}

/** /proc/PID/ns/X and /proc/PID/task/TID/ns/X: links the kernel makes, always to a namespace file. */
const PROC_NS_LINK = /^\/proc\/\d+\/(?:task\/\d+\/)?ns\/[a-z_]+$/;
/** /proc/PID/fd/N: a link the kernel makes, to whatever the process has open there now. */
const PROC_FD_LINK = /^\/proc\/\d+\/fd\/\d+$/;

let nsfsDevice: number | undefined;

/**
 * An fd open for reading on the namespace file at `path`, or why not (an errno name, ESRCH when it is
 * another namespace than `inode`, or what covers the path). The caller closes the fd.
 *
 * Only a namespace file is ever opened for reading. A bind-mount holder's path lies in a mount namespace a
 * container controls: a tmpfs mounted over the directory, or a FIFO bind-mounted over the nsfs mount,
 * leaves the mount table naming the namespace while the path leads to a FIFO, whose open(O_RDONLY)
 * blocks until a writer comes (forever); a device's open runs its driver. An fd holder's link may
 * point to anything once the fd was closed and its number reused. So such paths are opened O_PATH
 * first (no open of the file itself happens), without following a link at the end (a mount point the
 * kernel lists is never a symlink; an fd link must be followed, it is how the file is reached), checked
 * to be on nsfs by device number (all namespace files share nsfs's one superblock) and reopened for
 * the ioctls through /proc/self/fd, which opens that very inode. /proc/PID/ns links need none of this.
 */
function openNamespaceFile(path: string, inode?: number): number | string {
  const code = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'open failed';
  if (PROC_NS_LINK.test(path)) {
    let fd: number;
    try {
      fd = fs.openSync(path, fs.constants.O_RDONLY);
    } catch (err) {
      return code(err);
    }
    // The holder seen earlier may have exited and its pid been reused: the path then opens another
    // namespace, whose relations must not be reported as this one's. Same answer as a gone holder.
    if (inode !== undefined && fs.fstatSync(fd).ino !== inode) {
      fs.closeSync(fd);
      return 'ESRCH';
    }
    return fd;
  }
  const nsfs = (nsfsDevice ??= fs.statSync('/proc/self/ns/uts').dev);
  // Labelled for the watchdog (activity.ts) only here: the path walk through a container's mounts is what
  // can still hang (a FUSE or NFS server that never answers); /proc/PID/ns links are thousands and cannot.
  const opened = during(`opening the namespace holder ${path}`, () =>
    openChecked(
      path,
      (st) =>
        st.dev !== nsfs ? `not a namespace file: ${kindOf(st)} is in its place` : inode !== undefined && st.ino !== inode ? 'ESRCH' : null,
      PROC_FD_LINK.test(path),
    ),
  );
  return 'fd' in opened ? opened.fd : opened.why;
}

export interface NsRelations {
  type: NsType | null;
  ownerUserNs: number | null;
  parent: number | null;
  ownerUid: number | null;
  /** Why a relation is unknown (native calls unavailable, permission), or null. */
  error: string | null;
}

/** An ioctl that returns a new namespace fd: its inode, or null (EPERM at the top of what we may see). */
function relatedInode(c: NsCalls, fd: number, request: number): { inode: number | null; errno: number } {
  const rel = c.ioctl(fd, request);
  if (rel < 0) return { inode: null, errno: c.errno() };
  try {
    return { inode: fs.fstatSync(rel).ino, errno: 0 };
  } finally {
    fs.closeSync(rel);
  }
}

/**
 * Type, owning user namespace, parent (pid and user namespaces only) and owner uid (user namespaces) of
 * the namespace at `path` (/proc/PID/ns/X, /proc/PID/fd/N, or a bind mount such as /run/netns/NAME).
 */
export function nsRelations(path: string, expect?: { type: NsType; inode: number }): NsRelations {
  const c = nsCalls();
  const none: NsRelations = { type: null, ownerUserNs: null, parent: null, ownerUid: null, error: null };
  if (!c) return { ...none, error: 'native calls unavailable' };
  const opened = openNamespaceFile(path, expect?.inode);
  if (typeof opened === 'string') return { ...none, error: opened };
  const fd = opened;
  try {
    // The type is asked only when the caller could not tell (an nsfs file opened by path): a link or a
    // mountinfo root already names it, and this runs for every namespace on the node.
    const flag = expect ? -1 : c.ioctl(fd, NS_GET_NSTYPE);
    const type = expect?.type ?? (flag >= 0 ? (TYPE_OF_FLAG[flag] ?? null) : null);
    const owner = relatedInode(c, fd, NS_GET_USERNS);
    let parent: number | null = null;
    if (type === 'pid' || type === 'user') parent = relatedInode(c, fd, NS_GET_PARENT).inode;
    let ownerUid: number | null = null;
    if (type === 'user') {
      const out = Buffer.alloc(4);
      if (c.ioctl(fd, NS_GET_OWNER_UID, 'uint32_t *', out) === 0) ownerUid = out.readUInt32LE(0);
    }
    // For a user namespace the owner IS the parent, and EPERM marks the top of the hierarchy the agent
    // can see (the initial user namespace has none): null without an error. For any other type EPERM means
    // the owner lies outside the agent's user namespace: unknown, and said so.
    const topOfUsers = type === 'user' && owner.errno === 1;
    const error = owner.inode === null && owner.errno !== 0 && !topOfUsers ? `NS_GET_USERNS: ${errnoName(owner.errno)}` : null;
    return { type, ownerUserNs: owner.inode, parent, ownerUid, error };
  } finally {
    fs.closeSync(fd);
  }
}

let ownUtsFd: number | null = null;

/**
 * The hostname as seen inside the UTS namespace of `pid`: /proc/sys/kernel/hostname and uname() report
 * the *reader's* namespace, so the agent joins the target's UTS namespace on this thread, reads, and
 * joins its own again. setns(CLONE_NEWUTS) is allowed in a multi-threaded process (only mount and user
 * namespaces are not). Returns null when the process is gone or native calls are unavailable.
 */
export function hostnameOf(pid: number): string | null {
  const c = nsCalls();
  if (!c) return null;
  if (ownUtsFd === null) ownUtsFd = fs.openSync('/proc/self/ns/uts', 'r');
  let target: number;
  try {
    target = fs.openSync(`/proc/${pid}/ns/uts`, 'r');
  } catch {
    return null;
  }
  // Kernel sequence, all on this one thread with nothing else scheduled in between (Node runs this
  // synchronously): setns(target) -> gethostname -> setns(own saved fd). The return trip sits in a
  // finally so that no exception, not even one thrown by the FFI, can leave the agent in a foreign UTS ns.
  let joined = false;
  try {
    if (c.setns(target, CLONE_NEWUTS) !== 0) return null;
    joined = true;
    const buf = Buffer.alloc(256);
    if (c.gethostname(buf, buf.length) !== 0) return null;
    const end = buf.indexOf(0);
    return buf.toString('utf8', 0, end < 0 ? buf.length : end);
  } finally {
    if (joined && c.setns(ownUtsFd, CLONE_NEWUTS) !== 0) {
      // Staying in a container's UTS namespace would make every later answer wrong (uname, hostnames of
      // the next containers). A thrown error could be caught by a request handler and the agent would go
      // on serving; exiting is the only loud failure nothing can swallow.
      process.stderr.write(`nodescope-agent: cannot return to own UTS namespace (${errnoName(c.errno())}); exiting\n`);
      process.exit(70);
    }
    fs.closeSync(target);
  }
}

/** fds the agent keeps open on namespaces for its own use: not holders on the node (see namespaces.ts). */
export function agentNsFds(): number[] {
  return ownUtsFd === null ? [] : [ownUtsFd];
}
