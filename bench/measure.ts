/**
 * Wall-clock timing of whole commands, the way a person runs them. Medians of several runs, after one
 * warm-up run, because these machines are noisy; only ratios measured in the same run are compared.
 */
import { spawnSync } from 'child_process';

export interface Timing {
  label: string;
  medianMs: number;
  runs: number[];
}

export function timeCommand(label: string, argv: string[], runs: number, env?: NodeJS.ProcessEnv): Timing {
  const once = (): number => {
    const start = process.hrtime.bigint();
    const res = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: env ?? process.env, maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (res.status !== 0) throw new Error(`${argv.join(' ')} failed (${res.status}): ${String(res.stderr).trim().split('\n')[0]}`);
    return ms;
  };
  once(); // warm-up: page cache, JIT of the bundles
  const samples = Array.from({ length: runs }, once);
  return { label, medianMs: median(samples), runs: samples };
}

export async function timeAsync(label: string, fn: () => Promise<void>, runs: number, warmup = true): Promise<Timing> {
  if (warmup) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { label, medianMs: median(samples), runs: samples };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function report(t: Timing): string {
  return `${t.label.padEnd(52)} ${t.medianMs.toFixed(1).padStart(9)} ms  (median of ${t.runs.length})`;
}

export function ratioLine(what: string, ours: Timing, anchor: Timing, target?: number): string {
  const r = ours.medianMs / anchor.medianMs;
  const verdict = target === undefined ? '' : r <= target ? `  target ≤ ${target}: met` : `  target ≤ ${target}: NOT met`;
  return `ratio ${what.padEnd(46)} ${r.toFixed(2).padStart(6)}×${verdict}`;
}
