/**
 * One pass over /proc (man 5 proc). Synchronous on purpose: procfs lives in memory, and a sync read costs
 * a few microseconds where an async one costs a thread-pool round trip; a whole-host snapshot reads ten
 * files for each of thousands of processes.
 *
 * Processes exit while we read them. ENOENT/ESRCH anywhere under /proc/PID means "gone": the process is
 * dropped silently. Other errors (EACCES) become Problems and the fact they hid becomes null.
 */
import * as fs from 'fs';
import type { NsInodes, NsType, Problem, ThreadNamespaces } from '../protocol';
import { NS_TYPES } from '../protocol';
import { CMDLINE_MAX_BYTES, utf8Boundary } from './bounded';
import { statNoSync } from '../sys/statNoSync';
import { readLsmLabel } from './security';

export interface ProcStatus {
  capInh: string;
  capPrm: string;
  capEff: string;
  capBnd: string;
  capAmb: string;
  noNewPrivs: boolean | null;
  seccomp: 0 | 1 | 2 | null;
  seccompFilters: number | null;
}

export interface CgroupLine {
  id: number;
  controllers: string[];
  path: string;
}

/**
 * An fd that holds a namespace open. `type` is null for an nsfs file opened by path (a bind mount such
 * as /run/netns/x): its link names the path, not the namespace, and only NS_GET_NSTYPE tells the type.
 */
export interface NsFd {
  fd: number;
  type: NsType | null;
  inode: number;
}

/** What one pass over /proc/PID reads. */
export interface ProcData {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string | null;
  /** Only the first CMDLINE_MAX_BYTES of the command line were read: there is more. */
  cmdlineTruncated: boolean;
  uid: number | null;
  gid: number | null;
  nspid: number[];
  startTime: number | null;
  threadCount: number;
  namespaces: NsInodes;
  threads: ThreadNamespaces[];
  status: ProcStatus | null;
  nsFds: NsFd[];
}

export interface ProcRecord extends ProcData {
  cgroupLines: CgroupLine[] | null;
  lsmLabel: string | null;
}

/**
 * A whole small /proc file in one open/read/close, into a buffer reused across calls: readFileSync adds an
 * fstat (useless on procfs, where sizes read 0) and a fresh buffer per file, thousands of times a snapshot.
 * A read that returns less than asked is the end of these files: stat and status are single seq_file
 * records (fs/seq_file.c seq_read_iter), so the read that would return 0 is skipped: thousands of
 * syscalls. Command lines are read by readCmdline, up to a cap.
 */
