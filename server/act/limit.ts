/**
 * Live limits: a container's memory, pids and CPU limits changed in its cgroup while it runs, as
 * `runc update` does, on v1 and v2 (the files: limitKnobs.ts).
 *
 * What is refused before anything is written, and why:
 *  - a cgroup that is the node's root or also holds processes of something else (a CI runner's session
 *    scope a bare container was unshared in): the limit would land on them too (cgroupOwnership.ts);
 *  - a limit below what the container uses now: memory would be reclaimed or OOM-killed, forks refused
 *    (runc's own tests keep such updates from passing silently);
 *  - more CPUs than the node has, a quota under the kernel's 1 ms minimum.
 * What the kernel refuses anyway (v1's memory limit above memory+swap, memory it cannot reclaim, a CPU
 * quota above a parent's) rolls back whatever this request already wrote, so a failed request leaves the
 * cgroup as it found it. What holds afterwards is read back from the kernel, and a parent cgroup that
 * still caps a raised limit is said, so the person is never shown a limit that does not bind.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCodes, type ContainerInfo, type LimitChange, type LimitParams, type LimitResult, type Runtime } from '../protocol';
import { refuse } from '../failure';
import { AgentError } from '../agentError';
import { controllerDir, type ControllerDir } from '../discover/cgroups';
import { parseCgroupFile, type CgroupLine } from '../discover/procfs';
import { pageSize } from '../sys/pagecache';
import { formatBytes, formatBytesAtLeast, formatLimit, plural } from '../units';
import { checkOwnCgroup } from './cgroupOwnership';
import { cpu, KNOBS, memory, periodOf, tightestAbove, type Knob, type Reading } from './limitKnobs';

/** The kernel's smallest CFS quota (sched-bwc.rst: 1 ms). */
const MIN_QUOTA_US = 1000;

/** What setLimits hands the audit log once it has tried to write. */
export interface LimitAudit {
  /** Per file: the limit before, the one asked for, and the one that holds now as read back (null: unlimited, or not known when the outcome or read-back failed). */
  changes: { file: string; before: number | null; requested: number | null; after: number | null }[];
  outcome: string;
}

export interface LimitOptions {
  /** Called once writing was tried (not for a dry run, nor for a request refused before writing). */
  audit?: (r: LimitAudit) => void;
  /** The cgroupfs mount root (unit tests point it at trees in the kernel's file formats). */
  root?: string;
}

interface Planned {
  knob: Knob;
  value: number | null;
  dir: ControllerDir;
  now: Reading;
  text: string;
}

const fileOf = (p: { knob: Knob; dir: ControllerDir }): string => path.join(p.dir.dir, p.knob.file(p.dir.version));

/** The cgroups of the container's init as they are now (the snapshot's may be a second old). */
export function cgroupLinesNow(c: ContainerInfo, initPid: number): CgroupLine[] {
  try {
    return parseCgroupFile(fs.readFileSync(`/proc/${initPid}/cgroup`, 'utf8'));
  } catch {
    throw refuse(ErrorCodes.Gone, `process ${initPid} of ${c.name} is gone; refresh and try again`);
  }
}

/** The requested value of one limit, checked as a number; undefined = leave it alone, null = none. */
export function requestedLimit(params: Partial<Record<keyof typeof KNOBS, unknown>>, key: keyof typeof KNOBS): number | null | undefined {
  const v = params[key];
  if (v === undefined || v === null) return v;
  // -1 is v1's and docker's "no limit"; here it is refused like any other non-positive number: null says it.
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw refuse(
      ErrorCodes.InvalidParams,
      `"${key}" must be a positive number or null (no limit)${v === -1 ? '; -1 does not mean no limit here' : ''}`,
    );
  if (key !== 'cpus' && !Number.isSafeInteger(v)) throw refuse(ErrorCodes.InvalidParams, `"${key}" must be a whole number`);
  return v;
}

/** Runs a step on a knob's files; a raw error from the filesystem becomes one line that names the file. */
function onFiles<T>(knob: Knob, dir: ControllerDir, step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof AgentError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw refuse(ErrorCodes.Unsupported, `${e.path ?? dir.dir}: cannot read the ${knob.resource} limit (${e.code ?? e.message})`);
  }
}

/**
 * Checks a new limit against the node and what is in use now (null: nothing yet, as for a container
 * about to be launched); a refusal says what would work. `periodUs`: the CFS period the quota is over.
 */
