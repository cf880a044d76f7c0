/**
 * Live limits: a container's memory, pids and CPU limits changed in its cgroup while it runs, as
 * `runc update` does, on v1 and v2. The files are the kernel's (cgroup-v1/memory.rst, pids.rst,
 * sched-bwc.rst; cgroup-v2.rst): memory.limit_in_bytes | memory.max, pids.max, cpu.cfs_quota_us | cpu.max.
 *
 * What is refused before anything is written, and why:
 *  - a cgroup that also holds processes of something else (the node's root cgroup, a CI runner's session
 *    scope a bare container was unshared in): the limit would land on them too;
 *  - a limit below what the container uses now: memory would be reclaimed or OOM-killed, forks refused
 *    (runc's own tests keep such updates from passing silently);
 *  - more CPUs than the node has, a quota under the kernel's 1 ms minimum.
 * What the kernel refuses anyway (v1's memory limit above memory+swap, memory it cannot reclaim) rolls
 * back whatever this request already wrote, so a failed request leaves the cgroup as it found it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCodes, type ContainerInfo, type LimitChange, type LimitParams, type LimitResource, type LimitResult, type Runtime } from '../protocol';
import { AgentFailure } from '../failure';
import { controllerDir, maxOrNumber, u64, type ControllerDir } from '../discover/cgroups';
import { parseCgroupFile, type CgroupLine } from '../discover/procfs';
import { formatBytes, formatLimit } from '../units';

/** The kernel's smallest CFS quota (sched-bwc.rst: 1 ms). */
const MIN_QUOTA_US = 1000;
const PAGE = 4096;

interface Reading {
  /** In the knob's unit; null = unlimited. */
  limit: number | null;
  /** The file's text as read, written back on rollback. */
  restore: string;
  usage: number | null;
}

/** One limit in both hierarchies: where it lives, how it reads, how a new value is written. */
interface Knob {
  resource: LimitResource;
  controller: string;
  unit: LimitChange['unit'];
  file(version: 'v1' | 'v2'): string;
  read(dir: ControllerDir): Reading;
  /** The text to write for `value` (in the knob's unit; null = unlimited). */
  encode(value: number | null, dir: ControllerDir): string;
}

const text = (dir: ControllerDir, file: string): string => fs.readFileSync(path.join(dir.dir, file), 'utf8').trim();
const quiet = (dir: ControllerDir, file: string): string | null => {
  try {
    return text(dir, file);
  } catch {
    return null;
  }
};
const noProblems = () => [];

const memory: Knob = {
  resource: 'memory',
  controller: 'memory',
  unit: 'bytes',
  file: (v) => (v === 'v1' ? 'memory.limit_in_bytes' : 'memory.max'),
  read(d) {
    const raw = text(d, this.file(d.version));
    const usage = u64(quiet(d, d.version === 'v1' ? 'memory.usage_in_bytes' : 'memory.current'), '', noProblems());
    // v1 prints "unlimited" as PAGE_COUNTER_MAX pages; -1 is how it is written back.
    const limit = d.version === 'v1' ? u64(raw, '', noProblems(), true) : maxOrNumber(raw, '', noProblems());
    return { limit, restore: limit === null && d.version === 'v1' ? '-1' : raw, usage };
  },
  encode: (value, d) => (value === null ? (d.version === 'v1' ? '-1' : 'max') : String(value)),
};

const pids: Knob = {
  resource: 'pids',
  controller: 'pids',
  unit: 'pids',
  file: () => 'pids.max',
  read(d) {
    const raw = text(d, 'pids.max');
    return { limit: maxOrNumber(raw, '', noProblems()), restore: raw, usage: u64(quiet(d, 'pids.current'), '', noProblems()) };
  },
  encode: (value) => (value === null ? 'max' : String(value)),
};

/** The CFS period of the cgroup, in µs: v1 cpu.cfs_period_us, v2 the second field of cpu.max. */
function periodOf(d: ControllerDir): number {
  const p = d.version === 'v1' ? text(d, 'cpu.cfs_period_us') : text(d, 'cpu.max').split(/\s+/)[1];
  const n = Number(p);
  if (!Number.isInteger(n) || n <= 0) throw new AgentFailure(ErrorCodes.Unsupported, `${d.dir}: cannot read the CPU period ("${p}")`);
  return n;
}

