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

export interface ProcRecord {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string | null;
  uid: number | null;
  gid: number | null;
  nspid: number[];
  startTime: number | null;
  threadCount: number;
  namespaces: NsInodes;
  threads: ThreadNamespaces[];
  status: ProcStatus | null;
  cgroupLines: CgroupLine[] | null;
  lsmLabel: string | null;
}

/**
 * A whole small /proc file in one open/read/close, into a buffer reused across calls: readFileSync adds an
 * fstat (useless on procfs, where sizes read 0) and a fresh buffer per file, thousands of times a snapshot.
 */
let readBuf = Buffer.allocUnsafe(16384);
function readProcText(path: string): string {
  const fd = fs.openSync(path, 'r');
  try {
    let len = 0;
    for (;;) {
      const n = fs.readSync(fd, readBuf, len, readBuf.length - len, null);
      if (n === 0) break;
      len += n;
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

function gone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH';
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code === 'EACCES' || e.code === 'EPERM' ? `permission denied (${e.code})` : e.code ?? e.message;
}

/**
 * Namespace inodes under `dir` (/proc/PID/ns or /proc/PID/task/TID/ns); unreadable types are null.
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

const STATUS_KEYS = new Set(['Uid', 'Gid', 'NSpid', 'Threads', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp', 'Seccomp_filters']);

export function parseStatus(text: string): { uid: number | null; gid: number | null; nspid: number[]; threads: number; status: ProcStatus | null } {
  // Only the dozen keys used are kept: status has ~55 lines, and this runs for every process.
  const fields = new Map<string, string>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      const key = text.slice(start, colon);
      if (STATUS_KEYS.has(key)) fields.set(key, text.slice(colon + 1, end).trim());
    }
    start = end + 1;
  }
  const firstNum = (k: string): number | null => {
    const v = fields.get(k);
    return v === undefined ? null : Number(v.split(/\s+/)[0]);
  };
  const seccomp = firstNum('Seccomp');
  const nnp = fields.get('NoNewPrivs');
  const caps = ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'].map((k) => fields.get(k));
  return {
    uid: firstNum('Uid'),
    gid: firstNum('Gid'),
    nspid: (fields.get('NSpid') ?? '').split(/\s+/).filter(Boolean).map(Number),
    threads: firstNum('Threads') ?? 1,
    status: caps.every((c) => c !== undefined)
      ? {
          capInh: caps[0]!,
          capPrm: caps[1]!,
          capEff: caps[2]!,
          capBnd: caps[3]!,
          capAmb: caps[4]!,
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
  constructor(
    readonly pid: number,
    readonly ppid: number,
    readonly comm: string,
    readonly cmdline: string | null,
    readonly uid: number | null,
    readonly gid: number | null,
    readonly nspid: number[],
    readonly startTime: number | null,
    readonly threadCount: number,
    readonly namespaces: NsInodes,
    readonly threads: ThreadNamespaces[],
    readonly status: ProcStatus | null,
  ) {}

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
      try {
        // The label text ends with a newline and sometimes a NUL; "unconfined" is a label too.
        this.lsmCache = fs.readFileSync(`/proc/${this.pid}/attr/current`, 'utf8').replace(/\0/g, '').trim() || null;
      } catch {
        this.lsmCache = null;
      }
    }
    return this.lsmCache;
  }

  /** Plain data for JSON and tests (getters are not own properties). */
  toJSON(): ProcRecord {
    const { cgroupCache: _c, lsmCache: _l, ...data } = this as unknown as Record<string, unknown>;
    return { ...data, cgroupLines: this.cgroupLines, lsmLabel: this.lsmLabel } as ProcRecord;
  }
}

/** Threads whose namespaces differ from their process's (only looked at for multi-threaded processes). */
function readThreadNamespaces(pid: number, own: NsInodes): ThreadNamespaces[] {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
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

/** One process, or null when it is gone (or was never there). */
export function readProcess(pid: number, problems: Problem[]): ProcRecord | null {
  const dir = `/proc/${pid}`;
  try {
    const stat = parseStat(readProcText(`${dir}/stat`));
    const st = parseStatus(readProcText(`${dir}/status`));
    let cmdline: string | null;
    try {
      cmdline = readProcText(`${dir}/cmdline`).replace(/\0+$/, '').replace(/\0/g, ' ');
    } catch (err) {
      if (gone(err)) return null;
      cmdline = null;
    }
    let denied: string | null = null;
    const namespaces = readNsInodes(`${dir}/ns`, (_t, err) => (denied ??= describe(err)));
    if (denied) problems.push({ source: `${dir}/ns`, message: denied });
    // A process that exited between the reads above has no namespaces left: treat as gone.
    if (NS_TYPES.every((t) => namespaces[t] === null) && !fs.existsSync(dir)) return null;
    // A zombie keeps its /proc entry and its pid and user namespaces (held by its task and credentials),
    // but the kernel has already dropped the others (their links give ENOENT): say why they are null.
    const released = NS_TYPES.filter((t) => namespaces[t] === null);
    if ((stat.state === 'Z' || stat.state === 'X') && released.length) {
      problems.push({ source: `${dir}/ns`, message: `zombie process: its ${released.join(', ')} namespaces are already released` });
    }
    const threads = st.threads > 1 ? readThreadNamespaces(pid, namespaces) : [];
    return new ProcEntry(pid, stat.ppid, stat.comm, cmdline, st.uid, st.gid, st.nspid, stat.startTime, st.threads, namespaces, threads, st.status);
  } catch (err) {
    if (gone(err)) return null;
    problems.push({ source: dir, message: describe(err) });
    return null;
  }
}

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
