/**
 * Planning a debug shell: a shell inside all of a container's namespaces, seeing the container's own files
 * at `/`, with a toolbox (a static busybox of the node) on its PATH, for containers that have no shell or
 * lack the tools. The container and its other processes see nothing change: the toolbox is mounted in a
 * private copy of the container's mount namespace, which only the debug shell and its children live in.
 *
 * The kernel sequence, and why in this order (the argv runs as root on the node, through the transport):
 *
 *   1. util-linux nsenter joins the container's user (when it has its own), cgroup, ipc, uts, net and mount
 *      namespaces, but NOT its pid namespace yet; `--root` chroots into the container's root, `--wd=/`
 *      makes the working directory the NODE's root (both fds are opened before any setns, so they name the
 *      node's directories). It then execs `./bin/busybox`: a relative path, resolved from that working
 *      directory, so the node's own busybox runs although `/` is now the container's.
 *   2. busybox unshare -m --propagation private: a copy of the container's mount namespace, every mount in
 *      it private, so nothing mounted from here on propagates back to the container.
 *   3. busybox sh runs SETUP (below): a fresh tmpfs over a directory of the container (in this copy only),
 *      the busybox copied into it (a bind mount of the node's file cannot cross into another mount
 *      namespace; a 2 MB copy into tmpfs can), its applet links, the container's pid namespace file
 *      bind-mounted in (nsfs files may be), the tmpfs made read-only, then `cd /`.
 *   4. busybox nsenter --pid joins the container's pid namespace and forks: the shell is the container's
 *      process, its parent waits and exits with the shell's code.
 *
 * Why the pid namespace comes last: until `cd /`, the setup processes' working directory is the node's
 * root. A process in the container's pid namespace is visible to the container, and a container root could
 * walk out through /proc/PID/cwd of such a process. Kept in the node's pid namespace, the container cannot
 * see them; the shell it can see has its root and working directory inside the container.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCodes, type ContainerInfo, type DebugPlan } from '../protocol';
import { refuse } from '../failure';
import { openInRoot } from '../sys/openInRoot';
import { DEFAULT_PATH } from './sourceProcess';
import { findNsenter, liveTarget, nsenterFlags } from './enter';

/** Where a static busybox is found on a node when no path is given: Debian's busybox-static first. */
export const TOOLBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox', '/usr/local/bin/busybox', '/sbin/busybox'];

/**
 * Directories of the container the toolbox's tmpfs may be mounted over, in the debug shell's view only.
 * A new directory cannot be made in the container's root without the container seeing it, so an existing
 * one is covered: first what a debugger never misses (POSIX message queues, which every Docker, containerd
 * and Kubernetes container has at /dev/mqueue), then places whose contents the shell will not see.
 */
export const TOOLBOX_MOUNT_CANDIDATES = ['/dev/mqueue', '/mnt', '/media', '/srv', '/opt', '/tmp', '/run', '/dev/shm'];

/** A toolbox larger than this is not a busybox (Debian's is 2 MB); the tmpfs is sized from it. */
const TOOLBOX_MAX_BYTES = 64 * 1024 * 1024;

const SETUP = [
  'set -e',
  'D=$1 BB=$2 PIDNS=$3 SIZE=$4 CPATH=$5',
  'shift 6',
  // -n everywhere: busybox mount would read /proc/mounts, which the container's /proc does not show a
  // process of another pid namespace; the tmpfs is sized to hold the busybox and nothing much else.
  '"$BB" mount -n -t tmpfs -o mode=0755,size=$SIZE nodescope-debug "$D"',
  '"$BB" cp "$BB" "$D/busybox"',
  '"$D/busybox" --install -s "$D"',
  '"$D/busybox" touch "$D/.pidns"',
  '"$D/busybox" mount -n --bind "$PIDNS" "$D/.pidns"',
  '"$D/busybox" mount -n -t tmpfs -o remount,ro nodescope-debug "$D"',
  'cd /',
  // env -i: the node's environment (the transport's) stays out; PATH starts with the toolbox.
  'exec "$D/busybox" nsenter --pid="$D/.pidns" -- "$D/busybox" env -i PATH="$D:$CPATH" HOME=/ TERM="${TERM:-dumb}" PS1=\'(debug) \\w \\$ \' "$@"',
].join('\n');

export interface DebugRequest {
  pid?: number;
  /** A path on the node to a static busybox; absent: the first of TOOLBOX_CANDIDATES that exists. */
  toolbox?: string;
  command?: string[];
}