let readBuf = Buffer.allocUnsafe(16384);
function readProcText(path: string): string {
  const fd = fs.openSync(path, 'r');
  try {
    let len = 0;
    for (;;) {
      const room = readBuf.length - len;
      const n = fs.readSync(fd, readBuf, len, room, null);
      len += n;
      if (n < room) break;
      if (len === readBuf.length) {
        const bigger = Buffer.allocUnsafe(readBuf.length * 2);
        readBuf.copy(bigger);
        readBuf = bigger;
      }
    }
    return readBuf.toString('utf8', 0, len);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The head of /proc/PID/cmdline, NULs as spaces: at most CMDLINE_MAX_BYTES are read, whatever its length.
 * Reading a whole one costs what it is long (get_mm_cmdline copies from the process's memory); a process
 * may carry 2 MB of arguments, and 500 of them once made a snapshot too big for one string. One byte past
 * the cap is asked for, to know whether there is more; a cap that ends on the trailing NUL is no cut.
 */
const cmdlineBuf = Buffer.allocUnsafe(CMDLINE_MAX_BYTES + 1);
const oneByte = Buffer.allocUnsafe(1);
function readCmdline(path: string): { text: string; truncated: boolean } {
  const fd = fs.openSync(path, 'r');
  try {
    // One read: get_mm_cmdline copies until the request is filled or the arguments end (fs/proc/base.c).
    const len = fs.readSync(fd, cmdlineBuf, 0, cmdlineBuf.length, null);
    let truncated = len > CMDLINE_MAX_BYTES;
    if (truncated && cmdlineBuf[CMDLINE_MAX_BYTES] === 0 && fs.readSync(fd, oneByte, 0, 1, null) === 0) truncated = false;
    let end = truncated ? utf8Boundary(cmdlineBuf.subarray(0, len), CMDLINE_MAX_BYTES) : Math.min(len, CMDLINE_MAX_BYTES);
    // A whole one ends with its last argument's NUL (and empty arguments' NULs): not shown.
    if (!truncated) while (end > 0 && cmdlineBuf[end - 1] === 0) end--;
    return { text: cmdlineBuf.toString('utf8', 0, end).replace(/\0/g, ' '), truncated };
  } finally {
    fs.closeSync(fd);
  }
}

function gone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH';
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code === 'EACCES' || e.code === 'EPERM' ? `permission denied (${e.code})` : (e.code ?? e.message);
}

/**
 * Namespace inodes under `dir` (/proc/PID/ns or /proc/PID/task/TID/ns); unreadable types are null.
 * pid_for_children and time_for_children are not read: the kernel shows a new pid namespace there only
 * once its first process exists (pidns_for_children_get wants a child reaper), which then lists it
 * anyway; a new time namespace is entered at the next exec or fork, so only a process caught between its
 * unshare(CLONE_NEWTIME) and its exec would reveal one. Not worth two more reads of every process.
 * readlink, not stat: the link text `net:[4026531840]` carries the same inode the nsfs file's st_ino has
 * (the kernel formats one from the other, fs/nsfs.c ns_dname), at half the cost of building a Stats.
 */
function readNsInodes(dir: string, onDenied: (type: NsType, err: unknown) => void): NsInodes {
  const out = {} as NsInodes;
  for (const t of NS_TYPES) {
    try {
      const link = fs.readlinkSync(`${dir}/${t}`);
      // Never a wrong number: any other link text (none is known) falls back to stat.
      out[t] = link.startsWith(`${t}:[`) ? Number(link.slice(t.length + 2, -1)) : fs.statSync(`${dir}/${t}`).ino;
    } catch (err) {
      out[t] = null;
      // ENOENT for a type the kernel lacks (time before 5.6) is not a problem; a gone process is caught by the caller.
      if (!gone(err)) onDenied(t, err);
    }
  }
  return out;
}

export function parseStat(text: string): { comm: string; state: string; ppid: number; startTime: number } {
  // comm may contain spaces and parentheses: it ends at the LAST ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); ppid is field 4, starttime field 22.
  return { comm: text.slice(open + 1, close), state: rest[0], ppid: Number(rest[1]), startTime: Number(rest[19]) };
}

/**
 * The value of `key` in a status text: the rest of its line, trimmed; undefined when the kernel has no
 * such line. Found with indexOf: status has ~55 lines and a dozen are wanted, for every process.
 */
function statusField(text: string, key: string): string | undefined {
  let at = 0;
  if (!text.startsWith(`${key}:`)) {
    const line = text.indexOf(`\n${key}:`);
    if (line < 0) return undefined;
    at = line + 1;
  }
  const from = at + key.length + 1;
  const end = text.indexOf('\n', from);
  return text.slice(from, end < 0 ? text.length : end).trim();
}

export function parseStatus(text: string): {
  uid: number | null;
  gid: number | null;
  nspid: number[];
  threads: number;
  status: ProcStatus | null;
} {
  const field = (k: string) => statusField(text, k);
  const firstNum = (k: string): number | null => {
    const v = field(k);
    return v === undefined ? null : Number(v.split(/\s+/)[0]);
  };
  const seccomp = firstNum('Seccomp');
  const nnp = field('NoNewPrivs');
  const caps = ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'].map((k) => field(k));
  return {
    uid: firstNum('Uid'),
    gid: firstNum('Gid'),
    nspid: (field('NSpid') ?? '').split(/\s+/).filter(Boolean).map(Number),
    threads: firstNum('Threads') ?? 1,
    status: caps.every((c) => c !== undefined)
      ? {
          capInh: caps[0],
          capPrm: caps[1],
          capEff: caps[2],
          capBnd: caps[3],
          capAmb: caps[4],
          noNewPrivs: nnp === undefined ? null : nnp === '1',
          seccomp: seccomp === 0 || seccomp === 1 || seccomp === 2 ? seccomp : null,
          seccompFilters: firstNum('Seccomp_filters'),
        }
      : null,
  };
}

export function parseCgroupFile(text: string): CgroupLine[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const a = line.indexOf(':');
      const b = line.indexOf(':', a + 1);
      const ctrl = line.slice(a + 1, b);
      return { id: Number(line.slice(0, a)), controllers: ctrl ? ctrl.split(',') : [], path: line.slice(b + 1) };
    });
}

/**
 * A process as read from /proc. The cgroup lines and LSM label are read on first use: only container
 * init processes need them, and skipping two reads per process matters on a host with thousands.
 */
