/**
 * A process seen from outside, through /proc: its peak memory (VmHWM, the high-water mark of its
 * resident set, which the kernel keeps for the process's whole life) and which processes carry a mark in
 * their environment. Tests compare these with stated bounds; nothing here asks the process itself.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';

/** VmHWM of `pid` in KiB, or null when it is gone (or a kernel thread). */
export function peakRssKiB(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Whether `pid` is `ancestor` or one of its descendants (walks the ppid field of /proc/PID/stat). */
export function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
    if (p === ancestor) return true;
    try {
      p = Number(
        fs
          .readFileSync(`/proc/${p}/stat`, 'utf8')
          .replace(/^.*\) /s, '')
          .split(' ')[1],
      );
    } catch {
      return false; // gone meanwhile
    }
  }
  return false;
}

/**
 * The first 4 KiB of a file: enough of an argv to tell a program, and quick where command lines are
 * 1 MB each (a scan that read them whole would take seconds and miss a process that lives for one).
 */
function head(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** Processes whose environment holds `mark` (NAME=VALUE) and whose argv matches `argv`. */
export function markedProcesses(mark: string, argv: RegExp = /./): { pid: number; argv: string }[] {
  const found: { pid: number; argv: string }[] = [];
  const needle = Buffer.from(`${mark}\0`);
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = head(`/proc/${d}/cmdline`).toString('utf8').replace(/\0/g, ' ').trim();
      if (!argv.test(cmd)) continue;
      if (!fs.readFileSync(`/proc/${d}/environ`).includes(needle)) continue;
      found.push({ pid: Number(d), argv: cmd });
    } catch {
      /* exited while we looked */
    }
  }
  return found;
}

export interface WatchedRun {
  /** false when the deadline passed first: the process group was then killed. */
  finished: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  /** The highest VmHWM seen while it ran, in KiB (sampled every 50 ms; the last sample is the peak so far). */
  peakKiB: number;
  ms: number;
}

/**
 * Runs `argv` in a process group of its own, sampling its VmHWM until it exits; past `deadlineMs` the
 * whole group is killed (SIGKILL) and the run reported as not finished.
 */
export function runWatched(argv: string[], opts: { env?: NodeJS.ProcessEnv; deadlineMs: number }): Promise<WatchedRun> {
  const t0 = Date.now();
  const child = spawn(argv[0], argv.slice(1), { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  let peak = 0;
  let finished = true;
  const sample = (): void => {
    peak = Math.max(peak, peakRssKiB(child.pid!) ?? 0);
  };
  const sampler = setInterval(sample, 50);
  const deadline = setTimeout(() => {
    finished = false;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, opts.deadlineMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(deadline);
      resolve({
        finished,
        code,
        signal,
        out: Buffer.concat(out).toString('utf8'),
        err: Buffer.concat(err).toString('utf8'),
        peakKiB: peak,
        ms: Date.now() - t0,
      });
    });
  });
}
