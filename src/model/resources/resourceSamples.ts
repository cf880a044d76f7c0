/**
 * Live resources as time series: a sample is every container's cgroup counters at one moment (taken from
 * the node's snapshot as the agent's watch updates it), kept in a bounded ring; from consecutive samples come
 * rates (CPU cores from cumulative CPU time, io bytes per second) and OOM kills (a counter that went up).
 * Pure: the extension keeps the history per node (src/panels/resources/host.ts), the page draws it.
 */
import type { ContainerInfo, Pressure, Snapshot } from '../../../server/protocol';

/** PSI avg10 (percent of the last 10 s some / all tasks stalled), by resource. */
export interface PressureNow {
  cpuSome: number | null;
  cpuFull: number | null;
  memorySome: number | null;
  memoryFull: number | null;
  ioSome: number | null;
  ioFull: number | null;
}

export interface ContainerSample extends PressureNow {
  id: string;
  name: string;
  memoryBytes: number | null;
  memoryLimit: number | null;
  /** Cumulative CPU time: a rate needs two samples. */
  cpuUsec: number | null;
  /** quota / period; null when unlimited. */
  cpuLimitCores: number | null;
  pids: number | null;
  pidsMax: number | null;
  /** Cumulative bytes (null where the kernel keeps no count: v1 without a throttle rule). */
  ioReadBytes: number | null;
  ioWriteBytes: number | null;
  oomKills: number | null;
}

export interface ResourceSample {
  /** ms since the epoch. */
  t: number;
  containers: ContainerSample[];
  /** Containers left out of this sample to keep it bounded (MAX_SAMPLED_CONTAINERS). */
  omitted: number;
}

/** At most this many containers per sample: a node with thousands would make the history hundreds of MB. */
export const MAX_SAMPLED_CONTAINERS = 256;
/** The history covers at least this long at the watch rate. */
export const HISTORY_MS = 12 * 60_000;

/** How many samples make HISTORY_MS at this watch interval (bounded both ways). */
export function historyCapacity(intervalMs: number): number {
  const n = Math.ceil(HISTORY_MS / Math.max(250, intervalMs || 2000));
  return Math.min(7200, Math.max(300, n));
}

const avg10 = (p: Pressure | null | undefined, which: 'some' | 'full'): number | null =>
  p ? (which === 'some' ? p.some.avg10 : (p.full?.avg10 ?? null)) : null;

export function containerSample(c: ContainerInfo): ContainerSample {
  const cg = c.cgroup;
  const cpu = cg?.cpu;
  const psi = cg?.pressure;
  return {
    id: c.id,
    name: c.name,
    memoryBytes: cg?.memory?.usageBytes ?? null,
    memoryLimit: cg?.memory?.limitBytes ?? null,
    cpuUsec: cpu?.usageUsec ?? null,
    cpuLimitCores: cpu && cpu.quotaUs !== null && cpu.periodUs ? cpu.quotaUs / cpu.periodUs : null,
    pids: cg?.pids?.current ?? null,
    pidsMax: cg?.pids?.max ?? null,
    ioReadBytes: cg?.io?.readBytes ?? null,
    ioWriteBytes: cg?.io?.writeBytes ?? null,
    oomKills: cg?.memory?.oomKills ?? null,
    cpuSome: avg10(psi?.cpu, 'some'),
    cpuFull: avg10(psi?.cpu, 'full'),
    memorySome: avg10(psi?.memory, 'some'),
    memoryFull: avg10(psi?.memory, 'full'),
    ioSome: avg10(psi?.io, 'some'),
    ioFull: avg10(psi?.io, 'full'),
  };
}

/** Every container of the snapshot at time t, by name, at most MAX_SAMPLED_CONTAINERS. */
export function sampleOf(snapshot: Snapshot, t: number): ResourceSample {
  const sorted = [...snapshot.containers].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const kept = sorted.slice(0, MAX_SAMPLED_CONTAINERS);
  return { t, containers: kept.map(containerSample), omitted: sorted.length - kept.length };
}

