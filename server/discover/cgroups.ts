/**
 * cgroup limits and usage for one process's cgroups, on v1, v2 and hybrid hosts.
 *
 * File formats: Documentation/admin-guide/cgroup-v1/{memory,cpuacct,pids,blkio-controller}.rst and
 * Documentation/admin-guide/cgroup-v2.rst. On a hybrid host (v1 controllers at /sys/fs/cgroup/<ctrl>,
 * a cgroup2 at /sys/fs/cgroup/unified with almost no controllers) the limits live in v1; the unified
 * tree still carries PSI files, so pressure comes from there.
 *
 * The paths in /proc/PID/cgroup are relative to the reader's cgroup namespace root. The agent runs in
 * the host's cgroup namespace, so they are relative to the hierarchy roots we read.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CgroupInfo, CgroupVersion, Pressure, PressureLine, Problem } from '../protocol';
import { MOUNTINFO_MAX_BYTES, readWholeLines } from './mountinfo';

export interface CgroupLine {
  id: number;
  controllers: string[];
  path: string;
}

/** v1 + cgroup2 both mounted → hybrid; one of them → that one. */
export function detectCgroupVersion(mountsFile = '/proc/self/mounts'): CgroupVersion {
  let text = '';
  try {
    // Bounded like every mount table; the cgroup mounts are made at boot and come first.
    text = readWholeLines(mountsFile, MOUNTINFO_MAX_BYTES).text;
  } catch {
    // fall through to the layout probe below
  }
  const types = new Set(text.split('\n').map((l) => l.split(' ')[2]));
  const v1 = types.has('cgroup');
  const v2 = types.has('cgroup2');
  if (v1 && v2) return 'hybrid';
  if (v2) return 'v2';
  if (v1) return 'v1';
  return fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1';
}

type Reader = (file: string) => string | null;

/**
 * Reads cgroup files under one directory. A missing file is recorded as a Problem only when its
 * directory still exists (the kernel lacks the file, or the controller is off there); a whole directory
 * gone means the cgroup was removed mid-scan, which is normal churn and not a problem.
 */
function dirReader(dir: string, problems: Problem[], isRoot = false): Reader {
  return (file) => {
    const full = path.join(dir, file);
    try {
      return fs.readFileSync(full, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !fs.existsSync(dir)) return null;
      // The root cgroup has no limit files by design (pids.max, memory.max, cpu.max...): no limit.
      if (code === 'ENOENT' && isRoot) return null;
      problems.push({
        source: full,
        message: code === 'ENOENT' ? 'not present (kernel or controller does not provide it)' : `unreadable (${code})`,
      });
      return null;
    }
  };
}

/** LONG_MAX: the kernel's page_counter maximum is LONG_MAX / PAGE_SIZE pages. */
const LONG_MAX = (1n << 63n) - 1n;
/** The largest page size Linux uses (arm64 64 KiB pages). */
const MAX_PAGE = 65536n;

/** v1's "unlimited" limit: within one page of LONG_MAX, whatever the page size (see u64). */
export function isV1Unlimited(text: string): boolean {
  if (!/^\d+$/.test(text)) return false;
  const big = BigInt(text);
  return big <= LONG_MAX && LONG_MAX - big < MAX_PAGE;
}

/**
 * An unsigned counter as a JS number; null when it cannot be represented exactly (a wrong number is
 * worse than none). `unlimitedNearMax` recognises v1's "unlimited" limit, which the kernel prints as
 * PAGE_COUNTER_MAX * PAGE_SIZE (9223372036854771712 with 4 KiB pages): anything within one page of
 * LONG_MAX is that value, whatever the page size.
 */
function u64(text: string | null | undefined, source: string, problems: Problem[], unlimitedNearMax = false): number | null {
  if (text == null) return null;
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const big = BigInt(t);
  if (unlimitedNearMax && isV1Unlimited(t)) return null;
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
    problems.push({ source, message: `value ${t} exceeds 2^53; not representable exactly` });
    return null;
  }
  return Number(big);
}

/** `max` → null (unlimited), a number → that number. */
function maxOrNumber(text: string | null, source: string, problems: Problem[]): number | null {
  if (text == null) return null;
  const t = text.trim();
  if (t === 'max') return null;
  return u64(t, source, problems);
}

