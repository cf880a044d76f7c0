/**
 * CPU throttling: how often the cgroup's CFS quota stopped it (cpu.stat: nr_periods, nr_throttled, and
 * throttled_usec on v2 / throttled_time in ns on v1; Documentation/scheduler/sched-bwc.rst), and the same
 * since this agent last looked at the container: "throttled in 80 % of periods over the last 30 s" says
 * what a total since the container started cannot.
 */
import type { DiagnoseThrottling } from '../protocol';
import { parseKeyValues } from '../discover/cgroups';

export interface CpuStat {
  periods: number | null;
  throttledPeriods: number | null;
  throttledUsec: number | null;
}

/** cpu.stat of either version. Pure. */
export function parseCpuStat(text: string): CpuStat {
  const kv = parseKeyValues(text);
  const usec = kv.throttled_usec ?? (kv.throttled_time !== undefined ? Math.floor(kv.throttled_time / 1000) : undefined);
  return { periods: kv.nr_periods ?? null, throttledPeriods: kv.nr_throttled ?? null, throttledUsec: usec ?? null };
}

/** The last reading per container, for the rate since then (the agent's memory; lost when it restarts). */
export class ThrottleHistory {
  private readonly last = new Map<string, { atMs: number; stat: CpuStat }>();

  /** The section for this reading, and remembers it. A counter that went backwards (a new cgroup under the same id) has no rate. */
  see(id: string, stat: CpuStat, quota: { quotaUs: number | null; periodUs: number | null }, nowMs = Date.now()): DiagnoseThrottling {
    const before = this.last.get(id);
    this.last.set(id, { atMs: nowMs, stat });
    if (this.last.size > 10_000) this.last.delete(this.last.keys().next().value!);
    let sinceLast: DiagnoseThrottling['sinceLast'] = null;
    const d = (k: keyof CpuStat): number | null => {
      const a = before?.stat[k];
      const b = stat[k];
      return a == null || b == null || b < a ? null : b - a;
    };
    const periods = d('periods');
    const throttledPeriods = d('throttledPeriods');
    const throttledUsec = d('throttledUsec');
    if (before && periods !== null && throttledPeriods !== null && throttledUsec !== null) {
      sinceLast = { seconds: (nowMs - before.atMs) / 1000, periods, throttledPeriods, throttledUsec };
    }
    return { ...quota, ...stat, sinceLast };
  }
}
