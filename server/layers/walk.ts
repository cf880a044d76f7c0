/**
 * An iterative walk of a directory tree that never follows a symlink and keeps only the directories
 * still to visit in memory, so a layer of a million files costs no more than its deepest fan-out.
 */
import * as fs from 'fs';
import type { Problem } from '../protocol';

export interface WalkEntry {
  /** Path relative to the walk's root, no leading slash. */
  rel: string;
  abs: string;
  dirent: fs.Dirent;
}

/**
 * Calls `visit` for every entry below `root` (not for root itself). Returning false from `visit` for a
 * directory skips its contents. Unreadable directories become Problems.
 */
export function walkTree(root: string, visit: (e: WalkEntry) => boolean | void, problems: Problem[]): void {
  const pending: string[] = [''];
  while (pending.length) {
    const rel = pending.pop()!;
    const dir = rel ? `${root}/${rel}` : root;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') problems.push({ source: dir, message: code === 'EACCES' ? 'permission denied (EACCES)' : code ?? String(err) });
      continue;
    }
    for (const dirent of entries) {
      const childRel = rel ? `${rel}/${dirent.name}` : dirent.name;
      const descend = visit({ rel: childRel, abs: `${root}/${childRel}`, dirent });
      // Dirent types come from getdents and never describe a symlink's target: no link is followed.
      if (dirent.isDirectory() && descend !== false) pending.push(childRel);
    }
  }
}
