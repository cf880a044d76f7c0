/**
 * A walk of a directory tree a container controls (its layer directories), by file descriptor: every
 * directory is opened from its pinned parent, one component, never through a symlink (sys/pinnedDir.ts),
 * so renaming a directory and putting a link to the host's /etc in its place mid-walk leads nowhere. Each
 * entry is handed over with a race-free path (`at`) for lstat, l*xattr and O_NOFOLLOW|O_PATH opens.
 *
 * Depth first, holding one fd per level (the pinned directories above the current one) and, per level,
 * only the names of subdirectories still to visit: a layer of a million files costs no more than its
 * deepest fan-out. Bounded per request: at most `maxEntries` entries (shared across the walks of one
 * request through a WalkBudget) and `maxDepth` levels; where it stops, a Problem says so.
 */
import * as fs from 'fs';
import type { Problem } from '../protocol';
import { entryPath, forEachEntry, openChildDir, openDir } from '../sys/pinnedDir';

export interface WalkEntry {
  /** Path relative to the walk's root, no leading slash. */
  rel: string;
  /** The walk's root and rel joined: for messages only, never to open (a component may have been swapped). */
  abs: string;
  /** The entry named through its pinned parent directory: valid while `visit` runs. */
  at: string;
  /** The pinned parent directory's fd: valid while `visit` runs, not to be closed. */
  dirFd: number;
  dirent: fs.Dirent;
}

/** Entries one request may look at, and how deep: directories a container made are not a resource to exhaust. */
export interface WalkLimits {
  maxEntries: number;
  maxDepth: number;
  /** Wall time one request may walk for. Walks run on the agent's one thread, and what is done per entry
   * (a diff looks each change up through the image's layers) can make a few hundred thousand entries take
   * minutes: past this the request answers with what it has, before the client's deadline (30-120 s) and
   * the agent's own watchdog (60 s) give up on it. */
  maxMillis?: number;
}

/**
 * Enough for the largest real image layers (a few hundred thousand files) several times over, and ~7 s of
 * walking here; deeper than any real tree (PATH_MAX alone keeps usable paths far shallower), and few
 * enough fds.
 */
export const WALK_LIMITS: WalkLimits = { maxEntries: 2_000_000, maxDepth: 256, maxMillis: 20_000 };

/** What one request has left to walk; pass the same budget to every walk of the request. */
export class WalkBudget {
  entriesLeft: number;
  /** Set once a limit stopped a walk: later walks of the request look at nothing. */
  exhausted = false;
  /** Which limit: the entries or the time. */
  stoppedBy: 'entries' | 'time' | null = null;
  private readonly deadline: number;
  private sinceClock = 0;
  constructor(readonly limits: WalkLimits = WALK_LIMITS) {
    this.entriesLeft = limits.maxEntries;
    this.deadline = Date.now() + (limits.maxMillis ?? Infinity);
  }

  /** Counts one entry; false (and exhausted from then on) once the entries or the time are used up. The
   * clock is read every 64 entries: cheap beside the per-entry syscalls, and fine-grained enough. */
  take(): boolean {
    if (this.exhausted) return false;
    if (this.entriesLeft <= 0) return this.stop('entries');
    if (++this.sinceClock >= 64) {
      this.sinceClock = 0;
      if (Date.now() > this.deadline) return this.stop('time');
    }
    this.entriesLeft--;
    return true;
  }

  /** The Problem's words for where the walk stopped. */
  stoppedMessage(): string {
    return this.stoppedBy === 'time'
      ? `stopped after ${+((this.limits.maxMillis ?? 0) / 1000).toFixed(1)} s (the request's time limit): the figures cover only what was walked`
      : `stopped after ${this.limits.maxEntries.toLocaleString('en')} entries (the request's limit): the figures cover only what was walked`;
  }

  private stop(why: 'entries' | 'time'): false {
    this.exhausted = true;
    this.stoppedBy = why;
    return false;
  }
}

/** How a walk ended: `truncated` when a limit cut it short (a Problem says which). */
export interface WalkResult {
  truncated: boolean;
}

interface Frame {
  fd: number;
  rel: string;
  depth: number;
  subdirs: string[];
  next: number;
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/**
 * Calls `visit` for every entry below `root` (not for root itself). Returning false from `visit` for a
 * directory skips its contents. Unreadable directories, directories swapped for something else while
 * walked, a root that is not a directory, and the limits reached become Problems.
 */
export function walkTree(
  root: string,
  visit: (e: WalkEntry) => boolean | void,
  problems: Problem[],
  budget = new WalkBudget(),
): WalkResult {
  const stack: Frame[] = [];
  let truncated = false;
  let tooDeep = 0;
  const readFrame = (f: Frame): void => {
    if (budget.exhausted) return;
    forEachEntry(f.fd, (dirent) => {
      if (!budget.take()) return false;
      const rel = f.rel ? `${f.rel}/${dirent.name}` : dirent.name;
      const descend = visit({ rel, abs: `${root}/${rel}`, at: entryPath(f.fd, dirent.name), dirFd: f.fd, dirent });
      // getdents types describe the entry itself, never a link's target; the open below checks again.
      if (dirent.isDirectory() && descend !== false) f.subdirs.push(dirent.name);
    });
  };
  const push = (fd: number, rel: string, depth: number): void => {
    const f: Frame = { fd, rel, depth, subdirs: [], next: 0 };
    stack.push(f);
    try {
      readFrame(f);
    } catch (err) {
      problems.push({ source: `${root}/${rel}`, message: `unreadable (${errCode(err)})` });
    }
  };

  let rootFd: number;
  try {
    rootFd = openDir(root);
  } catch (err) {
    const code = errCode(err);
    problems.push({
      source: root,
      message:
        code === 'ENOENT'
          ? 'no such directory'
          : code === 'ENOTDIR'
            ? 'not a directory, or a symlink: not followed (ENOTDIR)'
            : `unreadable (${code})`,
    });
    return { truncated: false };
  }
  push(rootFd, '', 0);
  try {
    while (stack.length) {
      const f = stack[stack.length - 1];
      if (budget.exhausted || f.next >= f.subdirs.length) {
        fs.closeSync(f.fd);
        stack.pop();
        continue;
      }
      const name = f.subdirs[f.next++];
      const rel = f.rel ? `${f.rel}/${name}` : name;
      if (f.depth + 1 >= budget.limits.maxDepth) {
        if (!tooDeep++)
          problems.push({
            source: `${root}/${rel}`,
            message: `deeper than ${budget.limits.maxDepth} levels: not walked below here (nor below any other such directory)`,
          });
        truncated = true;
        continue;
      }
      let fd: number;
      try {
        fd = openChildDir(f.fd, name);
      } catch (err) {
        const code = errCode(err);
        // Gone: removed while we walked, nothing to say. Not a directory any more (ENOTDIR, ELOOP): a
        // container swapped it, maybe for a link out of the layer: said, not followed.
        if (code === 'ENOTDIR' || code === 'ELOOP')
          problems.push({ source: `${root}/${rel}`, message: 'replaced by a non-directory while walked: not followed' });
        else if (code !== 'ENOENT')
          problems.push({ source: `${root}/${rel}`, message: code === 'EACCES' ? 'permission denied (EACCES)' : `unreadable (${code})` });
        continue;
      }
      push(fd, rel, f.depth + 1);
    }
  } finally {
    for (const f of stack) fs.closeSync(f.fd);
  }
  if (budget.exhausted) {
    truncated = true;
    if (!problems.some((p) => p.message.startsWith('stopped after '))) {
      problems.push({ source: root, message: budget.stoppedMessage() });
    }
  }
  return { truncated };
}