const cpu: Knob = {
  resource: 'cpu',
  controller: 'cpu',
  unit: 'cpus',
  file: (v) => (v === 'v1' ? 'cpu.cfs_quota_us' : 'cpu.max'),
  read(d) {
    const raw = text(d, this.file(d.version));
    const quota = d.version === 'v1' ? raw : raw.split(/\s+/)[0];
    const limit = quota === '-1' || quota === 'max' ? null : Number(quota) / periodOf(d);
    return { limit, restore: raw, usage: null };
  },
  encode(value, d) {
    const period = periodOf(d);
    const quota = value === null ? null : Math.round(value * period);
    if (d.version === 'v1') return quota === null ? '-1' : String(quota);
    return `${quota ?? 'max'} ${period}`;
  },
};

const KNOBS: [keyof LimitParams, Knob][] = [
  ['memoryBytes', memory],
  ['pidsMax', pids],
  ['cpus', cpu],
];

/** The requested value of one knob, checked as a number; undefined = leave it alone. */
function requested(params: LimitParams, key: keyof LimitParams): number | null | undefined {
  const v = params[key];
  if (v === undefined || v === null) return v as null | undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new AgentFailure(ErrorCodes.InvalidParams, `"${key}" must be a positive number or null (no limit)`);
  if (key !== 'cpus' && !Number.isSafeInteger(v)) throw new AgentFailure(ErrorCodes.InvalidParams, `"${key}" must be a whole number`);
  return v;
}

/** Checks a new value against the node and the container's use now; a refusal says what would work. */
function checkValue(c: ContainerInfo, knob: Knob, value: number | null, now: Reading, d: ControllerDir): void {
  if (value === null) return;
  if (knob.resource === 'memory') {
    if (value < PAGE) throw new AgentFailure(ErrorCodes.InvalidParams, `a memory limit of ${value} bytes is less than one page (${PAGE} bytes)`);
    if (now.usage !== null && value < now.usage) {
      throw new AgentFailure(ErrorCodes.NotPermitted, `${c.name} uses ${formatBytes(now.usage)} now; a memory limit of ${formatBytes(value)} below that would make the kernel reclaim or OOM-kill: give at least ${formatBytes(now.usage)}`);
    }
  }
  if (knob.resource === 'pids' && now.usage !== null && value < now.usage) {
    throw new AgentFailure(ErrorCodes.NotPermitted, `${c.name} has ${now.usage} processes now; a pids limit of ${value} below that would refuse every fork: give at least ${now.usage}`);
  }
  if (knob.resource === 'cpu') {
    const cpus = os.cpus().length;
    if (value > cpus) throw new AgentFailure(ErrorCodes.InvalidParams, `the node has ${cpus} CPUs; a limit of ${value} CPUs is more than it can give`);
    const quota = Math.round(value * periodOf(d));
    if (quota < MIN_QUOTA_US) throw new AgentFailure(ErrorCodes.InvalidParams, `${value} CPUs is a quota of ${quota} µs per ${periodOf(d)} µs period; the kernel's minimum is ${MIN_QUOTA_US} µs`);
  }
}

/** Every PID in the cgroup and the cgroups below it (a limit applies to the whole subtree). */
function pidsUnder(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string, depth: number): void => {
    let procs = '';
    try {
      procs = fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8');
    } catch {
      return; // removed meanwhile
    }
    for (const l of procs.split('\n')) if (l) out.push(Number(l));
    if (depth > 32) return;
    let kids: fs.Dirent[] = [];
    try {
      kids = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const k of kids) if (k.isDirectory()) walk(path.join(d, k.name), depth + 1);
  };
  walk(dir, 0);
  return out;
}

/**
 * Is this process the container's? Its pid namespace says so; or its mount namespace, for `--pid host`
 * containers and for the launcher an `unshare --pid --mount --fork` leaves in the host's pid namespace.
 */
function belongsTo(c: ContainerInfo, pid: number): boolean | null {
  for (const type of ['pid', 'mnt'] as const) {
    const want = c.namespaces[type];
    if (want === null || c.sharesHostNamespaces.includes(type)) continue;
    try {
      if (fs.statSync(`/proc/${pid}/ns/${type}`).ino === want) return true;
    } catch (err) {
      // Exited since cgroup.procs was read; anything else leaves it unproven, so not the container's.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return null;
      return false;
    }
  }
  return false;
}

function commOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** The cgroup must be the container's alone: not the root, and no process of anything else in it. */
function checkOwnCgroup(c: ContainerInfo, knob: Knob, d: ControllerDir): void {
  if (d.path === '/') {
    throw new AgentFailure(ErrorCodes.NotPermitted, `${c.name} is in the node's root ${knob.controller} cgroup: a limit there would not be its own`);
  }
  const others = pidsUnder(d.dir).filter((p) => belongsTo(c, p) === false);
  if (others.length) {
    throw new AgentFailure(
      ErrorCodes.NotPermitted,
      `${c.name}'s ${knob.controller} cgroup ${d.path} also holds ${others.length} process${others.length === 1 ? '' : 'es'} that ${others.length === 1 ? 'is' : 'are'} not its own (pid ${others[0]}, ${commOf(others[0])}): a limit there would apply to them too`,
    );
  }
}

const ENGINE_RECORDS: Partial<Record<Runtime, string>> = {
  docker: 'Docker still records the old limits (docker inspect) and sets them again when the container restarts',
  containerd: 'containerd still records the old limits in the container spec and sets them again when the task restarts',
  kubernetes: 'the kubelet still holds the pod spec\'s limits and may set them again; a restarted container gets the spec\'s',
  podman: 'podman still records the old limits (podman inspect) and sets them again when the container restarts',
  'cri-o': 'the kubelet still holds the pod spec\'s limits and may set them again; a restarted container gets the spec\'s',
};

function notesFor(c: ContainerInfo, planned: { knob: Knob; dir: ControllerDir }[]): string[] {
  const notes: string[] = ['written to the cgroup directly: it lasts while the cgroup does'];
  const engine = ENGINE_RECORDS[c.runtime];
  if (engine) notes.push(engine);
  const mem = planned.find((p) => p.knob === memory);
  if (mem) {
    const swapFile = mem.dir.version === 'v1' ? 'memory.memsw.limit_in_bytes' : 'memory.swap.max';
    const swap = quiet(mem.dir, swapFile);
    const swapLimit = swap === null ? null : mem.dir.version === 'v1' ? u64(swap, '', noProblems(), true) : maxOrNumber(swap, '', noProblems());
    if (swap !== null && swapLimit !== null) {
      notes.push(mem.dir.version === 'v1' ? `memory+swap stays limited to ${formatBytes(swapLimit)} (${swapFile})` : `swap stays limited to ${formatBytes(swapLimit)} (${swapFile})`);
    }
  }
  return notes;
}

/** Why the kernel refused a write, in words: v1's memory+swap ceiling and failed reclaim have their own. */
function kernelRefusal(c: ContainerInfo, knob: Knob, d: ControllerDir, value: number | null, err: NodeJS.ErrnoException): string {
  const file = fileOf({ knob, dir: d });
  if (knob === memory && d.version === 'v1' && err.code === 'EINVAL') {
    const memsw = u64(quiet(d, 'memory.memsw.limit_in_bytes'), '', noProblems(), true);
    if (memsw !== null && (value === null || value > memsw)) {
      return `the kernel refuses a memory limit above ${c.name}'s memory+swap limit of ${formatBytes(memsw)} (memory.memsw.limit_in_bytes)`;
    }
  }
  if (knob === memory && err.code === 'EBUSY') return `the kernel could not reclaim ${c.name}'s memory down to ${formatBytes(value)}`;
  return `${file}: the kernel refused ${formatLimit(knob.unit, value)} (${err.code ?? err.message})`;
}

/** A knob's files as they are now; a file the kernel does not offer is a one-line refusal, not a crash. */
function readNow(knob: Knob, dir: ControllerDir): Reading {
  try {
    return knob.read(dir);
  } catch (err) {
    if (err instanceof AgentFailure) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new AgentFailure(ErrorCodes.Unsupported, `${e.path ?? dir.dir}: cannot read the ${knob.resource} limit (${e.code ?? e.message})`);
  }
}

