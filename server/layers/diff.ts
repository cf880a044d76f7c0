/**
 * What a running container changed against its image, as `docker diff` reports it, read from the
 * container's upper (writable) layer: overlayfs only creates an entry there when the container wrote it
 * (Documentation/filesystems/overlayfs.rst). For every entry of the upper layer:
 *  - a whiteout (0/0 device, xattr whiteout, or a `.wh.` file) → D for the name it deletes;
 *  - a file the image also has at that path → C (copied up: the container wrote to it or changed it);
 *  - a directory the image also has → C only when its owner or mode differ from the image's, or when
 *    something below it changed: overlayfs copies a directory up whenever anything inside is touched,
 *    even if nothing is left changed (a file made and removed again), and docker diff skips those too;
 *  - any other name → A. Below an opaque directory the image has nothing left: everything there is A.
 * "The image has it" is the overlay lookup in the lower layers alone (whence.ts, without following a
 * symlink: a directory the container made where the image had a link is new).
 * The walk is streamed and by fd (walk.ts: nothing a container swaps in mid-walk is followed), and stops
 * looking at `limit` changes, saying so; overlay marks are read under the mount's own prefix (overlayMarks.ts).
 */
import * as fs from 'fs';
import type { ContainerChange, ContainerDiff, Problem, RootfsInfo } from '../protocol';
import { forEachEntry, lstatBeneath, lstatEntry, openChildDir, openDirBeneath } from '../sys/pinnedDir';
import { isOpaqueDir, isWhiteout, markPrefixes, WH_OPAQUE, WH_PREFIX } from './overlayMarks';
import { WalkBudget, walkTree } from './walk';
import { openLayers, whence, type OpenLayers } from './whence';

function fileTypeOf(st: fs.Stats): ContainerChange['fileType'] {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

export function containerDiff(rootfs: RootfsInfo, containerId: string, limit: number): ContainerDiff {
  const upper = rootfs.layers.find((l) => l.role === 'upper');
  if (!upper) throw new Error('no writable (upper) layer: nothing the container wrote is kept apart from the image');
  const image: RootfsInfo = { ...rootfs, layers: rootfs.layers.filter((l) => l.role !== 'upper') };
  const layers = openLayers(image);
  try {
    return diffAgainst(layers, upper.path, markPrefixes(rootfs), image, containerId, limit);
  } finally {
    layers.close();
  }
}

function diffAgainst(
  layers: OpenLayers,
  upperPath: string,
  prefixes: ReturnType<typeof markPrefixes>,
  image: RootfsInfo,
  containerId: string,
  limit: number,
): ContainerDiff {
  /** The image's entry at `p` (lstat of its providing layer's copy), or null when the image has none. */
  const inImageStat = (p: string): fs.Stats | null => {
    const w = whence(image, containerId, p, null, layers);
    if (!w.visible || w.resolvedPath !== undefined || !w.provider) return null;
    const root = layers.layers.find((l) => l.ref === w.provider)?.root ?? null;
    return root === null ? null : lstatBeneath(root, p.split('/').filter(Boolean));
  };
  const inImage = (p: string): boolean => inImageStat(p) !== null;
  /** Directories the image has too whose owner and mode are unchanged: C only if a change lies below. */
  const sameDirs = new Set<string>();
  const problems: Problem[] = [...layers.problems];
  const changes: ContainerChange[] = [];
  const budget = new WalkBudget();
  // Directories of the upper layer that are opaque, or below one: the image has nothing there.
  const fresh = new Set<string>();
  // Past the limit nothing more is looked up (each lookup is a walk through the image's layers): the
  // agent answers every client on one thread, and a writable layer can hold millions of files.
  let truncated = false;
  const add = (c: ContainerChange): void => {
    if (changes.length < limit) changes.push(c);
    else truncated = true;
  };

  const walked = walkTree(
    upperPath,
    ({ rel, dirFd, dirent }) => {
      if (changes.length >= limit) {
        truncated = true;
        return false;
      }
      const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
      const under = fresh.has(parent);
      if (dirent.name === WH_OPAQUE) return; // its directory is reported as opaque
      const st = lstatEntry(dirFd, dirent.name);
      if (!st) return; // removed while we walked
      const kernelWhiteout = isWhiteout(dirFd, dirent.name, st, prefixes);
      if (kernelWhiteout || (dirent.name.startsWith(WH_PREFIX) && st.isFile())) {
        const name = kernelWhiteout ? dirent.name : dirent.name.slice(WH_PREFIX.length);
        add({ path: `/${parent ? `${parent}/` : ''}${name}`, kind: 'D', fileType: null });
        return;
      }
      const path = `/${rel}`;
      const before = under ? null : inImageStat(path);
      const existed = before !== null;
      // The directory itself, pinned: its opaque marks and, below, what it holds again.
      let self = -1;
      if (st.isDirectory()) {
        try {
          self = openChildDir(dirFd, dirent.name);
        } catch {
          return; // swapped for something else since the lstat: the walk says so when it gets there
        }
      }
      try {
        const opaque = self >= 0 && isOpaqueDir(self, prefixes);
        if (st.isDirectory() && (under || opaque)) fresh.add(rel);
        if (
          before?.isDirectory() &&
          st.isDirectory() &&
          !opaque &&
          before.mode === st.mode &&
          before.uid === st.uid &&
          before.gid === st.gid
        )
          sameDirs.add(path);
        add({ path, kind: existed ? 'C' : 'A', fileType: fileTypeOf(st), ...(opaque ? { opaque: true } : {}) });
        // An opaque directory hides what the image had in it, without a whiteout for each: the image's
        // entries right below it that the upper does not hold again are deletions (as docker diff lists them).
        if (opaque && existed) {
          for (const name of imageChildren(layers, path, budget)) {
            if (!lstatEntry(self, name) && inImage(`${path}/${name}`)) add({ path: `${path}/${name}`, kind: 'D', fileType: null });
          }
        }
      } finally {
        if (self >= 0) fs.closeSync(self);
      }
    },
    problems,
    budget,
  );
  if (walked.truncated) truncated = true;
  // A directory copied up with nothing changed below it and its own metadata as the image's is no change.
  const changedBelow = new Set<string>();
  for (const c of changes) {
    if (sameDirs.has(c.path)) continue;
    for (let d = c.path.slice(0, c.path.lastIndexOf('/')); d; d = d.slice(0, d.lastIndexOf('/'))) changedBelow.add(d);
  }
  // Cut short, a directory's changed entries may lie beyond the limit: then it stays listed.
  const kept = truncated ? [...changes] : changes.filter((c) => !sameDirs.has(c.path) || changedBelow.has(c.path));
  kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { container: containerId, upper: upperPath, changes: kept, truncated, problems };
}

/** Names any lower layer has directly in `dir` (whiteout markers as the names they delete); to be checked with inImage. */
function imageChildren(layers: OpenLayers, dir: string, budget: WalkBudget): string[] {
  const names = new Set<string>();
  for (const l of layers.layers) {
    if (l.root === null) continue;
    let fd: number;
    try {
      fd = openDirBeneath(l.root, dir.split('/').filter(Boolean));
    } catch {
      continue;
    }
    try {
      // Counted in the request's budget: an image directory can be as large as any other.
      forEachEntry(fd, (d) => {
        if (!budget.take()) return false;
        if (d.name !== WH_OPAQUE) names.add(d.name.startsWith(WH_PREFIX) ? d.name.slice(WH_PREFIX.length) : d.name);
      });
    } catch {
      // unreadable: as if empty
    } finally {
      fs.closeSync(fd);
    }
  }
  return [...names];
}
