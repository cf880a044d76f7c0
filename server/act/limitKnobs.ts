/**
 * The three live limits in both cgroup hierarchies: which file holds each, how its text reads, and what
 * text sets a new value. The formats are the kernel's: cgroup-v1/memory.rst (memory.limit_in_bytes,
 * "unlimited" printed as PAGE_COUNTER_MAX pages, -1 written to lift it), pids.rst (pids.max, "max"),
 * sched-bwc.rst (cpu.cfs_quota_us, -1 for none; cpu.cfs_period_us); cgroup-v2.rst (memory.max "max",
 * pids.max, cpu.max "QUOTA PERIOD" or "max PERIOD").
 *
 * A file whose text is not one of these forms is refused, never guessed at: reading an unknown value as
 * "unlimited" would make a rollback lift a limit.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCodes, type LimitChange, type LimitResource } from '../protocol';
import { refuse } from '../failure';
import { AgentError } from '../agentError';
import { isV1Unlimited, type ControllerDir } from '../discover/cgroups';

export interface Reading {
  /** In the knob's unit; null = unlimited. */
  limit: number | null;
  /** The file's text as read, written back on rollback. */
  restore: string;
  /** What is in use (bytes, tasks); null for cpu, which is not a level, or when the kernel does not say. */
  usage: number | null;
}

export interface Knob {
  resource: LimitResource;
  controller: string;
  unit: LimitChange['unit'];
  file(version: 'v1' | 'v2'): string;
  read(dir: ControllerDir): Reading;
  /** The text to write for `value` (in the knob's unit; null = unlimited). */
  encode(value: number | null, dir: ControllerDir): string;
}

function text(d: ControllerDir, file: string): string {
  return fs.readFileSync(path.join(d.dir, file), 'utf8').trim();
}

/** A usage counter, or null when the kernel has no such file here. */
function counter(d: ControllerDir, file: string): number | null {
  let t: string;
  try {
    t = text(d, file);
  } catch {
    return null;
  }
  return /^\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : null;
}

function unreadable(d: ControllerDir, file: string, t: string): AgentError {
  return refuse(ErrorCodes.Unsupported, `${path.join(d.dir, file)} says "${t}", which is not a limit Nodescope can read exactly`);
}

/** A whole-number limit file: `unlimited` texts → null, a number → that number, anything else refused. */
function wholeLimit(d: ControllerDir, file: string, t: string, unlimited: (t: string) => boolean): number | null {
  if (unlimited(t)) return null;
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) throw unreadable(d, file, t);
  return Number(t);
}

export const memory: Knob = {
  resource: 'memory',
  controller: 'memory',
  unit: 'bytes',
  file: (v) => (v === 'v1' ? 'memory.limit_in_bytes' : 'memory.max'),
  read(d) {
    const file = this.file(d.version);
    const raw = text(d, file);
    const limit = wholeLimit(d, file, raw, d.version === 'v1' ? isV1Unlimited : (t) => t === 'max');
    return {
      limit,
      restore: limit === null && d.version === 'v1' ? '-1' : raw,
      usage: counter(d, d.version === 'v1' ? 'memory.usage_in_bytes' : 'memory.current'),
    };
  },
  encode: (value, d) => (value === null ? (d.version === 'v1' ? '-1' : 'max') : String(value)),
};

export const pids: Knob = {
  resource: 'pids',
  controller: 'pids',
  unit: 'pids',
  file: () => 'pids.max',
  read(d) {
    const raw = text(d, 'pids.max');
    return { limit: wholeLimit(d, 'pids.max', raw, (t) => t === 'max'), restore: raw, usage: counter(d, 'pids.current') };
  },
  encode: (value) => (value === null ? 'max' : String(value)),
};

/** The CFS period of the cgroup, in µs: v1 cpu.cfs_period_us, v2 the second field of cpu.max. */
export function periodOf(d: ControllerDir): number {
  const p = d.version === 'v1' ? text(d, 'cpu.cfs_period_us') : text(d, 'cpu.max').split(/\s+/)[1];
  const n = Number(p);
  if (!Number.isInteger(n) || n <= 0) throw refuse(ErrorCodes.Unsupported, `${d.dir}: cannot read the CPU period ("${p}")`);
  return n;
}

export const cpu: Knob = {
  resource: 'cpu',
  controller: 'cpu',
  unit: 'cpus',
  file: (v) => (v === 'v1' ? 'cpu.cfs_quota_us' : 'cpu.max'),
  read(d) {
    const file = this.file(d.version);
    const raw = text(d, file);
    const field = d.version === 'v1' ? raw : raw.split(/\s+/)[0];
    const quota = d.version === 'v1' && /^-?\d+$/.test(field) && Number(field) < 0 ? null : wholeLimit(d, file, field, (t) => t === 'max');
    return { limit: quota === null ? null : quota / periodOf(d), restore: raw, usage: null };
  },
  encode(value, d) {
    const period = periodOf(d);
    const quota = value === null ? null : Math.round(value * period);
    if (d.version === 'v1') return quota === null ? '-1' : String(quota);
    return `${quota ?? 'max'} ${period}`;
  },
};

export const KNOBS = { memoryBytes: memory, pidsMax: pids, cpus: cpu } as const;

/**
 * The tightest limit the cgroups above `d` set (limits are hierarchical: a parent's caps its children),
 * or null when none does. The hierarchy's root has no limit files and is not read.
 */
export function tightestAbove(knob: Knob, d: ControllerDir): { path: string; limit: number } | null {
  let best: { path: string; limit: number } | null = null;
  let cgPath = d.path;
  let dir = d.dir;
  while (cgPath !== '/' && cgPath !== '') {
    cgPath = path.posix.dirname(cgPath);
    dir = path.dirname(dir);
    if (cgPath === '/') break;
    let limit: number | null;
    try {
      limit = knob.read({ version: d.version, path: cgPath, dir }).limit;
    } catch {
      continue; // a parent without the file (the controller off there) sets nothing
    }
    if (limit !== null && (best === null || limit < best.limit)) best = { path: cgPath, limit };
  }
  return best;
}