/** Plans the debug shell (see the head of this file); every check the node allows is made here, before anything runs. */
export function planDebug(c: ContainerInfo, recordedStart: Map<number, number | null>, req: DebugRequest = {}): DebugPlan {
  const { target, startTime } = liveTarget(c, recordedStart, req.pid);
  const nsenter = findNsenter();
  const toolbox = req.toolbox === undefined ? defaultToolbox() : req.toolbox;
  const size = checkToolbox(toolbox);
  const root = `/proc/${target}/root`;
  const at = TOOLBOX_MOUNT_CANDIDATES.find((d) => dirInside(root, d));
  if (!at)
    throw refuse(
      ErrorCodes.Unsupported,
      `${c.name}'s root has none of ${TOOLBOX_MOUNT_CANDIDATES.join(', ')} to mount the toolbox over (in the debug shell's view only)`,
    );
  const run = req.command?.length ? req.command : [`${at}/sh`];
  // Every namespace but pid (joined last, by busybox: see above); user and time only when not the node's own.
  const joined = nsenterFlags(target, ['user', 'cgroup', 'ipc', 'uts', 'net', 'mnt', 'time']);
  const bb = `.${toolbox}`;
  const sizeKiB = Math.ceil((size * 2) / 1024) + 1024;
  return {
    container: c.id,
    pid: target,
    startTime,
    shell: req.command?.length ? null : `${at}/sh`,
    user: null,
    toolbox,
    toolboxAt: at,
    argv: [
      nsenter,
      ...joined,
      '--root',
      '--wd=/',
      '--',
      bb,
      'unshare',
      '-m',
      '--propagation',
      'private',
      bb,
      'sh',
      '-c',
      SETUP,
      'nodescope-debug',
      at,
      bb,
      `proc/${target}/ns/pid`,
      `${sizeKiB}k`,
      DEFAULT_PATH,
      '--',
      ...run,
    ],
  };
}

function defaultToolbox(): string {
  const found = TOOLBOX_CANDIDATES.find((p) => fs.existsSync(p));
  if (!found)
    throw refuse(
      ErrorCodes.Unsupported,
      `no static busybox on this node (looked for ${TOOLBOX_CANDIDATES.join(', ')}); install it (Debian/Ubuntu: apt-get install busybox-static) or give its path (setting nodescope.debugToolbox, CLI --toolbox)`,
    );
  return found;
}

/**
 * The toolbox runs as root inside containers, so it must be the node administrator's file: absolute, a
 * regular file owned by root that nobody else may write, in directories nobody else may write, executable,
 * and static (a dynamic binary needs its loader, /lib64/ld-linux…, which a container may not have). Its size.
 */
export function checkToolbox(file: string): number {
  const bad = (why: string): never => {
    throw refuse(ErrorCodes.InvalidParams, `toolbox ${file} ${why}`);
  };
  if (!path.posix.isAbsolute(file) || path.posix.normalize(file) !== file || file.includes('\n')) bad('must be a normalized absolute path');
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return bad(
      code === 'ENOENT'
        ? 'does not exist on this node (Debian/Ubuntu: apt-get install busybox-static)'
        : code === 'ELOOP'
          ? 'is a symlink: give the file it points to'
          : `cannot be opened (${code ?? String(err)})`,
    );
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) bad('is not a regular file');
    if (st.uid !== 0 || st.mode & 0o022) bad('must be owned by root and writable by nobody else');
    if (!(st.mode & 0o001)) bad('is not executable by everyone (a container user namespace sees it as "other")');
    if (st.size > TOOLBOX_MAX_BYTES) bad(`is larger than ${TOOLBOX_MAX_BYTES >> 20} MiB: not a busybox`);
    for (let dir = path.posix.dirname(file); ; dir = path.posix.dirname(dir)) {
      const d = fs.statSync(dir);
      if (d.uid !== 0 || d.mode & 0o022) bad(`is in ${dir}, which someone other than root may write`);
      if (dir === '/') break;
    }
    const interp = elfInterpreter(fd);
    if (interp === undefined) bad('is not an ELF executable');
    if (interp) bad(`is not static (it needs ${interp}, which a container may not have); install busybox-static`);
    return st.size;
  } finally {
    fs.closeSync(fd);
  }
}

/** The ELF file's PT_INTERP (its loader's path), '' for a static one, undefined when it is not ELF. Bounded reads. */
export function elfInterpreter(fd: number): string | undefined {
  const head = Buffer.alloc(64);
  if (fs.readSync(fd, head, 0, 64, 0) < 52 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const is64 = head[4] === 2;
  const le = head[5] === 1;
  const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const uw = (b: Buffer, o: number): number =>
    is64 ? Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : le ? b.readUInt32LE(o) : b.readUInt32BE(o);
  const phoff = uw(head, is64 ? 32 : 28);
  const phentsize = u16(head, is64 ? 54 : 42);
  const phnum = u16(head, is64 ? 56 : 44);
  if (phnum > 256 || phentsize < (is64 ? 56 : 32) || phentsize > 128) return undefined;
  const ph = Buffer.alloc(phnum * phentsize);
  if (fs.readSync(fd, ph, 0, ph.length, phoff) !== ph.length) return undefined;
  for (let i = 0; i < phnum; i++) {
    const e = i * phentsize;
    const type = le ? ph.readUInt32LE(e) : ph.readUInt32BE(e);
    if (type !== 3 /* PT_INTERP */) continue;
    const off = uw(ph, e + (is64 ? 8 : 4));
    const size = Math.min(uw(ph, e + (is64 ? 32 : 16)), 4096);
    const name = Buffer.alloc(size);
    const n = fs.readSync(fd, name, 0, size, off);
    return name.toString('utf8', 0, n).replace(/\0.*$/s, '') || 'a loader';
  }
  return '';
}

/** Whether `dir` is a directory inside the container root (openat2 RESOLVE_IN_ROOT: its links stay inside). */
function dirInside(root: string, dir: string): boolean {
  let fd: number;
  try {
    fd = openInRoot(root, dir, 'target');
  } catch {
    return false;
  }
  try {
    return fs.fstatSync(fd).isDirectory();
  } finally {
    fs.closeSync(fd);
  }
}
