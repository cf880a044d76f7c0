/**
 * How the source container's own process was started, for a test container to start the same way: the
 * OCI bundle its runtime ran (config.json: process.args, cwd, user, the PATH of its env) when one can be
 * found and proven to be this container's; else what the kernel shows (/proc/PID/cmdline, as root in /),
 * which a process that rewrites its title (nginx, postgres) does not show truly, and the answer says so.
 *
 * Where the bundle is: a containerd shim (Docker, containerd, Kubernetes) runs in the bundle directory,
 * named for the container's id, and is the init's parent; runc records it as the `bundle=` label.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ContainerInfo } from '../protocol';
import { parseStat } from '../discover/procfs';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** An OCI config.json is a few KiB; more is not one (and is not read whole). */
const CONFIG_MAX_BYTES = 1024 * 1024;
/**
 * What is read of /proc/PID/cmdline to start the same command: a real one is far shorter, and a container
 * may give its init megabytes of arguments (get_mm_cmdline copies them all on a whole read). A longer one
 * is not launched from a prefix: the person is asked for a command.
 */
export const LAUNCH_CMDLINE_MAX_BYTES = 256 * 1024;

export interface SourceProcess {
  args: string[];
  cwd: string;
  uid: number;
  gid: number;
  /** The PATH of its environment (nothing else of it is copied: it may hold secrets). */
  path: string;
  /** Where this came from: the bundle's config.json, or /proc/PID/cmdline. */
  source: string;
  /** The command line was longer than LAUNCH_CMDLINE_MAX_BYTES: `args` is a prefix, not to be run. */
  truncated?: true;
}

interface OciProcess {
  args?: unknown;
  cwd?: unknown;
  env?: unknown;
  user?: { uid?: unknown; gid?: unknown };
}

/** What a path a process names is resolved in: its mount namespace and its root directory. */
function pathSpace(pid: number | 'self'): string {
  const root = fs.statSync(`/proc/${pid}/root`);
  return `${fs.statSync(`/proc/${pid}/ns/mnt`).ino} ${root.dev}:${root.ino}`;
}

function bundleCandidates(c: ContainerInfo, initPid: number): string[] {
  const out: string[] = [];
  if (c.labels.bundle) out.push(c.labels.bundle);
  try {
    const ppid = parseStat(fs.readFileSync(`/proc/${initPid}/stat`, 'utf8')).ppid;
    // The cwd link names a path in the parent's mount namespace and root: a host path only when that is
    // the agent's own, and worth believing only from root (a runtime's shim), not from any user's process.
    const rootOwned = /^Uid:\s+0\s/m.test(fs.readFileSync(`/proc/${ppid}/status`, 'utf8'));
    if (!rootOwned || pathSpace(ppid) !== pathSpace('self')) return out;
    const cwd = fs.readlinkSync(`/proc/${ppid}/cwd`);
    // Only a directory named for this container: a shell or a runtime of something else is not its bundle.
    if (path.basename(cwd) === c.id) out.push(cwd);
  } catch {
    /* no parent to look at */
  }
  return out;
}

/** A bundle's config.json: a regular file, its last component not followed, opened without blocking (a FIFO). */
function readConfig(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > CONFIG_MAX_BYTES) return null;
    const buf = Buffer.alloc(CONFIG_MAX_BYTES + 1);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return n > CONFIG_MAX_BYTES ? null : buf.toString('utf8', 0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The first `max` bytes of a file and whether it goes on: one byte more is asked for, no more read. */
function readHead(file: string, max: number): { data: Buffer; cut: boolean } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const buf = Buffer.allocUnsafe(max + 1);
    let len = 0;
    for (let n = -1; n !== 0 && len < buf.length; len += n) n = fs.readSync(fd, buf, len, buf.length - len, null);
    return { data: buf.subarray(0, Math.min(len, max)), cut: len > max };
  } finally {
    fs.closeSync(fd);
  }
}

function fromBundle(dir: string): SourceProcess | null {
  const file = path.join(dir, 'config.json');
  let proc: OciProcess;
  try {
    proc = (JSON.parse(readConfig(file) ?? '') as { process?: OciProcess }).process ?? {};
  } catch {
    return null;
  }
  const { args, cwd, env, user } = proc;
  if (!Array.isArray(args) || !args.length || !args.every((a) => typeof a === 'string')) return null;
  const pathEntry = Array.isArray(env) ? env.find((e): e is string => typeof e === 'string' && e.startsWith('PATH=')) : undefined;
  const id = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0);
  return {
    args: args,
    cwd: typeof cwd === 'string' && cwd.startsWith('/') ? cwd : '/',
    uid: id(user?.uid),
    gid: id(user?.gid),
    path: pathEntry ? pathEntry.slice(5) : DEFAULT_PATH,
    source: file,
  };
}

export function sourceProcess(c: ContainerInfo, initPid: number): SourceProcess | null {
  for (const dir of bundleCandidates(c, initPid)) {
    const found = fromBundle(dir);
    if (found) return found;
  }
  let head: { data: Buffer; cut: boolean };
  try {
    head = readHead(`/proc/${initPid}/cmdline`, LAUNCH_CMDLINE_MAX_BYTES);
  } catch {
    return null;
  }
  const args = head.data.toString('utf8').split('\0').filter(Boolean);
  if (!args.length) return null;
  const found: SourceProcess = { args, cwd: '/', uid: 0, gid: 0, path: DEFAULT_PATH, source: `/proc/${initPid}/cmdline` };
  return head.cut ? { ...found, truncated: true } : found;
}
