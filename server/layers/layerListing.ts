/**
 * `layers.list`: one directory of a layer stack, as one layer holds it or as the merged view of that
 * layer and those below sees it (dive's "aggregated" view), each entry marked against the layers below:
 * A added, M modified (the layers below have it too), R removed (a whiteout, or the directory made
 * opaque), U unmodified (the listed layer does not touch it; merged view only).
 *
 * Lookups follow overlayfs (Documentation/filesystems/overlayfs.rst): top-most layer first; a name in a
 * higher layer hides it below, two directories merge; a whiteout, a non-directory or an opaque directory
 * on the way ends the merge for the layers below. Every directory is opened by fd, one component at a
 * time, never through a symlink (sys/pinnedDir.ts): a link a container plants in a layer leads nowhere.
 * Below an opaque directory of the listed layer, as in `docker diff`, what it holds is A.
 */
import * as fs from 'fs';
import { ErrorCodes, type LayerListing, type ListingEntry, type Problem } from '../protocol';
import { refuse, echo } from '../failure';
import { forEachEntry, lstatEntry, openChildDir, openDir, openDirBeneath } from '../sys/pinnedDir';
import { dirMark, isChardevWhiteout, isOpaqueDir, isWhiteout, WH_OPAQUE, WH_PREFIX, type MarkPrefix } from './overlayMarks';
import type { LayerStack } from './layerStack';
import type { WalkBudget } from './walk';

/** Names one listing looks at per layer: a directory of millions of entries is not read whole. */
export const LIST_MAX = 100_000;

type EntryType = ListingEntry['type'];

interface Own {
  type: EntryType;
  bytes: number;
  opaque: boolean;
  /** The layer (report index) holding it: set when read, so views share the records instead of copying them. */
  layer: number;
}

/** What one layer holds at a directory path. */
interface LayerDir {
  /** The layer has the directory. */
  exists: boolean;
  /** The layers below see nothing of it: a whiteout, a non-directory or an opaque directory at it or above it. */
  endsMerge: boolean;
  /** The directory itself is opaque in this layer. */
  opaque: boolean;
  entries: Map<string, Own>;
  whiteouts: Set<string>;
  truncated: boolean;
}

function typeOf(st: fs.Stats): EntryType {
  return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
}

/** How much of a layer's directory one read looks at, and whether its subdirectories are opened for their opaque mark. */
export interface ReadOptions {
  max: number;
  childMarks: boolean;
  /**
   * lstat every entry for its size. Without: the type comes from getdents (DT_*), sizes are 0 and
   * only devices, entries of unknown type and files that may be xattr whiteouts are looked at; the
   * explorer then sizes just the page it returns (statPage).
   */
  sizes?: boolean;
  /** Shared by every read of one request: its entries and its time (walk.ts). */
  budget?: WalkBudget;
}

const FULL_READ: ReadOptions = { max: LIST_MAX, childMarks: true, sizes: true };

/** The entry's type from getdents where it is one of ours, else null (a device, a FIFO, or DT_UNKNOWN: lstat it). */
function direntType(d: fs.Dirent): EntryType | null {
  return d.isFile() ? 'file' : d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'symlink' : null;
}

/** A layer that does not have the directory; `endsMerge` when it hides it from the layers below too. */
function noDir(endsMerge: boolean): LayerDir {
  return { exists: false, endsMerge, opaque: false, entries: new Map(), whiteouts: new Set(), truncated: false };
}

/**
 * Walks `comps` down from the directory `root` (not closed here): a new fd on the directory they name,
 * or null where this layer does not have it; and whether the layers below see nothing of it (a whiteout,
 * a non-directory or an opaque directory at it or above it, or `endsMergeAbove`).
 */
function descend(
  root: number,
  comps: string[],
  prefixes: readonly MarkPrefix[],
  endsMergeAbove = false,
): { fd: number | null; endsMerge: boolean } {
  let fd = root;
  let endsMerge = endsMergeAbove;
  const close = (): void => {
    if (fd !== root) fs.closeSync(fd);
  };
  try {
    for (const c of comps) {
      const st = lstatEntry(fd, c);
      if (!st) return { fd: null, endsMerge: endsMerge || lstatEntry(fd, WH_PREFIX + c) !== null };
      if (!st.isDirectory()) return { fd: null, endsMerge: true }; // a whiteout or a non-directory: the lower layers' directory is gone
      let next: number;
      try {
        next = openChildDir(fd, c);
      } catch {
        return { fd: null, endsMerge: true }; // swapped for a non-directory since the lstat
      }
      close();
      fd = next;
      if (isOpaqueDir(fd, prefixes)) endsMerge = true;
    }
    const at = fd === root ? openDirBeneath(root, []) : fd;
    fd = root; // handed over: not closed below
    return { fd: at, endsMerge };
  } finally {
    close();
  }
}

