/**
 * The light pass over /proc: its pid names only, read asynchronously (the event loop is not held) every
 * PULSE_MS. A pid set that differs from the last one means a process was born or died: a pass follows,
 * within the budget of passes made for processes (watch.ts). A full pass is what reads each process; this
 * pass reads no process at all, which is what makes it cheap enough to run every second on a busy node
 * (one getdents over /proc: about a millisecond for 2,000 processes here).
 *
 * A pid reused between two pulses (one process ended and another got its pid within a second) is not seen
 * here; the backstop pass sees it, keyed by pid and start time.
 */
import * as fs from 'fs';
import type { ChangeSource } from '../watch';

export const PULSE_MS = 1000;

export function procPulse(onChange: () => void, intervalMs = PULSE_MS, procRoot = '/proc'): ChangeSource {
  let last: string | null = null;
  let busy = false;
  const pulse = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const pids = (await fs.promises.readdir(procRoot)).filter((n) => n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57);
      // readdir of /proc lists pids in ascending order: the joined names are the set.
      const now = pids.join(',');
      if (last !== null && now !== last) onChange();
      last = now;
    } catch {
      /* /proc unreadable for a moment: the backstop pass still runs */
    } finally {
      busy = false;
    }
  };
  void pulse();
  const timer = setInterval(() => void pulse(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