/** Flat `key value` files: memory.stat, memory.events, cpu.stat, memory.oom_control. */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\d+)$/.exec(line.trim());
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** `some avg10=0.00 avg60=0.00 avg300=0.00 total=0` (+ optional `full` line). */
export function parsePressure(text: string | null): Pressure | null {
  if (text == null) return null;
  const lines: Record<string, PressureLine> = {};
  for (const line of text.split('\n')) {
    const m = /^(some|full) avg10=([\d.]+) avg60=([\d.]+) avg300=([\d.]+) total=(\d+)$/.exec(line.trim());
    if (m) lines[m[1]] = { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), total: Number(m[5]) };
  }
  if (!lines.some) return null;
  return { some: lines.some, full: lines.full ?? null };
}

type IoLimit = NonNullable<CgroupInfo['io']>['limits'][number];

/** v2 io.max: `8:16 rbps=2097152 wbps=max riops=max wiops=120`. */
export function parseIoMax(text: string): IoLimit[] {
  const out: IoLimit[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (!/^\d+:\d+$/.test(parts[0] ?? '')) continue;
    const limit: IoLimit = { device: parts[0], rbps: null, wbps: null, riops: null, wiops: null };
    for (const kv of parts.slice(1)) {
      const [k, v] = kv.split('=');
      if ((k === 'rbps' || k === 'wbps' || k === 'riops' || k === 'wiops') && v !== 'max') limit[k] = Number(v);
    }
    out.push(limit);
  }
  return out;
}

/** v1 blkio.throttle.{read,write}_{bps,iops}_device: one `major:minor value` line per limited device. */
function v1IoLimits(read: Reader): IoLimit[] {
  const byDevice = new Map<string, IoLimit>();
  const files: [string, keyof Omit<IoLimit, 'device'>][] = [
    ['blkio.throttle.read_bps_device', 'rbps'],
    ['blkio.throttle.write_bps_device', 'wbps'],
    ['blkio.throttle.read_iops_device', 'riops'],
    ['blkio.throttle.write_iops_device', 'wiops'],
  ];
  for (const [file, key] of files) {
    for (const line of (read(file) ?? '').split('\n')) {
      const m = /^(\d+:\d+)\s+(\d+)$/.exec(line.trim());
      if (!m) continue;
      const entry = byDevice.get(m[1]) ?? { device: m[1], rbps: null, wbps: null, riops: null, wiops: null };
      entry[key] = Number(m[2]);
      byDevice.set(m[1], entry);
    }
  }
  return [...byDevice.values()];
}

/** Bytes read and written, summed over devices; each null when the file says nothing about it. */
export interface IoBytes {
  readBytes: number | null;
  writeBytes: number | null;
}

/** The counters only grow, so a sum that ends within 2^53 was exact all along; past it, unknown, not rounded. */
function exact(sum: number | null): number | null {
  return sum === null || Number.isSafeInteger(sum) ? sum : null;
}

/** v2 io.stat: `8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0` per device. */
export function parseIoStat(text: string): IoBytes {
  let readBytes: number | null = null;
  let writeBytes: number | null = null;
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (!/^\d+:\d+$/.test(parts[0] ?? '')) continue;
    for (const kv of parts.slice(1)) {
      const m = /^(rbytes|wbytes)=(\d+)$/.exec(kv);
      if (m && m[1] === 'rbytes') readBytes = (readBytes ?? 0) + Number(m[2]);
      if (m && m[1] === 'wbytes') writeBytes = (writeBytes ?? 0) + Number(m[2]);
    }
  }
  return { readBytes: exact(readBytes), writeBytes: exact(writeBytes) };
}

/**
 * v1 blkio.*io_service_bytes*: `8:0 Read 4096` … per device and operation, then `Total N`. A cgroup that
 * did no I/O has only `Total 0`: that is 0 bytes each way, not unknown.
 */
export function parseIoServiceBytes(text: string): IoBytes {
  let readBytes: number | null = null;
  let writeBytes: number | null = null;
  let sawTotal = false;
  for (const line of text.split('\n')) {
    const m = /^(\d+:\d+) (Read|Write) (\d+)$/.exec(line.trim());
    if (m && m[2] === 'Read') readBytes = (readBytes ?? 0) + Number(m[3]);
    if (m && m[2] === 'Write') writeBytes = (writeBytes ?? 0) + Number(m[3]);
    if (/^Total \d+$/.test(line.trim())) sawTotal = true;
  }
  return sawTotal
    ? { readBytes: exact(readBytes ?? 0), writeBytes: exact(writeBytes ?? 0) }
    : { readBytes: exact(readBytes), writeBytes: exact(writeBytes) };
}

/** The directory of a v1 controller: `cpu,cpuacct` co-mounts and `name=systemd` named hierarchies too. */
function v1Dir(root: string, line: CgroupLine, controller: string): string | null {
  const candidates = [line.controllers.join(','), controller, controller.replace(/^name=/, '')];
  for (const c of candidates) {
    const dir = path.join(root, c);
    if (fs.existsSync(dir)) return path.join(dir, line.path);
  }
  return null;
}

