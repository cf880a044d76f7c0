/**
 * What one layer directory holds: counts, bytes, and overlayfs's marks (see overlayMarks.ts).
 *
 * Cost: one getdents per directory and one lstat per regular file or device (for size and rdev).
 * xattrs are read for every directory (opaque, redirect), and for files only where overlayfs can put
 * marks: zero-size files (xattr whiteouts) and files without data blocks (metacopy files keep their
 * size but hold no data). Reading xattrs of every file would double the cost of a scan for nothing.
 */
import * as fs from 'fs';
import type { LayerScan } from '../protocol';
import { listXattrs } from '../sys/xattr';
import { entryMark, isChardevWhiteout, markPrefixes, WH_OPAQUE, WH_PREFIX } from './overlayMarks';
import { WalkBudget, walkTree } from './walk';

// A bare directory carries no mount: both prefixes are reported, as what it holds (overlayMarks.ts).
const PREFIXES = markPrefixes(null);

function hasOverlayXattr(names: string[], what: string): boolean {
  return names.includes(`trusted.overlay.${what}`) || names.includes(`user.overlay.${what}`);
}

/** How often onProgress fires: often enough for a progress bar, rare enough to cost nothing. */
const PROGRESS_EVERY = 10_000;

/** Synchronous: a layer is read start to end in one call. onProgress gets the running file count. */
export function scanLayer(dir: string, opts: { onProgress?: (files: number) => void; budget?: WalkBudget } = {}): LayerScan {
  let rootStat: fs.Stats;
  try {
    rootStat = fs.lstatSync(dir);
  } catch {
    throw new Error(`no such directory: ${dir}`);
  }
  if (!rootStat.isDirectory()) throw new Error(`not a directory: ${dir}`);

  const scan: LayerScan = {
    path: dir,
    files: 0,
    dirs: 0,
    symlinks: 0,
    bytes: 0,
    whiteouts: [],
    opaqueDirs: [],
    redirects: [],
    metacopy: [],
    problems: [],
  };
  const parentOf = (rel: string): string => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');

  // `at` names each entry through its pinned parent directory: l* calls on it never follow the entry,
  // and no component above it can have been swapped (walk.ts).
  const walked = walkTree(
    dir,
    ({ rel, at, dirFd, dirent }) => {
      const name = dirent.name;
      if (dirent.isDirectory()) {
        scan.dirs++;
        const names = listXattrs(at);
        if (names.length) {
          const opaque = entryMark(dirFd, name, 'opaque', PREFIXES);
          if (opaque?.toString() === 'y') scan.opaqueDirs.push({ path: rel, kind: 'xattr' });
          const redirect = hasOverlayXattr(names, 'redirect') ? entryMark(dirFd, name, 'redirect', PREFIXES) : null;
          if (redirect) scan.redirects.push({ path: rel, target: redirect.toString() });
        }
        return;
      }
      if (dirent.isSymbolicLink()) {
        scan.symlinks++;
        return;
      }
      // AUFS / fuse-overlayfs style markers are files too, but they stand for deletions, not content.
      if (name === WH_OPAQUE) {
        scan.opaqueDirs.push({ path: parentOf(rel), kind: 'wh-opq' });
        return;
      }
      if (name.startsWith(WH_PREFIX)) {
        const parent = parentOf(rel);
        const deleted = name.slice(WH_PREFIX.length);
        scan.whiteouts.push({ path: parent ? `${parent}/${deleted}` : deleted, kind: 'wh-file' });
        return;
      }
      let st: fs.Stats;
      try {
        st = fs.lstatSync(at);
      } catch {
        return; // removed while we walked
      }
      if (isChardevWhiteout(st)) {
        scan.whiteouts.push({ path: rel, kind: 'chardev' });
        return;
      }
      if (!st.isFile()) return; // fifos, sockets, other devices: neither content bytes nor marks
      if (st.size === 0 || st.blocks === 0) {
        const names = listXattrs(at);
        if (st.size === 0 && hasOverlayXattr(names, 'whiteout')) {
          scan.whiteouts.push({ path: rel, kind: 'xattr' });
          return;
        }
        if (hasOverlayXattr(names, 'metacopy')) scan.metacopy.push(rel);
      }
      scan.files++;
      scan.bytes += st.size;
      if (opts.onProgress && scan.files % PROGRESS_EVERY === 0) opts.onProgress(scan.files);
    },
    scan.problems,
    opts.budget,
  );
  if (walked.truncated) scan.truncated = true;
  return scan;
}