export function checkLimitValue(
  resource: Knob['resource'],
  value: number | null,
  usage: number | null,
  periodUs: number,
  name: string,
): void {
  if (value === null) return;
  if (resource === 'memory') {
    const page = pageSize() ?? 4096;
    if (value < page)
      throw refuse(ErrorCodes.InvalidParams, `a memory limit of ${formatBytes(value)} is less than one page (${formatBytes(page)})`);
    if (usage !== null && value < usage) {
      throw refuse(
        ErrorCodes.NotPermitted,
        `${name} uses ${formatBytes(usage)} now; a memory limit of ${formatBytes(value)} below that would make the kernel reclaim or OOM-kill: give at least ${formatBytesAtLeast(usage)}`,
      );
    }
  }
  if (resource === 'pids' && usage !== null && value < usage) {
    throw refuse(
      ErrorCodes.NotPermitted,
      `${name} has ${plural(usage, 'task')} (processes and threads) now; a pids limit of ${value} below that would refuse every fork: give at least ${usage}`,
    );
  }
  if (resource === 'cpu') {
    const cpus = os.cpus().length;
    if (value > cpus)
      throw refuse(
        ErrorCodes.InvalidParams,
        `the node has ${plural(cpus, 'CPU')}; a limit of ${plural(value, 'CPU')} is more than it can give`,
      );
    const quota = Math.round(value * periodUs);
    if (quota < MIN_QUOTA_US)
      throw refuse(
        ErrorCodes.InvalidParams,
        `${plural(value, 'CPU')} is a quota of ${quota} µs per ${periodUs} µs period; the kernel's minimum is ${MIN_QUOTA_US} µs`,
      );
  }
}

const ENGINE_RECORDS: Partial<Record<Runtime, string>> = {
  docker: 'Docker still records the old limits (docker inspect) and sets them again when the container restarts',
  containerd: 'containerd still records the old limits in the container spec and sets them again when the task restarts',
  kubernetes: "the kubelet still holds the pod spec's limits and may set them again; a restarted container gets the spec's",
  podman: 'podman still records the old limits (podman inspect) and sets them again when the container restarts',
  'cri-o': "the kubelet still holds the pod spec's limits and may set them again; a restarted container gets the spec's",
};

function notesFor(c: ContainerInfo, planned: Planned[]): string[] {
  const notes: string[] = ['written to the cgroup directly: it lasts while the cgroup does'];
  const engine = ENGINE_RECORDS[c.runtime];
  if (engine) notes.push(engine);
  for (const p of planned) {
    // A parent's limit still binds when it is tighter than the new one.
    const above = tightestAbove(p.knob, p.dir);
    if (above && (p.value === null || p.value > above.limit)) {
      notes.push(`${above.path} above it limits ${p.knob.resource} to ${formatLimit(p.knob.unit, above.limit)}: that still caps ${c.name}`);
    }
  }
  const mem = planned.find((p) => p.knob === memory);
  if (mem) {
    const swapFile = mem.dir.version === 'v1' ? 'memory.memsw.limit_in_bytes' : 'memory.swap.max';
    const swap = swapLimit(mem.dir, swapFile);
    if (swap !== null)
      notes.push(`${mem.dir.version === 'v1' ? 'memory+swap' : 'swap'} stays limited to ${formatBytes(swap)} (${swapFile})`);
  }
  return notes;
}

/** The memory+swap (v1) or swap (v2) limit in bytes; null when unlimited ("max", v1's near LONG_MAX) or absent. */
function swapLimit(d: ControllerDir, file: string): number | null {
  try {
    const t = fs.readFileSync(path.join(d.dir, file), 'utf8').trim();
    return /^\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : null;
  } catch {
    return null;
  }
}

/** Why the kernel refused a write, in words: v1's memory+swap ceiling and failed reclaim have their own. */
function kernelRefusal(c: ContainerInfo, p: Planned, err: NodeJS.ErrnoException): string {
  if (p.knob === memory && p.dir.version === 'v1' && err.code === 'EINVAL') {
    const memsw = swapLimit(p.dir, 'memory.memsw.limit_in_bytes');
    if (memsw !== null && (p.value === null || p.value > memsw)) {
      return `the kernel refuses a memory limit above ${c.name}'s memory+swap limit of ${formatBytes(memsw)} (memory.memsw.limit_in_bytes)`;
    }
  }
  if (p.knob === memory && err.code === 'EBUSY') return `the kernel could not reclaim ${c.name}'s memory down to ${formatBytes(p.value)}`;
  return `${fileOf(p)}: the kernel refused ${formatLimit(p.knob.unit, p.value)} (${err.code ?? err.message})`;
}