/** A fixed-size ring: the oldest sample goes when a new one comes past capacity. */
export class SampleRing<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  get length(): number {
    return this.items.length;
  }

  last(): T | undefined {
    return this.items.length ? this.items[(this.start + this.items.length - 1) % this.items.length] : undefined;
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }
}

/** A counter's rate per second between two readings; null when either is unknown or it went down (a new cgroup). */
export function ratePerSecond(prev: number | null | undefined, cur: number | null | undefined, dtMs: number): number | null {
  if (prev == null || cur == null || dtMs <= 0 || cur < prev) return null;
  return ((cur - prev) * 1000) / dtMs;
}

/** CPU cores used between two samples: microseconds of CPU time per second of wall time, / 1e6. */
export function coresBetween(prev: ContainerSample, cur: ContainerSample, dtMs: number): number | null {
  const usecPerSec = ratePerSecond(prev.cpuUsec, cur.cpuUsec, dtMs);
  return usecPerSec === null ? null : usecPerSec / 1e6;
}

/** The time series of one container, aligned on the samples' times (seconds); null where unknown. */
export interface ContainerSeries {
  t: number[];
  memoryBytes: (number | null)[];
  memoryLimit: (number | null)[];
  cpuCores: (number | null)[];
  cpuLimitCores: (number | null)[];
  pids: (number | null)[];
  pidsMax: (number | null)[];
  ioReadPerSec: (number | null)[];
  ioWritePerSec: (number | null)[];
  pressure: Record<keyof PressureNow, (number | null)[]>;
  /** Seconds at which the OOM kill counter went up, with by how much. */
  oomKills: { t: number; count: number }[];
}

const PRESSURE_KEYS: (keyof PressureNow)[] = ['cpuSome', 'cpuFull', 'memorySome', 'memoryFull', 'ioSome', 'ioFull'];

export function seriesOf(samples: ResourceSample[], id: string): ContainerSeries {
  const s: ContainerSeries = {
    t: [],
    memoryBytes: [],
    memoryLimit: [],
    cpuCores: [],
    cpuLimitCores: [],
    pids: [],
    pidsMax: [],
    ioReadPerSec: [],
    ioWritePerSec: [],
    pressure: { cpuSome: [], cpuFull: [], memorySome: [], memoryFull: [], ioSome: [], ioFull: [] },
    oomKills: [],
  };
  let prev: { t: number; c: ContainerSample } | null = null;
  for (const sample of samples) {
    const c = sample.containers.find((x) => x.id === id);
    if (!c) {
      prev = null;
      continue;
    }
    const dt = prev ? sample.t - prev.t : 0;
    s.t.push(sample.t / 1000);
    s.memoryBytes.push(c.memoryBytes);
    s.memoryLimit.push(c.memoryLimit);
    s.cpuCores.push(prev ? coresBetween(prev.c, c, dt) : null);
    s.cpuLimitCores.push(c.cpuLimitCores);
    s.pids.push(c.pids);
    s.pidsMax.push(c.pidsMax);
    s.ioReadPerSec.push(prev ? ratePerSecond(prev.c.ioReadBytes, c.ioReadBytes, dt) : null);
    s.ioWritePerSec.push(prev ? ratePerSecond(prev.c.ioWriteBytes, c.ioWriteBytes, dt) : null);
    for (const k of PRESSURE_KEYS) s.pressure[k].push(c[k]);
    if (prev && prev.c.oomKills !== null && c.oomKills !== null && c.oomKills > prev.c.oomKills)
      s.oomKills.push({ t: sample.t / 1000, count: c.oomKills - prev.c.oomKills });
    prev = { t: sample.t, c };
  }
  return s;
}

