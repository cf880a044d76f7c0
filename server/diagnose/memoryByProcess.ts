/**
 * Memory by process: RSS, PSS and swap of each process in the container (/proc/PID/smaps_rollup, Linux
 * 4.14+; man 5 proc), largest first, beside the cgroup's anon / file / kernel split (memory.stat).
 *
 * PSS splits each shared page among its sharers, so the processes' PSS adds up to what they really use;
 * RSS counts a shared page in full for each. smaps_rollup needs the reader to be allowed to ptrace the
 * process (root is): a process it cannot read is listed with unknowns, not left out.
 */
import type { CgroupInfo, DiagnoseMemory, ProcessMemory } from '../protocol';
import { commOf, readProcText } from './procText';

/** Processes listed; those beyond are counted in `truncated`. */
export const DIAGNOSE_PROCESSES_MAX = 50;
/** Processes read: a container with more is a fork bomb, and each read walks the process's mappings. */
const PROCESSES_READ_MAX = 2000;

/** `Rss:`, `Pss:`, `Swap:` of smaps_rollup, in bytes. Pure. */
export function parseSmapsRollup(text: string): { rssBytes: number | null; pssBytes: number | null; swapBytes: number | null } {
  const kb = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  return { rssBytes: kb('Rss'), pssBytes: kb('Pss'), swapBytes: kb('Swap') };
}

/** Largest PSS first; RSS stands in where PSS is unknown; unknowns last. */
export function byMemory(a: ProcessMemory, b: ProcessMemory): number {
  return (b.pssBytes ?? b.rssBytes ?? -1) - (a.pssBytes ?? a.rssBytes ?? -1);
}

export function processMemory(pid: number): ProcessMemory | null {
  const text = readProcText(`/proc/${pid}/smaps_rollup`);
  const command = commOf(pid);
  if (text === null && command === '?') return null; // gone
  return { pid, command, ...(text === null ? { rssBytes: null, pssBytes: null, swapBytes: null } : parseSmapsRollup(text)) };
}

/**
 * The cgroup's kernel memory: v2 memory.stat `kernel` (5.18+), else its parts (kernel_stack, slab, sock,
 * percpu, pagetables, vmalloc); v1 keeps it apart in memory.kmem.usage_in_bytes, read by the caller.
 */
export function kernelBytesOfStat(stat: Record<string, number>): number | null {
  if (stat.kernel !== undefined) return stat.kernel;
  const parts = ['kernel_stack', 'slab', 'sock', 'percpu', 'pagetables'];
  return parts.every((k) => stat[k] !== undefined) ? parts.reduce((n, k) => n + stat[k], 0) : null;
}

export function memoryOf(pids: number[], cgroup: CgroupInfo | null, v1KmemBytes: number | null): DiagnoseMemory {
  const processes = pids
    .slice(0, PROCESSES_READ_MAX)
    .map(processMemory)
    .filter((p): p is ProcessMemory => p !== null)
    .sort(byMemory);
  const m = cgroup?.memory ?? null;
  return {
    limitBytes: m?.limitBytes ?? null,
    usageBytes: m?.usageBytes ?? null,
    anonBytes: m?.anonBytes ?? null,
    fileBytes: m?.fileBytes ?? null,
    kernelBytes: cgroup?.version === 'v1' ? v1KmemBytes : m ? kernelBytesOfStat(m.stat) : null,
    processes: processes.slice(0, DIAGNOSE_PROCESSES_MAX),
    ...(processes.length > DIAGNOSE_PROCESSES_MAX || pids.length > PROCESSES_READ_MAX ? { truncated: true } : {}),
  };
}
