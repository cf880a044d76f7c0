/**
 * The one line a diagnosis opens with: the most telling facts of the report, worst first, at most two.
 * Pure, shared by the agent (which sends it, times in UTC) and the clients (which may write it again in
 * the viewer's time zone): "OOM-killed 3 times, last at 14:02: java at 2.0 GiB of 2.0 GiB".
 */
import type { DiagnoseReport } from '../protocol';
import { formatBytes, plural } from '../units';

/** A time as HH:MM UTC: the agent's default, for a reader in any zone. */
export const utcClock = (iso: string): string => `${iso.slice(11, 16)} UTC`;

/** A time as HH:MM in the reader's own zone: the CLI's and the panel's. */
export const localClock = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

/** Throttled in this share of periods or more since the last look: named in the headline. */
const THROTTLED_SHARE = 0.2;
/** Memory use at this share of the limit or more: named. */
const MEMORY_SHARE = 0.9;
/** Free space below this share of the file system: named. */
const DISK_FREE_SHARE = 0.05;

const percent = (share: number): string => `${Math.round(share * 100)} %`;

function oomLine(r: DiagnoseReport, clock: (iso: string) => string): string | null {
  const kills = r.oom.kills;
  const count = Math.max(r.oom.count ?? 0, kills.length);
  if (count === 0) return r.exits.oomKilled ? 'OOM-killed (the engine says so; the kernel log has no details)' : null;
  const times = count === 1 ? 'once' : `${count} times`;
  const last = kills[kills.length - 1];
  if (!last) return `OOM-killed ${times} (the kernel log no longer has the details)`;
  const at = last.at ? `, last at ${clock(last.at)}` : '';
  const memory =
    last.usageBytes !== null && last.limitBytes !== null
      ? ` at ${formatBytes(last.usageBytes)} of ${formatBytes(last.limitBytes)}`
      : last.rssBytes !== null
        ? ` using ${formatBytes(last.rssBytes)}`
        : '';
  return `OOM-killed ${times}${at}: ${last.command || `pid ${last.pid}`}${memory}`;
}

function exitLine(r: DiagnoseReport, clock: (iso: string) => string): string | null {
  const e = r.exits;
  const restarts = e.restartCount ? `, restarted ${plural(e.restartCount, 'time')}` : '';
  if (e.running === false && e.exitCode !== null) {
    const why = e.signal ? ` (${e.signal})` : '';
    const at = e.finishedAt ? ` at ${clock(e.finishedAt)}` : '';
    return `exited with code ${e.exitCode}${why}${at}${restarts}`;
  }
  if (e.restartCount)
    return `restarted ${plural(e.restartCount, 'time')}${e.exitCode ? `, last exit code ${e.exitCode}${e.signal ? ` (${e.signal})` : ''}` : ''}`;
  return null;
}

function throttleLine(r: DiagnoseReport): string | null {
  const t = r.cpu?.sinceLast;
  if (t && t.periods > 0 && t.throttledPeriods / t.periods >= THROTTLED_SHARE) {
    return `CPU-throttled in ${percent(t.throttledPeriods / t.periods)} of periods over the last ${Math.round(t.seconds)} s`;
  }
  const c = r.cpu;
  if (!t && c?.periods && c.throttledPeriods !== null && c.throttledPeriods / c.periods >= THROTTLED_SHARE) {
    return `CPU-throttled in ${percent(c.throttledPeriods / c.periods)} of periods since it started`;
  }
  return null;
}

function memoryLine(r: DiagnoseReport): string | null {
  const m = r.memory;
  if (!m || m.usageBytes === null || !m.limitBytes || m.usageBytes / m.limitBytes < MEMORY_SHARE) return null;
  return `memory at ${percent(m.usageBytes / m.limitBytes)} of its ${formatBytes(m.limitBytes)} limit`;
}

function diskLine(r: DiagnoseReport): string | null {
  const f = r.disk?.filesystem;
  if (!f || !f.totalBytes || f.availableBytes / f.totalBytes >= DISK_FREE_SHARE) return null;
  return `${formatBytes(f.availableBytes)} free on the disk under its writable layer`;
}

export function headlineOf(r: DiagnoseReport, clock: (iso: string) => string = utcClock): string {
  const found = [oomLine(r, clock), exitLine(r, clock), throttleLine(r), memoryLine(r), diskLine(r)].filter((l): l is string => l !== null);
  if (found.length === 0) {
    return r.container.running
      ? 'Nothing wrong found: no OOM kills, no restarts, not throttled'
      : 'Not running; the engine did not say why';
  }
  const line = found.slice(0, 2).join('; ');
  return line[0].toUpperCase() + line.slice(1);
}