/** A container's row of the table: the latest values, the CPU rate over the last two samples. */
export interface ResourceRow {
  id: string;
  name: string;
  memoryBytes: number | null;
  memoryLimit: number | null;
  /** null until two samples exist ("unknown"). */
  cpuCores: number | null;
  cpuLimitCores: number | null;
  pids: number | null;
  pidsMax: number | null;
  ioReadPerSec: number | null;
  ioWritePerSec: number | null;
  pressure: PressureNow;
  /** The highest `some` avg10 of cpu, memory and io; null without PSI. */
  worstPressure: number | null;
  /**
   * The smallest share left of any limited resource (memory, pids, CPU), 0..1; null when nothing is limited
   * (or nothing limited is known), which sorts as the most headroom.
   */
  headroom: number | null;
  /** Which resource `headroom` is about. */
  headroomOf: 'memory' | 'pids' | 'cpu' | null;
  oomKills: number | null;
  /** OOM kills seen while this history was kept. */
  oomKillsSeen: number;
}

export function rowsOf(samples: ResourceSample[]): ResourceRow[] {
  const last = samples[samples.length - 1];
  if (!last) return [];
  const before = samples[samples.length - 2];
  return last.containers.map((c) => {
    const p = before?.containers.find((x) => x.id === c.id);
    const dt = before ? last.t - before.t : 0;
    const cpuCores = p ? coresBetween(p, c, dt) : null;
    const shares: [number | null, 'memory' | 'pids' | 'cpu'][] = [
      [c.memoryLimit && c.memoryBytes !== null ? 1 - c.memoryBytes / c.memoryLimit : null, 'memory'],
      [c.pidsMax && c.pids !== null ? 1 - c.pids / c.pidsMax : null, 'pids'],
      [c.cpuLimitCores && cpuCores !== null ? 1 - cpuCores / c.cpuLimitCores : null, 'cpu'],
    ];
    const limited = shares.filter((x): x is [number, 'memory' | 'pids' | 'cpu'] => x[0] !== null).sort((a, b) => a[0] - b[0]);
    const somes = [c.cpuSome, c.memorySome, c.ioSome].filter((x): x is number => x !== null);
    let oomKillsSeen = 0;
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1].containers.find((x) => x.id === c.id)?.oomKills;
      const b = samples[i].containers.find((x) => x.id === c.id)?.oomKills;
      if (a != null && b != null && b > a) oomKillsSeen += b - a;
    }
    return {
      id: c.id,
      name: c.name,
      memoryBytes: c.memoryBytes,
      memoryLimit: c.memoryLimit,
      cpuCores,
      cpuLimitCores: c.cpuLimitCores,
      pids: c.pids,
      pidsMax: c.pidsMax,
      ioReadPerSec: p ? ratePerSecond(p.ioReadBytes, c.ioReadBytes, dt) : null,
      ioWritePerSec: p ? ratePerSecond(p.ioWriteBytes, c.ioWriteBytes, dt) : null,
      pressure: {
        cpuSome: c.cpuSome,
        cpuFull: c.cpuFull,
        memorySome: c.memorySome,
        memoryFull: c.memoryFull,
        ioSome: c.ioSome,
        ioFull: c.ioFull,
      },
      worstPressure: somes.length ? Math.max(...somes) : null,
      headroom: limited.length ? Math.max(0, limited[0][0]) : null,
      headroomOf: limited.length ? limited[0][1] : null,
      oomKills: c.oomKills,
      oomKillsSeen,
    };
  });
}

export type ResourceSort = 'pressure' | 'headroom' | 'name' | 'memory' | 'cpu';

/** Pressure: worst first; headroom: least first (unlimited last); the rest by size, then name. */
export function sortRows(rows: ResourceRow[], by: ResourceSort): ResourceRow[] {
  const num = (v: number | null, missing: number) => (v === null ? missing : v);
  const cmp: Record<ResourceSort, (a: ResourceRow, b: ResourceRow) => number> = {
    pressure: (a, b) => num(b.worstPressure, -1) - num(a.worstPressure, -1),
    headroom: (a, b) => num(a.headroom, 2) - num(b.headroom, 2),
    name: () => 0,
    memory: (a, b) => num(b.memoryBytes, -1) - num(a.memoryBytes, -1),
    cpu: (a, b) => num(b.cpuCores, -1) - num(a.cpuCores, -1),
  };
  return [...rows].sort((a, b) => cmp[by](a, b) || a.name.localeCompare(b.name));
}
