/**
 * What the container wrote: its writable (upper) layer's size and its biggest files and directories, and
 * the free space of the file system under it. The upper directory is the container's to fill: it is walked
 * by fd, bounded in entries and time (layers/walk.ts), and sizes are what du counts (st_blocks × 512, a
 * hard-linked inode once), so a sparse 1 TiB file is not reported as 1 TiB used.
 */
import * as fs from 'fs';
import type { DiagnoseDisk, DiskEntry, Problem } from '../protocol';
import { walkTree, WalkBudget } from '../layers/walk';
import { fdPath, openDir } from '../sys/pinnedDir';

/** Entries and time for one diagnose's walk: it runs on the agent's one thread, beside its other sections. */
const DISK_WALK = { maxEntries: 500_000, maxDepth: 256, maxMillis: 5000 };
export const DISK_TOP = 10;

/** The `n` largest of `sizes`, largest first (ties by path, for a stable order). Pure. */
export function largest(sizes: Map<string, number>, n = DISK_TOP): DiskEntry[] {
  return [...sizes]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([path, bytes]) => ({ path, bytes }));
}

/** The directories above `rel` (relative, no leading slash), as the container sees them: "/a", "/a/b". */
function ancestors(rel: string): string[] {
  const parts = rel.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

export function diskOf(upperDir: string, problems: Problem[], limits = DISK_WALK): DiagnoseDisk {
  const files = new Map<string, number>();
  const dirs = new Map<string, number>();
  const seenInodes = new Set<string>();
  let used = 0;
  let count = 0;
  const { truncated } = walkTree(
    upperDir,
    (e) => {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(e.at);
      } catch {
        return false; // gone while walked
      }
      if (st.isDirectory()) return true;
      count++;
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seenInodes.has(key)) return;
        seenInodes.add(key);
      }
      const bytes = st.blocks * 512;
      used += bytes;
      if (st.isFile()) files.set(`/${e.rel}`, bytes);
      for (const d of ancestors(e.rel)) dirs.set(d, (dirs.get(d) ?? 0) + bytes);
    },
    problems,
    new WalkBudget(limits),
  );
  return {
    upperDir,
    usedBytes: used,
    files: count,
    biggestFiles: largest(files),
    biggestDirs: largest(dirs),
    filesystem: filesystemUnder(upperDir, problems),
    ...(truncated ? { truncated: true } : {}),
  };
}

/** statfs of the file system holding `dir`, through an fd on it (no link in its last component followed). */
function filesystemUnder(dir: string, problems: Problem[]): DiagnoseDisk['filesystem'] {
  let fd: number | null = null;
  try {
    fd = openDir(dir);
    const s = fs.statfsSync(fdPath(fd));
    return { totalBytes: s.blocks * s.bsize, freeBytes: s.bfree * s.bsize, availableBytes: s.bavail * s.bsize };
  } catch (err) {
    problems.push({ source: dir, message: `free space unknown: statfs failed (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
    return null;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