/** The cgroups of the container's init as they are now (the snapshot's may be a second old). */
export function cgroupLinesNow(c: ContainerInfo, initPid: number): CgroupLine[] {
  try {
    return parseCgroupFile(fs.readFileSync(`/proc/${initPid}/cgroup`, 'utf8'));
  } catch {
    throw new AgentFailure(ErrorCodes.Gone, `process ${initPid} of ${c.name} is gone; refresh and try again`);
  }
}

export interface LimitOptions {
  /** Called once writing was tried (not for a dry run, nor for a request refused before writing). */
  audit?: (r: LimitAudit) => void;
  /** The cgroupfs mount root (unit tests point it at trees in the kernel's file formats). */
  root?: string;
}

/**
 * Checks a request against the container as it is now and, unless a dry run, writes it; on any failure
 * what was already written is put back. `lines` are its init's cgroups, read now (cgroupLinesNow).
 */
export function setLimits(c: ContainerInfo, lines: CgroupLine[], params: LimitParams, opts: LimitOptions = {}): LimitResult {
  const audit = opts.audit ?? (() => undefined);
  const wanted = KNOBS.map(([key, knob]) => ({ knob, value: requested(params, key) })).filter((w) => w.value !== undefined) as { knob: Knob; value: number | null }[];
  if (!wanted.length) throw new AgentFailure(ErrorCodes.InvalidParams, 'give at least one of "memoryBytes", "pidsMax", "cpus"');

  const planned = wanted.map(({ knob, value }) => {
    const dir = controllerDir(lines, knob.controller, opts.root);
    if (!dir) throw new AgentFailure(ErrorCodes.Unsupported, `the ${knob.controller} controller is not available for ${c.name} (not mounted, or not enabled in its cgroup)`);
    checkOwnCgroup(c, knob, dir);
    const now = readNow(knob, dir);
    checkValue(c, knob, value, now, dir);
    return { knob, value, dir, now, text: knob.encode(value, dir) };
  });

  const done: typeof planned = [];
  for (const p of params.dryRun ? [] : planned) {
    try {
      fs.writeFileSync(fileOf(p), p.text);
      done.push(p);
    } catch (err) {
      const why = kernelRefusal(c, p.knob, p.dir, p.value, err as NodeJS.ErrnoException);
      const message = `${why}${done.length ? `; ${rollBack(done)}` : '; nothing was changed'}`;
      audit({ changes: [...done, p].map((q) => ({ file: fileOf(q), before: q.now.limit, after: q.value })), outcome: message });
      throw new AgentFailure(ErrorCodes.NotPermitted, message);
    }
  }

  const changes: LimitChange[] = planned.map((p) => ({
    resource: p.knob.resource,
    file: fileOf(p),
    unit: p.knob.unit,
    before: p.now.limit,
    // Read back: the kernel rounds (v1 memory to whole pages) and this is what holds now.
    after: params.dryRun ? p.value : readNow(p.knob, p.dir).limit,
    usage: p.now.usage,
  }));
  if (!params.dryRun) audit({ changes: changes.map(({ file, before, after }) => ({ file, before, after })), outcome: 'applied' });
  const first = planned[0].dir;
  return { container: c.id, name: c.name, cgroup: { version: first.version, path: first.path }, applied: !params.dryRun, changes, notes: notesFor(c, planned) };
}

/** What setLimits hands the audit log once it has tried to write. */
export interface LimitAudit {
  changes: { file: string; before: number | null; after: number | null }[];
  outcome: string;
}

const fileOf = (p: { knob: Knob; dir: ControllerDir }): string => path.join(p.dir.dir, p.knob.file(p.dir.version));

/** Writes back what was there, newest first; says whether that worked, for the error line. */
function rollBack(done: { knob: Knob; dir: ControllerDir; now: Reading }[]): string {
  const failed: string[] = [];
  for (const p of [...done].reverse()) {
    const file = fileOf(p);
    try {
      fs.writeFileSync(file, p.now.restore);
    } catch (err) {
      failed.push(`${file} (${(err as NodeJS.ErrnoException).code})`);
    }
  }
  const names = done.map((p) => p.knob.resource).join(' and ');
  return failed.length ? `the ${names} limit already written could NOT be put back: ${failed.join(', ')}` : `the ${names} limit already written was put back`;
}
