/** How Nodescope writes quantities for people, on both sides (the agent's messages, the views): binary units, and "unlimited"/"unknown" spelled out. */

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** A limit: null means no limit was set. */
export function formatLimitBytes(n: number | null): string {
  return n === null ? 'unlimited' : formatBytes(n);
}

/** CPU quota as CPUs: 50000/100000 → "0.5 CPU". */
export function formatCpuQuota(quotaUs: number | null, periodUs: number | null): string {
  if (quotaUs === null || !periodUs) return 'unlimited';
  const cpus = quotaUs / periodUs;
  return `${Number(cpus.toFixed(2))} CPU (${quotaUs}/${periodUs} µs)`;
}