/** The cgroup2 mount: the root itself on a pure v2 host, `<root>/unified` on a hybrid one. */
function v2Root(root: string): string | null {
  if (fs.existsSync(path.join(root, 'cgroup.controllers'))) return root;
  const unified = path.join(root, 'unified');
  return fs.existsSync(path.join(unified, 'cgroup.controllers')) ? unified : null;
}

function pressureFrom(read: Reader | null): CgroupInfo['pressure'] {
  if (!read) return null;
  const p = {
    cpu: parsePressure(read('cpu.pressure')),
    memory: parsePressure(read('memory.pressure')),
    io: parsePressure(read('io.pressure')),
  };
  return p.cpu || p.memory || p.io ? p : null;
}

/** PSI files are optional (CONFIG_PSI, psi=0 on the command line): their absence is not a problem. */
function quietReader(dir: string): Reader {
  return (file) => {
    try {
      return fs.readFileSync(path.join(dir, file), 'utf8');
    } catch {
      return null;
    }
  };
}

function readV1(lines: CgroupLine[], v2Line: CgroupLine | undefined, problems: Problem[], root: string): CgroupInfo {
  const lineFor = (c: string) => lines.find((l) => l.controllers.includes(c));
  const paths: Record<string, string> = {};
  for (const l of lines) for (const c of l.controllers) paths[c] = l.path;
  const readerFor = (c: string): Reader | null => {
    const line = lineFor(c);
    const dir = line ? v1Dir(root, line, c) : null;
    return dir ? dirReader(dir, problems, line?.path === '/') : null;
  };
  const dirOf = (c: string) => {
    const line = lineFor(c);
    return (line && v1Dir(root, line, c)) ?? c;
  };

  const mem = readerFor('memory');
  let memory: CgroupInfo['memory'] = null;
  if (mem) {
    const md = dirOf('memory');
    const statText = mem('memory.stat');
    const stat = statText ? parseKeyValues(statText) : {};
    const oom = mem('memory.oom_control');
    memory = {
      limitBytes: u64(mem('memory.limit_in_bytes'), `${md}/memory.limit_in_bytes`, problems, true),
      usageBytes: u64(mem('memory.usage_in_bytes'), `${md}/memory.usage_in_bytes`, problems),
      peakBytes: u64(mem('memory.max_usage_in_bytes'), `${md}/memory.max_usage_in_bytes`, problems),
      // total_* include descendants (like v2's hierarchical numbers); plain cache/rss on old kernels.
      fileBytes: statText ? (stat.total_cache ?? stat.cache ?? null) : null,
      anonBytes: statText ? (stat.total_rss ?? stat.rss ?? null) : null,
      // v1 has no count of OOM events (under_oom is a state, not a counter); only oom_kill (4.13+).
      oomEvents: null,
      oomKills: oom ? (parseKeyValues(oom).oom_kill ?? null) : null,
      stat,
    };
  }

  const cpuR = readerFor('cpu');
  const acct = readerFor('cpuacct');
  let cpu: CgroupInfo['cpu'] = null;
  if (cpuR || acct) {
    const quota = cpuR?.('cpu.cfs_quota_us')?.trim();
    const usageNs = acct ? u64(acct('cpuacct.usage'), `${dirOf('cpuacct')}/cpuacct.usage`, problems) : null;
    cpu = {
      // -1 is "no quota".
      quotaUs: quota == null || quota === '-1' ? null : Number(quota),
      periodUs: cpuR ? u64(cpuR('cpu.cfs_period_us'), `${dirOf('cpu')}/cpu.cfs_period_us`, problems) : null,
      shares: cpuR ? u64(cpuR('cpu.shares'), `${dirOf('cpu')}/cpu.shares`, problems) : null,
      weight: null,
      usageUsec: usageNs === null ? null : Math.floor(usageNs / 1000),
    };
  }

  const pidsR = readerFor('pids');
  const pids = pidsR
    ? {
        max: maxOrNumber(pidsR('pids.max'), `${dirOf('pids')}/pids.max`, problems),
        current: u64(pidsR('pids.current'), `${dirOf('pids')}/pids.current`, problems),
      }
    : null;

  const blkio = readerFor('blkio');
  // v1 keeps byte counts only in blk-throttle (the bfq ones need bfq as the scheduler), and throttle counts
  // only a cgroup with a throttle rule: measured on 6.18, 1 MiB of O_DIRECT writes in a Docker container left
  // `Total 0` without --device-write-bps and 1048576 with it. Without a rule the counts are unknown, not 0.
  let io: CgroupInfo['io'] = null;
  if (blkio) {
    const limits = v1IoLimits(blkio);
    // Quietly: a count the kernel does not offer is unknown, not a problem with the limits read above.
    const serviced = limits.length > 0 ? quietReader(dirOf('blkio'))('blkio.throttle.io_service_bytes_recursive') : null;
    io = { limits, ...(serviced != null ? parseIoServiceBytes(serviced) : { readBytes: null, writeBytes: null }) };
  }

  const v2 = v2Line ? v2Root(root) : null;
  const pressure = v2 && v2Line ? pressureFrom(quietReader(path.join(v2, v2Line.path))) : null;

  return { version: 'v1', path: lineFor('memory')?.path ?? lines[0].path, paths, memory, cpu, pids, io, pressure };
}

