/** How Nodescope writes quantities for people, on both sides (the agent's messages, the views): binary units, and "unlimited"/"unknown" spelled out. */

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return 'unknown';
  return scaled(n, (v, digits) => v.toFixed(digits));
}

/**
 * A size written as formatBytes writes it, rounded up rather than to the nearest: for "give at least …",
 * where a figure rounded down would be refused again (usage 323,585 bytes is "316.0 KiB", 323,584).
 */
export function formatBytesAtLeast(n: number): string {
  return scaled(n, (v, digits) => (Math.ceil(v * 10 ** digits) / 10 ** digits).toFixed(digits));
}

/** n in the largest binary unit that keeps it ≥ 1, with one decimal below 100 and none above. */
function scaled(n: number, write: (v: number, digits: number) => string): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${write(v, v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** A count with its noun: "1 file", "2 files"; `many` for nouns whose plural is not noun + "s" ("processes"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
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

/** A limit in its unit, for people: bytes in binary units, tasks (pids counts threads too), CPUs; null is "unlimited". */
export function formatLimit(unit: 'bytes' | 'pids' | 'cpus', v: number | null): string {
  if (v === null) return 'unlimited';
  if (unit === 'bytes') return formatBytes(v);
  return unit === 'cpus' ? `${Number(v.toFixed(3))} CPU` : plural(v, 'task');
}

const BINARY: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
const UNLIMITED = /^(max|unlimited)$/i;
const ZERO_LIMIT = 'a limit of 0 stops everything: give more, or max for none';

/**
 * The words for "no limit" are `max` (the kernel's own, as cgroup v2 and pids.max write it) and
 * `unlimited`. -1 is refused with a word of its own: v1 files and `docker --pids-limit` take it for
 * "none", so people try it, but a number that silently lifts a limit is a trap; other negative numbers
 * are refused as not a limit at all.
 */
function unlimited(text: string): boolean {
  if (text === '-1') throw new Error(`${text} does not mean "no limit" here: give max`);
  return UNLIMITED.test(text);
}

/**
 * A memory limit as people write it, with binary multiples as docker's --memory takes them: "64m",
 * "1.5G", "512KiB", "1048576"; "max" or "unlimited" → null (no limit). Throws one line otherwise.
 */
export function parseLimitBytes(text: string): number | null {
  const t = text.trim();
  if (unlimited(t)) return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(t);
  if (!m) throw new Error(`"${text}" is not a size: give bytes or a number with k, m, g or t (binary: 64m = 64 MiB), or max`);
  const bytes = Math.floor(Number(m[1]) * BINARY[m[2].toLowerCase()]);
  if (!Number.isSafeInteger(bytes)) throw new Error(`"${text}" is too large`);
  if (bytes <= 0) throw new Error(ZERO_LIMIT);
  return bytes;
}

/** A pids limit: a whole number of tasks (processes and threads), or "max" → null. */
export function parseLimitCount(text: string): number | null {
  const t = text.trim();
  if (unlimited(t)) return null;
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t)))
    throw new Error(`"${text}" is not a whole number of tasks (processes and threads), or max`);
  if (Number(t) === 0) throw new Error(ZERO_LIMIT);
  return Number(t);
}

/** A CPU limit in CPUs, as docker's --cpus: "0.5", "2"; "max" → null. */
export function parseLimitCpus(text: string): number | null {
  const t = text.trim();
  if (unlimited(t)) return null;
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(t)) throw new Error(`"${text}" is not a number of CPUs (e.g. 0.5, or max)`);
  if (Number(t) === 0) throw new Error(ZERO_LIMIT);
  return Number(t);
}
