/**
 * /proc/PID/mountinfo (man 5 proc, Documentation/filesystems/proc.rst):
 *
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
 *
 * Paths use octal escapes (`\040` space, `\011` tab, `\012` newline, `\134` backslash, and since 6.8
 * `\072` for a colon inside overlay paths). Mount point, root and source are unescaped here; the
 * superblock options (11) are kept RAW, because an escaped colon inside an overlay `lowerdir=` path
 * must stay distinguishable from the separator (server/discover/overlay.ts unescapes per path).
 *
 * A mount table belongs to a mount namespace, so it is read once per namespace through any process in it.
 */
import * as fs from 'fs';
import type { Problem } from '../protocol';
import type { ProcRecord } from './procfs';
import { during } from '../activity';
import { formatBytes } from '../units';

export interface MountEntry {
  mountId: number;
  parentId: number;
  major: number;
  minor: number;
  root: string;
  mountPoint: string;
  options: string;
  optional: string[];
  fstype: string;
  source: string;
  /** Raw, still escaped (see above). */
  superOptions: string;
}

export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (f.length < 10 || dash < 0) throw new Error(`malformed mountinfo line: ${JSON.stringify(line.slice(0, 120))}`);
    const [major, minor] = f[2].split(':').map(Number);
    out.push({
      mountId: Number(f[0]),
      parentId: Number(f[1]),
      major,
      minor,
      root: unescapeMountField(f[3]),
      mountPoint: unescapeMountField(f[4]),
      options: f[5],
      optional: f.slice(6, dash),
      fstype: f[dash + 1],
      source: unescapeMountField(f[dash + 2] ?? ''),
      superOptions: f[dash + 3] ?? '',
    });
  }
  return out;
}

/**
 * What is read of one mount table at most. A process with CAP_SYS_ADMIN in its mount namespace can hold
 * up to mount.max (100,000 by default) mounts, each line up to two PATH_MAX paths: hundreds of megabytes
 * the kernel generates on every read. 16 MiB is ~100,000 lines of a usual length, far beyond the
 * containers' MOUNTS_MAX kept (bounded.ts) and a host's few thousand.
 */
export const MOUNTINFO_MAX_BYTES = 16 * 1024 * 1024;
const CHUNK = 256 * 1024;

/**
 * The whole lines in the first `max` bytes of a file, and whether there was more: a read past `max` stops
 * at the last newline within it. seq_file hands out whole records per read (fs/seq_file.c), so a table cut
 * here holds only whole mounts.
 */
export function readWholeLines(file: string, max: number): { text: string; cut: boolean } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const chunks: Buffer[] = [];
    let len = 0;
    for (;;) {
      // One byte past the cap tells a table of exactly `max` bytes from a longer one.
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, max + 1 - len));
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      len += n;
      if (len > max) break;
    }
    const all = Buffer.concat(chunks, len);
    if (len <= max) return { text: all.toString('utf8'), cut: false };
    return { text: all.toString('utf8', 0, all.lastIndexOf(0x0a, max - 1) + 1), cut: true };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The agent's own mount table, for code that acts on it (launch's teardown, its cgroups). A privileged
 * container with a shared bind mount can add mounts here too, so it is bounded like any other; and a table
 * past the cap is refused rather than read in part, since a mount missing from it would look like a plain
 * directory to a teardown.
 */
export function readOwnMountinfo(): string {
  const { text, cut } = readWholeLines('/proc/self/mountinfo', MOUNTINFO_MAX_BYTES);
  if (cut) throw new Error(`the agent's own mount table is over ${formatBytes(MOUNTINFO_MAX_BYTES)}: not acting on part of it`);
  return text;
}

/**
 * null when the process is gone (its table went with it, or it moved: the caller tries another). A table
 * longer than `max` bytes is cut after its last whole line there, and `problems` is told so.
 */
export function readMountinfoOf(pid: number, problems?: Problem[], max = MOUNTINFO_MAX_BYTES): MountEntry[] | null {
  let read: { text: string; cut: boolean };
  try {
    read = readWholeLines(`/proc/${pid}/mountinfo`, max);
  } catch {
    return null;
  }
  // A zombie or exiting process has an empty table: not a real answer.
  if (!read.text) return null;
  const mounts = parseMountinfo(read.text);
  if (read.cut) {
    problems?.push({
      source: `/proc/${pid}/mountinfo`,
      message: `mount table of pid ${pid} cut after ${mounts.length} entries (${formatBytes(max)} read): the mounts after them are not listed`,
    });
  }
  return mounts;
}

export type MountTables = Map<number, { pid: number; mounts: MountEntry[] }>;

/**
 * One read per mount namespace, keyed by its inode, through the first live process found in it.
 * Processes outside `hostPidNs` are tried first: a table's mount points are relative to the reader's
 * root, and a container's own process has the container's root, where the launcher that unshared it
 * (still in the host pid namespace) has the host's; containers.ts would have to read the table again.
 */
export function readMountTables(procs: ProcRecord[], problems: Problem[], hostPidNs: number | null = null): MountTables {
  const tables: MountTables = new Map();
  const tried = new Set<number>();
  const inner = procs.filter((p) => p.namespaces.pid !== hostPidNs);
  const outer = procs.filter((p) => p.namespaces.pid === hostPidNs);
  for (const p of hostPidNs === null ? procs : [...inner, ...outer]) {
    const mnt = p.namespaces.mnt;
    if (mnt === null || tables.has(mnt)) continue;
    let mounts: MountEntry[] | null;
    try {
      mounts = during(`reading mount table of pid ${p.pid}`, () => readMountinfoOf(p.pid, problems));
    } catch (err) {
      if (!tried.has(mnt)) problems.push({ source: `/proc/${p.pid}/mountinfo`, message: (err as Error).message });
      tried.add(mnt);
      continue;
    }
    if (mounts) tables.set(mnt, { pid: p.pid, mounts });
  }
  return tables;
}