function readV2(line: CgroupLine, problems: Problem[], root: string): CgroupInfo | null {
  const base = v2Root(root);
  if (!base) {
    problems.push({ source: root, message: 'no cgroup2 hierarchy found (no cgroup.controllers here or in unified/)' });
    return null;
  }
  const dir = path.join(base, line.path);
  if (!fs.existsSync(dir)) return null; // removed mid-scan
  // Which controllers are enabled for this cgroup decides which files exist; only read those.
  const enabled = new Set((quietReader(dir)('cgroup.controllers') ?? '').trim().split(/\s+/).filter(Boolean));
  const read = dirReader(dir, problems, line.path === '/');
  const src = (f: string) => path.join(dir, f);

  let memory: CgroupInfo['memory'] = null;
  if (enabled.has('memory')) {
    const statText = read('memory.stat');
    const stat = statText ? parseKeyValues(statText) : {};
    const eventsText = read('memory.events');
    const events = eventsText ? parseKeyValues(eventsText) : null;
    memory = {
      limitBytes: maxOrNumber(read('memory.max'), src('memory.max'), problems),
      usageBytes: u64(read('memory.current'), src('memory.current'), problems),
      peakBytes: u64(read('memory.peak'), src('memory.peak'), problems), // kernel 5.19+
      fileBytes: statText ? (stat.file ?? null) : null,
      anonBytes: statText ? (stat.anon ?? null) : null,
      oomEvents: events?.oom ?? null,
      oomKills: events?.oom_kill ?? null,
      stat,
    };
  }

  // cpu.stat exists on every cgroup2 cgroup (usage without the cpu controller); cpu.max needs it.
  const cpuStat = read('cpu.stat');
  let quotaUs: number | null = null;
  let periodUs: number | null = null;
  let weight: number | null = null;
  if (enabled.has('cpu')) {
    const max = read('cpu.max')?.trim().split(/\s+/);
    if (max) {
      quotaUs = max[0] === 'max' ? null : Number(max[0]);
      periodUs = max[1] !== undefined ? Number(max[1]) : null;
    }
    weight = u64(read('cpu.weight'), src('cpu.weight'), problems);
  }
  const cpu: CgroupInfo['cpu'] = {
    quotaUs,
    periodUs,
    shares: null,
    weight,
    usageUsec: cpuStat ? (parseKeyValues(cpuStat).usage_usec ?? null) : null,
  };

  const pids = enabled.has('pids')
    ? { max: maxOrNumber(read('pids.max'), src('pids.max'), problems), current: u64(read('pids.current'), src('pids.current'), problems) }
    : null;
  const ioStat = enabled.has('io') ? quietReader(dir)('io.stat') : null;
  const io = enabled.has('io')
    ? { limits: parseIoMax(read('io.max') ?? ''), ...(ioStat != null ? parseIoStat(ioStat) : { readBytes: null, writeBytes: null }) }
    : null;

  return { version: 'v2', path: line.path, paths: { '': line.path }, memory, cpu, pids, io, pressure: pressureFrom(quietReader(dir)) };
}

/** A controller's directory for a process: where its limit files are read, and written by act/limit. */
export interface ControllerDir {
  version: 'v1' | 'v2';
  /** The cgroup path, relative to the hierarchy root. */
  path: string;
  dir: string;
}

/**
 * Where `controller`'s files are for a process with these cgroup lines, by the rule readCgroup reads
 * by: v1 whenever the process has v1 controller lines, else cgroup2 with the controller enabled there.
 * null: the controller is neither mounted nor enabled for it.
 */