function readLayerDir(
  root: number,
  index: number,
  comps: string[],
  prefixes: readonly MarkPrefix[],
  opts: ReadOptions = FULL_READ,
  endsMergeAbove = false,
): LayerDir {
  const at = descend(root, comps, prefixes, endsMergeAbove);
  if (at.fd === null) return noDir(at.endsMerge);
  const fd = at.fd;
  const endsMerge = at.endsMerge;
  try {
    const opaque = comps.length > 0 && isOpaqueDir(fd, prefixes);
    // A listing is what readdir of the mounted overlay shows, and readdir takes a zero-size file with an
    // overlay.whiteout xattr for a whiteout only in a directory marked overlay.opaque=x (Linux 6.7+,
    // "ovl: mark xwhiteouts directory with overlay.opaque='x'"); elsewhere it lists it (a lookup of the
    // name then fails: the kernel's own two views, checked in layerExplore.test.ts). So one getxattr per
    // empty file is needed only there (a directory of 100,000 empty files took 4 s more to list).
    const xattrWhiteouts = dirMark(fd, 'opaque', prefixes)?.toString() === 'x';
    const out: LayerDir = {
      exists: true,
      endsMerge: endsMerge || opaque,
      opaque,
      entries: new Map(),
      whiteouts: new Set(),
      truncated: false,
    };
    let seen = 0;
    forEachEntry(fd, (d) => {
      if (++seen > opts.max || (opts.budget && !opts.budget.take())) {
        out.truncated = true;
        return false;
      }
      if (d.name === WH_OPAQUE) return;
      const known = direntType(d);
      if (d.name.startsWith(WH_PREFIX) && known === 'file') {
        out.whiteouts.add(d.name.slice(WH_PREFIX.length));
        return;
      }
      const st = opts.sizes !== false || known === null || (xattrWhiteouts && known === 'file') ? lstatEntry(fd, d.name) : null;
      if (!st && (opts.sizes !== false || known === null)) return; // gone since getdents
      if (st && (isChardevWhiteout(st) || (xattrWhiteouts && isWhiteout(fd, d.name, st, prefixes)))) {
        out.whiteouts.add(d.name);
        return;
      }
      const type = st ? typeOf(st) : known!;
      let dirOpaque = false;
      if (type === 'dir' && opts.childMarks) {
        try {
          const child = openChildDir(fd, d.name);
          try {
            dirOpaque = isOpaqueDir(child, prefixes);
          } finally {
            fs.closeSync(child);
          }
        } catch {
          /* swapped mid-listing: listed without the mark */
        }
      }
      out.entries.set(d.name, { type, bytes: st?.isFile() ? st.size : 0, opaque: dirOpaque, layer: index });
    });
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

type Seen = Own;

/** The merged view at the directory of the layers given (top-most first): visible names with their providing layer. */
function mergedView(dirs: { index: number; dir: LayerDir }[]): Map<string, Seen> {
  // One layer alone decides the view (the usual case for a big directory): its own map, not a copy.
  const reach = dirs.findIndex((d) => d.dir.endsMerge);
  const seen = reach < 0 ? dirs : dirs.slice(0, reach + 1);
  const holding = seen.filter((d) => d.dir.entries.size || d.dir.whiteouts.size);
  if (holding.length === 0) return new Map();
  if (holding.length === 1) return holding[0].dir.entries;
  const decided = new Map<string, Seen | null>();
  for (const { dir } of seen) {
    for (const [name, e] of dir.entries) if (!decided.has(name)) decided.set(name, e);
    for (const name of dir.whiteouts) if (!decided.has(name)) decided.set(name, null);
  }
  const out = new Map<string, Seen>();
  for (const [name, e] of decided) if (e) out.set(name, e);
  return out;
}

/** Whether the merged view has the directory: a layer has it before one ends the merge (a link or a whiteout over it). */
function visibleDir(dirs: { dir: LayerDir }[]): boolean {
  for (const { dir } of dirs) {
    if (dir.exists) return true;
    if (dir.endsMerge) return false;
  }
  return false;
}

/** Path components of an absolute path in the container; `.` and `..` refused (nothing here resolves them). */
export function pathComponents(p: string): string[] {
  if (!p.startsWith('/')) throw refuse(ErrorCodes.InvalidParams, `"path" must be absolute, got "${echo(p)}"`);
  const comps = p.split('/').filter(Boolean);
  if (comps.some((c) => c === '.' || c === '..'))
    throw refuse(ErrorCodes.InvalidParams, `"path" must not hold . or .. components, got "${echo(p)}"`);
  return comps;
}

/** The position in the stack of the layer the report calls `layer`; a bad index is refused in one line. */
export function layerPosition(stack: LayerStack, layer: number): number {
  const pos = stack.layers.findIndex((l) => l.index === layer);
  if (pos < 0)
    throw refuse(
      ErrorCodes.InvalidParams,
      `no layer ${layer} in ${echo(stack.target.name)}: its layers are 0 to ${stack.layers.length - 1}`,
    );
  return pos;
}

/** The directory at `comps` in the layer at `pos` and every layer below it, each opened by fd from its root. */
function readLayers(
  stack: LayerStack,
  pos: number,
  comps: string[],
  problems: Problem[],
  opts: ReadOptions = FULL_READ,
  count = Infinity,
): { index: number; dir: LayerDir }[] {
  const dirs: { index: number; dir: LayerDir }[] = [];
  for (const l of stack.layers.slice(pos, pos + count)) {
    let root: number;
    try {
      root = openDir(l.dir);
    } catch (err) {
      problems.push({
        source: l.dir,
        message: `layer directory unreadable (${(err as NodeJS.ErrnoException).code ?? err}): looked at as empty`,
      });
      dirs.push({ index: l.index, dir: noDir(false) });
      continue;
    }
    try {
      dirs.push({ index: l.index, dir: readLayerDir(root, l.index, comps, stack.prefixes, opts) });
    } finally {
      fs.closeSync(root);
    }
    // Below the listed layer, the layers under an opaque directory or a whiteout are never seen at this
    // path: not read. (The listed layer's own opaque dir still needs the layers below: what it hides is R.)
    if (dirs.length > 1 && dirs[dirs.length - 1].dir.endsMerge) break;
  }
  return dirs;
}

/** Whether the directories read show anything in the view: a short read taken as not empty. */
function showsEntries(dirs: { index: number; dir: LayerDir }[], merged: boolean): boolean {
  if (!merged) return dirs[0].dir.entries.size > 0 || dirs[0].dir.whiteouts.size > 0 || dirs[0].dir.truncated;
  return dirs.some((d) => d.dir.truncated) || mergedView(dirs).size > 0;
}

/**
 * Which of the directories `names`, children of the directory at `comps`, show anything in the view (the
 * layer at `pos` alone, or merged up to it): a short read of each layer, `max` names at most; a directory
 * with more is taken as not empty. The directory at `comps` is walked to once per layer and held by fd
 * for all the children: a page of 500 directories 1,000 levels down was 500 walks of 1,000 levels (81 s here).
 */
export function childrenWithEntries(
  stack: LayerStack,
  pos: number,
  comps: string[],
  names: string[],
  merged: boolean,
  budget?: WalkBudget,
): Set<string> {
  const out = new Set<string>();
  if (!names.length) return out;
  // Each layer's directory at `comps`, as readLayers would reach it (no marks by xattr: a short read, as before).
  const parents: { index: number; fd: number | null; endsMerge: boolean }[] = [];
  try {
    for (const l of stack.layers.slice(pos, merged ? undefined : pos + 1)) {
      let root: number;
      try {
        root = openDir(l.dir);
      } catch {
        parents.push({ index: l.index, fd: null, endsMerge: false });
        continue;
      }
      try {
        parents.push({ index: l.index, ...descend(root, comps, []) });
      } finally {
        fs.closeSync(root);
      }
      if (parents.length > 1 && parents[parents.length - 1].endsMerge) break;
    }
    const opts: ReadOptions = { max: 64, childMarks: false, budget };
    for (const name of names) {
      const dirs: { index: number; dir: LayerDir }[] = [];
      for (const p of parents) {
        dirs.push({ index: p.index, dir: p.fd === null ? noDir(p.endsMerge) : readLayerDir(p.fd, p.index, [name], [], opts, p.endsMerge) });
        if (dirs.length > 1 && dirs[dirs.length - 1].dir.endsMerge) break;
      }
      if (showsEntries(dirs, merged)) out.add(name);
    }
    return out;
  } finally {
    for (const p of parents) if (p.fd !== null) fs.closeSync(p.fd);
  }
}

/**
 * Sizes and opaque marks for the entries of one page of a listing read without them (`sizes: false`,
 * no child marks): each entry looked at in the layer that provides it, the directory opened by fd from
 * that layer's root. An entry gone since the listing keeps size 0.
 */
export function statPage(stack: LayerStack, comps: string[], entries: ListingEntry[]): void {
  const byLayer = new Map<number, ListingEntry[]>();
  for (const e of entries)
    if (e.type === 'file' || (e.type === 'dir' && e.mark !== 'R')) {
      const list = byLayer.get(e.layer);
      if (list) list.push(e);
      else byLayer.set(e.layer, [e]);
    }
  for (const [index, list] of byLayer) {
    const l = stack.layers.find((x) => x.index === index);
    if (!l) continue;
    let root: number | null = null;
    let dir: number | null = null;
    try {
      root = openDir(l.dir);
      dir = openDirBeneath(root, comps);
      for (const e of list) {
        if (e.type === 'file') {
          const st = lstatEntry(dir, e.name);
          e.bytes = st?.isFile() ? st.size : 0;
          continue;
        }
        try {
          const child = openChildDir(dir, e.name);
          try {
            if (isOpaqueDir(child, stack.prefixes)) e.opaque = true;
          } finally {
            fs.closeSync(child);
          }
        } catch {
          /* swapped since the listing: no mark */
        }
      }
    } catch {
      /* the directory went away since the listing: sizes stay 0 */
    } finally {
      if (dir !== null) fs.closeSync(dir);
      if (root !== null) fs.closeSync(root);
    }
  }
}

export function listLayerDir(
  stack: LayerStack,
  path: string,
  layer: number,
  merged: boolean,
  budget?: WalkBudget,
  sizes = true,
): LayerListing {
  const comps = pathComponents(path);
  const pos = layerPosition(stack, layer);
  const problems: Problem[] = [];
  const dirs = readLayers(stack, pos, comps, problems, { ...FULL_READ, budget, sizes, childMarks: sizes });
  const own = dirs[0].dir;
  const below = mergedView(dirs.slice(1));
  // Below an opaque directory of the listed layer nothing of the layers below shows: all of it is new.
  const fresh = own.endsMerge && own.exists;
  const entries: ListingEntry[] = [];
  const push = (name: string, e: Seen, mark: ListingEntry['mark'], extra: Partial<ListingEntry> = {}): void => {
    entries.push({
      name,
      type: e.type,
      bytes: e.bytes,
      mark,
      layer: e.layer,
      ...(e.opaque && mark !== 'R' ? { opaque: true } : {}),
      ...extra,
    });
  };
  const shown = merged ? mergedView(dirs) : own.entries;
  for (const [name, e] of shown) {
    if (e.layer !== layer) push(name, e, 'U');
    else push(name, e, !fresh && below.has(name) ? 'M' : 'A');
  }
  for (const name of own.whiteouts) {
    const was = below.get(name);
    if (was && !fresh) push(name, was, 'R', { whiteout: true });
  }
  if (own.opaque) {
    for (const [name, was] of below) if (!own.entries.has(name)) push(name, was, 'R', { hiddenByOpaque: true });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (!own.exists && !merged) problems.push({ source: `layer ${layer}`, message: `has no directory ${path}` });
  if (merged && !visibleDir(dirs))
    throw refuse(ErrorCodes.NotFound, `no directory ${echo(path)} in ${echo(stack.target.name)} up to layer ${layer}`);
  return {
    target: stack.target,
    path: `/${comps.join('/')}`,
    layer,
    merged,
    opaque: own.opaque || (own.exists && own.endsMerge),
    entries,
    truncated: dirs.some((d) => d.dir.truncated),
    problems,
  };
}