/** Writes back what was there, newest first; returns the files that could not be put back. */
function rollBack(done: Planned[]): Set<Planned> {
  const failed = new Set<Planned>();
  for (const p of [...done].reverse()) {
    try {
      fs.writeFileSync(fileOf(p), p.now.restore);
    } catch {
      failed.add(p);
    }
  }
  return failed;
}

/**
 * Checks a request against the container as it is now and, unless a dry run, writes it; on any failure
 * what was already written is put back. `lines` are its init's cgroups, read now (cgroupLinesNow).
 */
export function setLimits(c: ContainerInfo, lines: CgroupLine[], params: LimitParams, opts: LimitOptions = {}): LimitResult {
  const audit = opts.audit ?? (() => undefined);
  const wanted = (Object.keys(KNOBS) as (keyof typeof KNOBS)[])
    .map((key) => ({ knob: KNOBS[key], value: requestedLimit(params, key) }))
    .filter((w): w is { knob: Knob; value: number | null } => w.value !== undefined);
  if (!wanted.length) throw refuse(ErrorCodes.InvalidParams, 'give at least one of "memoryBytes", "pidsMax", "cpus"');

  // On v2 the three limits share one cgroup: whose processes it holds is looked at once.
  const owned = new Set<string>();
  const planned: Planned[] = wanted.map(({ knob, value }) => {
    const dir = controllerDir(lines, knob.controller, opts.root);
    if (!dir)
      throw refuse(
        ErrorCodes.Unsupported,
        `the ${knob.controller} controller is not available for ${c.name} (not mounted, or not enabled in its cgroup)`,
      );
    if (!owned.has(dir.dir)) checkOwnCgroup(c, knob.controller, dir);
    owned.add(dir.dir);
    return onFiles(knob, dir, () => {
      const now = knob.read(dir);
      checkLimitValue(knob.resource, value, now.usage, knob === cpu ? periodOf(dir) : 0, c.name);
      return { knob, value, dir, now, text: knob.encode(value, dir) };
    });
  });

  if (!params.dryRun) {
    const done: Planned[] = [];
    for (const p of planned) {
      try {
        fs.writeFileSync(fileOf(p), p.text);
        done.push(p);
      } catch (err) {
        const why = kernelRefusal(c, p, err as NodeJS.ErrnoException);
        const failed = rollBack(done);
        const names = done.map((q) => q.knob.resource).join(' and ');
        const undone = !done.length
          ? 'nothing was changed'
          : failed.size
            ? `the ${names} limit already written could NOT be put back: ${[...failed].map(fileOf).join(', ')}`
            : `the ${names} limit already written was put back`;
        const message = `${why}; ${undone}`;
        audit({
          changes: [...done, p].map((q) => ({
            file: fileOf(q),
            before: q.now.limit,
            requested: q.value,
            after: failed.has(q) ? null : q.now.limit,
          })),
          outcome: message,
        });
        throw refuse(ErrorCodes.NotPermitted, message);
      }
    }
  }

  const notes = notesFor(c, planned);
  const changes: LimitChange[] = planned.map((p) => {
    let after: number | null = p.value;
    let readBack = false;
    if (!params.dryRun) {
      // Read back: the kernel rounds memory down to whole pages, and this is what holds now.
      try {
        after = p.knob.read(p.dir).limit;
        readBack = true;
      } catch (err) {
        notes.push(
          `${fileOf(p)} could not be read back (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ${formatLimit(p.knob.unit, p.value)} was written, what holds now is not known`,
        );
      }
    }
    return { resource: p.knob.resource, file: fileOf(p), unit: p.knob.unit, before: p.now.limit, after, readBack, usage: p.now.usage };
  });
  if (!params.dryRun)
    audit({
      changes: changes.map((ch, i) => ({
        file: ch.file,
        before: ch.before,
        requested: planned[i].value,
        after: ch.readBack ? ch.after : null,
      })),
      outcome: 'applied',
    });
  const first = planned[0].dir;
  return { container: c.id, name: c.name, cgroup: { version: first.version, path: first.path }, applied: !params.dryRun, changes, notes };
}