class ProcEntry implements ProcRecord {
  private cgroupCache: CgroupLine[] | null | undefined;
  private lsmCache: string | null | undefined;
  declare readonly pid: number;
  declare readonly ppid: number;
  declare readonly comm: string;
  declare readonly cmdline: string | null;
  declare readonly cmdlineTruncated: boolean;
  declare readonly uid: number | null;
  declare readonly gid: number | null;
  declare readonly nspid: number[];
  declare readonly startTime: number | null;
  declare readonly threadCount: number;
  declare readonly namespaces: NsInodes;
  declare readonly threads: ThreadNamespaces[];
  declare readonly status: ProcStatus | null;
  declare readonly nsFds: NsFd[];

  constructor(data: ProcData) {
    Object.assign(this, data);
  }

  get cgroupLines(): CgroupLine[] | null {
    if (this.cgroupCache === undefined) {
      try {
        this.cgroupCache = parseCgroupFile(fs.readFileSync(`/proc/${this.pid}/cgroup`, 'utf8'));
      } catch {
        this.cgroupCache = null;
      }
    }
    return this.cgroupCache;
  }

  get lsmLabel(): string | null {
    if (this.lsmCache === undefined) {
      this.lsmCache = readLsmLabel(this.pid);
    }
    return this.lsmCache;
  }

  /** Plain data for JSON and tests (getters are not own properties). */
  toJSON(): ProcRecord {
    const { cgroupCache: _c, lsmCache: _l, ...data } = this as unknown as Record<string, unknown>;
    return { ...data, cgroupLines: this.cgroupLines, lsmLabel: this.lsmLabel } as ProcRecord;
  }
}