export function controllerDir(lines: CgroupLine[], controller: string, root = '/sys/fs/cgroup'): ControllerDir | null {
  const v1Lines = lines.filter((l) => l.id !== 0 && l.controllers.some((c) => !c.startsWith('name=')));
  if (v1Lines.length > 0) {
    const line = v1Lines.find((l) => l.controllers.includes(controller));
    const dir = line && v1Dir(root, line, controller);
    return line && dir ? { version: 'v1', path: line.path, dir } : null;
  }
  const v2Line = lines.find((l) => l.id === 0 && l.controllers.length === 0);
  const base = v2Root(root);
  if (!v2Line || !base) return null;
  const dir = path.join(base, v2Line.path);
  const enabled = (quietReader(dir)('cgroup.controllers') ?? '').trim().split(/\s+/);
  return enabled.includes(controller) ? { version: 'v2', path: v2Line.path, dir } : null;
}

/**
 * The cgroup facts for one process, from its /proc/PID/cgroup lines. Limits come from v1 whenever the
 * process has v1 controller lines (v1 and hybrid hosts), else from v2. `root` is the cgroupfs mount
 * root (tests point it at fixture trees).
 */
export function readCgroup(lines: CgroupLine[] | null, problems: Problem[], root = '/sys/fs/cgroup'): CgroupInfo | null {
  if (!lines || lines.length === 0) return null;
  const v2Line = lines.find((l) => l.id === 0 && l.controllers.length === 0);
  // Named hierarchies like name=systemd carry no limits; only real controllers make a v1 reading.
  const v1Lines = lines.filter((l) => l.id !== 0 && l.controllers.some((c) => !c.startsWith('name=')));
  let info: CgroupInfo | null = null;
  if (v1Lines.length > 0)
    info = readV1(
      lines.filter((l) => l.id !== 0),
      v2Line,
      problems,
      root,
    );
  else if (v2Line) info = readV2(v2Line, problems, root);
  if (info) withoutHostUsage(info, lines, v2Line, problems);
  return info;
}

/**
 * A process left in the ROOT cgroup of a controller has no cgroup of its own there: the root's usage
 * counters (and PSI) are the whole host's. Reporting them as the container's would be a wrong number, so
 * they become null with the reason; limits stay as read (the root has none, which is true).
 */
function withoutHostUsage(info: CgroupInfo, lines: CgroupLine[], v2Line: CgroupLine | undefined, problems: Problem[]): void {
  const atRoot = (controller: string): boolean =>
    info.version === 'v2' ? v2Line?.path === '/' : lines.find((l) => l.controllers.includes(controller))?.path === '/';
  const note = (controller: string) =>
    problems.push({ source: `cgroup ${controller}`, message: "in the root cgroup: its usage is the whole host's, not this container's" });
  if (info.memory && atRoot('memory')) {
    Object.assign(info.memory, {
      usageBytes: null,
      peakBytes: null,
      fileBytes: null,
      anonBytes: null,
      oomEvents: null,
      oomKills: null,
      stat: {},
    });
    note('memory');
  }
  if (info.cpu && atRoot(info.version === 'v2' ? 'cpu' : 'cpuacct')) {
    info.cpu.usageUsec = null;
    note('cpu');
  }
  if (info.io && atRoot(info.version === 'v2' ? 'io' : 'blkio')) {
    Object.assign(info.io, { readBytes: null, writeBytes: null });
    note('io');
  }
  if (info.pids && atRoot('pids')) {
    info.pids.current = null;
    note('pids');
  }
  if (info.pressure && v2Line?.path === '/') info.pressure = null;
}

/**
 * readCgroup for one snapshot, read once per distinct set of cgroup lines: containers that share their
 * cgroups (every process a CI runner unshares lands in the runner's cgroup) get the same reading, with the
 * same problems. The kernel's numbers are the same for them within a snapshot; reading them again only
 * costs time. The returned objects are shared: callers must not change them.
 */
export function snapshotCgroupReader(root = '/sys/fs/cgroup'): (lines: CgroupLine[] | null, problems: Problem[]) => CgroupInfo | null {
  const seen = new Map<string, { info: CgroupInfo | null; problems: Problem[] }>();
  return (lines, problems) => {
    if (!lines) return readCgroup(lines, problems, root);
    const key = lines.map((l) => `${l.id}:${l.controllers.join(',')}:${l.path}`).join('\n');
    let hit = seen.get(key);
    if (!hit) {
      const own: Problem[] = [];
      hit = { info: readCgroup(lines, own, root), problems: own };
      seen.set(key, hit);
    }
    problems.push(...hit.problems);
    return hit.info;
  };
}
