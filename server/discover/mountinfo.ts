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

/** null when the process is gone (its table went with it, or it moved: the caller tries another). */
export function readMountinfoOf(pid: number): MountEntry[] | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
  } catch {
    return null;
  }
  // A zombie or exiting process has an empty table: not a real answer.
  return text ? parseMountinfo(text) : null;
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
      mounts = during(`reading mount table of pid ${p.pid}`, () => readMountinfoOf(p.pid));
    } catch (err) {
      if (!tried.has(mnt)) problems.push({ source: `/proc/${p.pid}/mountinfo`, message: (err as Error).message });
      tried.add(mnt);
      continue;
    }
    if (mounts) tables.set(mnt, { pid: p.pid, mounts });
  }
  return tables;
}