/** The names in a /proc/PID directory; none when the process is gone or the directory is not ours to read. */
function entriesOf(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Threads whose namespaces differ from their process's (only looked at for multi-threaded processes). */
function readThreadNamespaces(pid: number, own: NsInodes): ThreadNamespaces[] {
  const tids = entriesOf(`/proc/${pid}/task`);
  const out: ThreadNamespaces[] = [];
  for (const tid of tids) {
    if (Number(tid) === pid) continue;
    const ns = readNsInodes(`/proc/${pid}/task/${tid}/ns`, () => undefined);
    const differing: Partial<NsInodes> = {};
    for (const t of NS_TYPES) if (ns[t] !== null && own[t] !== null && ns[t] !== own[t]) differing[t] = ns[t];
    if (Object.keys(differing).length) out.push({ tid: Number(tid), namespaces: differing });
  }
  return out;
}

let nsfsDevice: string | null | undefined;
/**
 * The device of the nsfs filesystem ("major:minor"): an fd on it is a namespace, whatever path it was
 * opened through. null without statx (no FFI): then fds opened through a bind mount go unseen rather than
 * stat-ed in a way that can block (below).
 */
function nsfsDev(): string | null {
  if (nsfsDevice === undefined) {
    const st = statNoSync('/proc/self/ns/net');
    nsfsDevice = 'error' in st ? null : `${st.devMajor}:${st.devMinor}`;
  }
  return nsfsDevice;
}

/**
 * The fds of `pid` that hold a namespace. Most links read `net:[4026532…]`; an fd opened through a bind
 * mount reads as that mount's path (`/` once the mount is gone), and then only the device tells, nsfs's.
 * That device comes from statx with AT_STATX_DONT_SYNC: the fd may be a file on a FUSE or NFS server that
 * never answers, and a plain stat waits for it (sys/statNoSync.ts). An fd table we may not read (a kernel
 * thread's) or a gone process hides nothing we can see.
 */
function readNsFds(pid: number): NsFd[] {
  const fds = entriesOf(`/proc/${pid}/fd`);
  const out: NsFd[] = [];
  for (const name of fds) {
    const path = `/proc/${pid}/fd/${name}`;
    let target: string;
    try {
      target = fs.readlinkSync(path);
    } catch {
      continue;
    }
    const ns = parseNsLink(target);
    if (ns) {
      out.push({ fd: Number(name), type: ns.type, inode: ns.inode });
      continue;
    }
    // Only path-like targets can be an nsfs file opened by path; sockets, pipes and anon inodes cannot,
    // nor can the ttys and /dev/null that most fds point at (stat-ing those was most of this loop's cost).
    if (!target.startsWith('/') || target.startsWith('/dev/')) continue;
    const nsfs = nsfsDev();
    if (nsfs === null) continue;
    const st = statNoSync(path);
    // An error is an fd closed since, or a file its filesystem will not describe: not a namespace.
    if (!('error' in st) && `${st.devMajor}:${st.devMinor}` === nsfs) out.push({ fd: Number(name), type: null, inode: st.ino });
  }
  return out;
}

const NS_LINK = /^(cgroup|ipc|mnt|net|pid|time|user|uts):\[(\d+)\]$/;

export function parseNsLink(text: string): { type: NsType; inode: number } | null {
  const m = NS_LINK.exec(text);
  return m ? { type: m[1] as NsType, inode: Number(m[2]) } : null;
}

/** One process, or null when it is gone (or was never there). */
export function readProcess(pid: number, problems: Problem[]): ProcRecord | null {
  const data = readProcessData(pid, problems);
  return data && new ProcEntry(data);
}

/** What readProcess reads, as plain data. */
export function readProcessData(pid: number, problems: Problem[]): ProcData | null {
  const dir = `/proc/${pid}`;
  try {
    const stat = parseStat(readProcText(`${dir}/stat`));
    const st = parseStatus(readProcText(`${dir}/status`));
    let cmdline: string | null;
    let cmdlineTruncated = false;
    try {
      ({ text: cmdline, truncated: cmdlineTruncated } = readCmdline(`${dir}/cmdline`));
    } catch (err) {
      if (gone(err)) return null;
      cmdline = null;
    }
    let denied: string | null = null;
    const namespaces = readNsInodes(`${dir}/ns`, (_t, err) => (denied ??= describe(err)));
    let state = stat.state;
    if (denied) {
      // A process exiting under us refuses its links (EACCES: no memory left to check access against)
      // before its /proc entry goes. Read it again: gone or dead since is churn, not a permission problem.
      const now = lifeNow(dir);
      if (now === 'gone') return null;
      if (now === 'exiting') state = 'X';
      else problems.push({ source: `${dir}/ns`, message: denied });
    }
    // A process that exited between the reads above has no namespaces left: treat as gone.
    if (NS_TYPES.every((t) => namespaces[t] === null) && !fs.existsSync(dir)) return null;
    // A zombie keeps its /proc entry and its pid and user namespaces (held by its task and credentials),
    // but the kernel has already dropped the others (their links give ENOENT): say why they are null.
    // A process caught while exiting (state X here) has dropped them, or refuses them, the same way.
    const released = NS_TYPES.filter((t) => namespaces[t] === null);
    if ((state === 'Z' || state === 'X') && released.length) {
      problems.push({
        source: `${dir}/ns`,
        message: `${state === 'Z' ? 'zombie' : 'exiting'} process: its ${released.join(', ')} namespaces are already released`,
      });
    }
    const threads = st.threads > 1 ? readThreadNamespaces(pid, namespaces) : [];
    return {
      pid,
      ppid: stat.ppid,
      comm: stat.comm,
      cmdline,
      cmdlineTruncated,
      uid: st.uid,
      gid: st.gid,
      nspid: st.nspid,
      startTime: stat.startTime,
      threadCount: st.threads,
      namespaces,
      threads,
      status: st.status,
      nsFds: readNsFds(pid),
    };
  } catch (err) {
    if (gone(err)) return null;
    problems.push({ source: dir, message: describe(err) });
    return null;
  }
}

/** PF_EXITING (include/linux/sched.h): set from the start of do_exit, before the task is a zombie. */
const PF_EXITING = 0x4;

/** Whether the process is gone, exiting (PF_EXITING in stat field 9, or a zombie) or alive, now. */
function lifeNow(dir: string): 'gone' | 'exiting' | 'alive' {
  let text: string;
  try {
    text = readProcText(`${dir}/stat`);
  } catch {
    return 'gone';
  }
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), rest[6] field 9 (flags).
  return rest[0] === 'Z' || rest[0] === 'X' || (Number(rest[6]) & PF_EXITING) !== 0 ? 'exiting' : 'alive';
}

/** Every process on the node (as this agent's /proc shows them), in /proc's order (by pid). */
export function readProcesses(problems: Problem[]): ProcRecord[] {
  const out: ProcRecord[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const p = readProcess(pid, problems);
    if (p) out.push(p);
  }
  return out;
}

/** The agent's own namespaces, taken as "the host's" (PID 1's are often unreadable). */
export function ownNamespaces(): NsInodes {
  return readNsInodes('/proc/self/ns', () => undefined);
}
