/**
 * A small procfs file of one process as text, bounded, or null when the process is gone or it is
 * unreadable (the caller says "unknown"). procfs files are regular files that stat as size 0: the
 * checked reader (sys/openChecked.ts) reads until the end or the bound, never trusting the size.
 */
import { readRegularFile } from '../sys/openChecked';

/** The files read here (smaps_rollup, comm, net tables) are a few KiB; a net table of 100,000 sockets some MiB. */
export function readProcText(path: string, maxBytes = 64 * 1024): string | null {
  const r = readRegularFile(path, maxBytes);
  return 'data' in r ? r.data.toString('utf8') : null;
}

/** The process's command name (comm), or "?" when it is gone. */
export function commOf(pid: number): string {
  return readProcText(`/proc/${pid}/comm`, 256)?.trim() ?? '?';
}
