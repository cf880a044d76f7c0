/**
 * Where a path in a container's merged view comes from, found the way overlayfs looks it up
 * (fs/overlayfs/namei.c): component by component, layers top-down (upper, then lowers top-most first;
 * data-only lowers are never looked up by name).
 *
 * For each component, in each layer still "live" for the parent directory:
 *  - a whiteout ends the lookup below it: the name is deleted, by that layer, if no higher layer has it;
 *  - a non-directory ends the lookup below it: it is the entry, lower copies are hidden (shadowed);
 *  - a directory merges with lower directories of the same name, unless it is opaque, which hides every
 *    lower one; with `overlay.redirect` the lower layers are looked up at the redirect's path instead.
 *
 * Every test is an lstat of one name in a layer directory held open by fd, each directory on the way opened
 * from its parent without following anything (sys/pinnedDir.ts): a container that swaps a directory of
 * its layer for a link to the host's /etc mid-lookup leads nowhere. Overlay marks are read under the one
 * xattr prefix the mount uses (overlayMarks.ts); a redirect is followed only as the kernel follows it
 * (one plain name, or plain names from the layer's root; never `..`), else it is reported and the lookup
 * stops below it, as the kernel's does (EPERM/EINVAL). A symlink in the
 * middle of the path (`/bin -> usr/bin` on merged-usr images) is resolved the way the container's kernel
 * would, against the container's root: its target is read from the layer that provides it, and the
 * lookup starts again at the resolved path (`resolvedPath`), at most 40 times (Linux's MAXSYMLINKS). The
 * last component is not followed, as with lstat. Paths with `..` are normalised and cannot climb above
 * the container root.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LayerRef, Problem, RootfsInfo, Whence } from '../protocol';
import { entryPath, lstatBeneath, lstatEntry, openChildDir, openDir, openDirBeneath } from '../sys/pinnedDir';
import { dirMark, entryMark, isOpaqueDir, isWhiteout, markPrefixes, type MarkPrefix, WH_PREFIX } from './overlayMarks';

function fileType(st: fs.Stats): Whence['fileType'] {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** Linux's limit on symlinks followed in one lookup (include/linux/namei.h MAXSYMLINKS). */
const MAX_SYMLINKS = 40;
/** Linux's PATH_MAX: no longer path names anything in the container, so none is looked up. */
const PATH_MAX = 4096;

/** A container's lookup layers, each pinned by its root directory's fd, for the lookups of one request. */
export interface OpenLayers {
  /** Upper, then lowers top-most first; root is null where the directory could not be opened (a problem says why). */
  layers: { ref: LayerRef; root: number | null }[];
  prefixes: readonly MarkPrefix[];
  /** null when the mount follows redirects; else why it does not. */
  noRedirects: string | null;
  problems: Problem[];
  close(): void;
}

/** Opens the layers whence looks in (data-only lowers are never looked up by name); close() when done. */
export function openLayers(rootfs: RootfsInfo): OpenLayers {
  const problems: Problem[] = [];
  const layers = rootfs.layers
    .filter((l) => l.role !== 'data')
    .map((ref) => {
      try {
        return { ref, root: openDir(ref.path) };
      } catch (err) {
        problems.push({
          source: ref.path,
          message: `layer directory unreadable (${(err as NodeJS.ErrnoException).code ?? err}): looked up as empty`,
        });
        return { ref, root: null };
      }
    });
  const o = rootfs.overlay;
  // fs/overlayfs/params.c: userxattr forces redirect_dir=nofollow; mountinfo shows any other non-default mode.
  const noRedirects = o?.userxattr
    ? 'the mount uses userxattr, which never follows redirects'
    : o?.redirectDir === 'nofollow'
      ? 'the mount has redirect_dir=nofollow'
      : null;
  return {
    layers,
    prefixes: markPrefixes(rootfs),
    noRedirects,
    problems,
    close: () => layers.forEach((l) => l.root !== null && fs.closeSync(l.root)),
  };
}

export function whence(rootfs: RootfsInfo, containerId: string, rawPath: string, initPid: number | null, opened?: OpenLayers): Whence {
  const layers = opened ?? openLayers(rootfs);
  try {
    const { served: _served, symlinks: _symlinks, ...found } = whenceIn(layers, containerId, rawPath, initPid);
    return found;
  } finally {
    if (!opened) layers.close();
  }
}

/**
 * Where the entry at `rawPath` is in the layers that hold it, top-most first (server/files/layerFiles.ts
 * opens it there): one layer for anything but a directory, every merged one for a directory. `comps` is
 * its path inside that layer, redirects applied. Symlinks on the way are followed, the last one not.
 */
export interface Served {
  ref: LayerRef;
  comps: string[];
}

/**
 * whence without the container's own view: the lookup in `layers` alone, where its entry is served from,
 * and how many symlinks on the way it followed. `maxSymlinks`: what is left of the kernel's 40 when the
 * caller follows links at the end itself (the kernel counts both kinds together).
 */
export function lookupServed(
  layers: OpenLayers,
  rawPath: string,
  maxSymlinks = MAX_SYMLINKS,
): { found: Whence; served: Served[]; symlinks: number } {
  const { served, symlinks, ...found } = whenceIn(layers, '', rawPath, null, maxSymlinks);
  return { found, served: served ?? [], symlinks: symlinks ?? 0 };
}

function whenceIn(layers: OpenLayers, containerId: string, rawPath: string, initPid: number | null, maxSymlinks = MAX_SYMLINKS): Lookup {
  const problems: Problem[] = [...layers.problems];
  const requested = path.posix.normalize(`/${rawPath}`);
  if (requested.length >= PATH_MAX) {
    const r = emptyLookup(containerId, `${requested.slice(0, 64)}…`);
    r.problems = [
      {
        source: r.path,
        message: `a path of ${requested.length} bytes, longer than PATH_MAX (${PATH_MAX}): names nothing in the container (ENAMETOOLONG)`,
      },
    ];
    return r;
  }
  let at = requested;
  let result = lookupInLayers(layers, containerId, at, problems);
  let hops = 0;
  for (; result.symlinkAt; hops++) {
    if (hops >= maxSymlinks || result.symlinkAt.resolved.length >= PATH_MAX) {
      // The lookup stopped at a symlink: nothing visible, nothing provided, and this says why.
      problems.push({
        source: requested,
        message:
          hops >= maxSymlinks
            ? `more than ${MAX_SYMLINKS} symlinks on the way (ELOOP): not resolved`
            : `symlinks on the way lead to a path longer than PATH_MAX (ENAMETOOLONG): not resolved`,
      });
      break;
    }
    at = result.symlinkAt.resolved;
    result = lookupInLayers(layers, containerId, at, problems);
  }
  delete result.symlinkAt;
  result.symlinks = hops;
  result.path = requested;
  if (at !== requested) result.resolvedPath = at;
  const merged = mergedView(initPid, at, problems);
  result.inodes.merged = merged?.ino ?? null;
  // The container's own view is the independent check: a volume or bind mount over the path, or a layer
  // changed since the container started, shows up as a disagreement, reported rather than smoothed over.
  if (merged !== undefined && (merged !== null) !== result.visible) {
    problems.push({
      source: `/proc/${initPid}/root${at}`,
      message: result.visible
        ? 'the layers provide this path but the container does not see it (a mount hides it, or the layers changed)'
        : 'the container sees this path but no layer provides it (a volume or bind mount covers it)',
    });
  }
  if (problems.length) result.problems = problems;
  return result;
}

/** A lookup, and where it must go on when a component on the way is a symlink. */
type Lookup = Whence & { symlinkAt?: { resolved: string }; served?: Served[]; symlinks?: number };

function emptyLookup(containerId: string, p: string): Lookup {
  return {
    container: containerId,
    path: p,
    visible: false,
    fileType: null,
    provider: null,
    deletedBy: null,
    hiddenByOpaque: null,
    shadowed: [],
    copiedUp: false,
    inodes: { merged: null, layers: [] },
  };
}

/**
 * An overlay.redirect as the kernel takes it (fs/overlayfs/util.c ovl_get_redirect_xattr, namei.c
 * ovl_lookup_single): absolute, `/` then plain names looked up from each lower layer's root; or one plain
 * name looked up in the same parent. null for anything else: an empty component, a `/` in a relative one,
 * `.` or `..` (the kernel's lookup_one refuses those), which could only lead out of the layer.
 */
export function parseRedirect(v: string): { absolute: boolean; comps: string[] } | null {
  const plain = (c: string): boolean => c !== '' && c !== '.' && c !== '..' && !c.includes('\0');
  if (v.startsWith('/')) {
    const comps = v.slice(1).split('/');
    return comps.every(plain) ? { absolute: true, comps } : null;
  }
  return plain(v) && !v.includes('/') ? { absolute: false, comps: [v] } : null;
}

interface Live {
  ref: LayerRef;
  /** The layer's root directory fd. */
  root: number;
  /** The directory being looked in, inside this layer, pinned. */
  dir: number;
  /** Its path inside the layer (a redirect makes it differ from the path looked up). */
  at: string[];
}

/** Where a name is looked up in one layer: entry `name` of the pinned directory `dirFd`. */
interface Spot {
  dirFd: number;
  name: string;
}

interface Found extends Live {
  spot: Spot;
  st: fs.Stats;
  /** The entry itself pinned, when it is a directory (else -1). */
  self: number;
}

function lookupInLayers(layers: OpenLayers, containerId: string, rawPath: string, problems: Problem[]): Lookup {
  const normalized = path.posix.normalize(`/${rawPath}`);
  const comps = normalized.split('/').filter(Boolean);
  const result = emptyLookup(containerId, normalized);
  const { prefixes } = layers;
  let live: Live[] = layers.layers.flatMap((l) => (l.root === null ? [] : [{ ref: l.ref, root: l.root, dir: l.root, at: [] as string[] }]));
  /** Lower layers that an opaque directory on the path cut off, and which layer's directory did. */
  const cutOff: { ref: LayerRef; root: number; by: LayerRef }[] = [];

  if (!comps.length) {
    const top = live[0];
    if (top)
      Object.assign(result, {
        visible: true,
        fileType: 'dir',
        provider: top.ref,
        shadowed: live.slice(1).map((l) => l.ref),
        served: live.map((l) => ({ ref: l.ref, comps: [] })),
      });
    return result;
  }

  // fds opened while looking at the previous component (the live directories among them) and this one.
  let before: number[] = [];
  let now: number[] = [];
  try {
    for (let i = 0; i < comps.length; i++) {
      const name = comps[i];
      const last = i === comps.length - 1;
      const found: Found[] = [];
      let redirect: { absolute: boolean; comps: string[] } | null = null;
      let deletedBy: LayerRef | null = null;
      /** Lower layers that still hold the name a whiteout deleted: the whiteout masks their copies, it does not remove them. */
      const maskedBelow: LayerRef[] = [];
      let stoppedAt = -1;
      /** Where the name is looked up in layer `l`: its live directory, or where a redirect above points (null: not in this layer). */
      const spotIn = (l: Live): Spot | null => {
        if (!redirect) return { dirFd: l.dir, name };
        if (!redirect.absolute) return { dirFd: l.dir, name: redirect.comps[0] };
        let parent: number;
        try {
          parent = openDirBeneath(l.root, redirect.comps.slice(0, -1));
        } catch {
          return null;
        }
        now.push(parent);
        return { dirFd: parent, name: redirect.comps[redirect.comps.length - 1] };
      };
      /** The path inside layer `l` of what spotIn found there. */
      const inLayer = (l: Live, spot: Spot): string[] => (redirect?.absolute ? redirect.comps : [...l.at, spot.name]);

      for (let k = 0; k < live.length; k++) {
        const l = live[k];
        const spot = spotIn(l);
        if (!spot) continue;
        const st = lstatEntry(spot.dirFd, spot.name);
        const whiteout = st ? isWhiteout(spot.dirFd, spot.name, st, prefixes) : lstatEntry(spot.dirFd, `${WH_PREFIX}${spot.name}`) !== null;
        if (whiteout) {
          if (!found.length) {
            deletedBy = l.ref;
            for (const lower of last ? live.slice(k + 1) : []) {
              const there = spotIn(lower);
              const lst = there && lstatEntry(there.dirFd, there.name);
              if (there && lst && !isWhiteout(there.dirFd, there.name, lst, prefixes)) maskedBelow.push(lower.ref);
            }
          }
          stoppedAt = k;
          break;
        }
        if (!st) continue;
        if (found.length && !(found[0].st.isDirectory() && st.isDirectory())) {
          // A lower entry the upper one hides (file over file, file over dir, dir over file).
          if (last) result.shadowed.push(l.ref);
          continue;
        }
        if (!st.isDirectory()) {
          found.push({ ...l, spot, st, self: -1, at: inLayer(l, spot) });
          continue; // keep looking only to list shadowed copies
        }
        let self: number;
        try {
          self = openChildDir(spot.dirFd, spot.name);
        } catch {
          continue; // swapped for a non-directory (or removed) since the lstat: not followed
        }
        now.push(self);
        found.push({ ...l, spot, st, self, at: inLayer(l, spot) });
        if (isOpaqueDir(self, prefixes)) {
          stoppedAt = k;
          cutOff.push(...live.slice(k + 1).map((lower) => ({ ref: lower.ref, root: lower.root, by: l.ref })));
          break;
        }
        // A redirect matters only with layers below to look in (the kernel reads it only then).
        const mark = k < live.length - 1 ? dirMark(self, 'redirect', prefixes) : null;
        if (mark) {
          const target = mark.toString();
          const source = `${l.ref.path}/${comps.slice(0, i + 1).join('/')}`;
          const parsed = parseRedirect(target);
          if (layers.noRedirects || !parsed) {
            // The kernel fails such a lookup (EPERM or EINVAL): nothing below this layer shows through.
            problems.push({
              source,
              message: `overlay redirect to ${JSON.stringify(target)} not followed: ${layers.noRedirects ?? 'it would leave the layer (only plain names, or /plain/names from the layer root, are followed)'}`,
            });
            stoppedAt = k;
            break;
          }
          redirect = parsed;
        }
      }
      if (last) {
        for (const f of found) result.inodes.layers.push({ path: f.ref.path, role: f.ref.role, index: f.ref.index, inode: f.st.ino });
      }
      if (!last && found.length && found[0].st.isSymbolicLink()) {
        // The kernel follows it from the container's root (absolute target) or from this directory.
        let target: string;
        try {
          target = fs.readlinkSync(entryPath(found[0].spot.dirFd, found[0].spot.name));
        } catch (err) {
          problems.push({
            source: `${found[0].ref.path}/${comps.slice(0, i + 1).join('/')}`,
            message: `symlink unreadable (${(err as NodeJS.ErrnoException).code}): not followed`,
          });
          return result;
        }
        const rest = comps.slice(i + 1);
        const from = target.startsWith('/') ? target : path.posix.join('/', ...comps.slice(0, i), target);
        result.symlinkAt = { resolved: path.posix.normalize(path.posix.join('/', from, ...rest)) };
        return result;
      }
      if (!found.length || (!last && !found[0].st.isDirectory())) {
        result.deletedBy = deletedBy;
        const hidden = opaqueHiding(cutOff, comps);
        result.hiddenByOpaque = hidden?.by ?? null;
        // The copies the whiteout or the opaque directory hides are listed as shadowed: where the path still is.
        result.shadowed = deletedBy ? maskedBelow : hidden ? [hidden.ref] : [];
        return result;
      }
      if (last) {
        const top = found[0];
        result.visible = true;
        result.served = found.map((f) => ({ ref: f.ref, comps: f.at }));
        result.fileType = fileType(top.st);
        result.provider = top.ref;
        // Merged directories: every lower directory of the name contributes and is listed as shadowed.
        const lowerDirs = top.st.isDirectory() ? found.slice(1).map((f) => f.ref) : [];
        result.shadowed = [...lowerDirs, ...result.shadowed].sort((a, b) => a.index - b.index);
        if (!top.st.isDirectory()) {
          // A non-directory hides every lower copy that the lookup did not reach.
          for (const l of live.slice(live.findIndex((x) => x.ref === top.ref) + 1, stoppedAt < 0 ? undefined : stoppedAt)) {
            if (!result.shadowed.includes(l.ref) && lstatEntry(l.dir, name)) result.shadowed.push(l.ref);
          }
          result.shadowed.sort((a, b) => a.index - b.index);
        }
        // Copied up: the upper holds it and either records its origin or a lower copy exists.
        const origin = top.self >= 0 ? dirMark(top.self, 'origin', prefixes) : entryMark(top.spot.dirFd, top.spot.name, 'origin', prefixes);
        result.copiedUp = top.ref.role === 'upper' && (origin !== null || result.shadowed.length > 0);
        return result;
      }
      live = found.map(({ ref, root, self, at }) => ({ ref, root, dir: self, at }));
      // The previous component's directories are no longer looked in.
      for (const fd of before) fs.closeSync(fd);
      before = now;
      now = [];
    }
    return result;
  } finally {
    for (const fd of [...before, ...now]) fs.closeSync(fd);
  }
}

/** The layer whose opaque directory hides the path (by), if a lower layer it cut off (ref) still has the path. */
function opaqueHiding(cutOff: { ref: LayerRef; root: number; by: LayerRef }[], comps: string[]): { ref: LayerRef; by: LayerRef } | null {
  const c = cutOff.find((x) => lstatBeneath(x.root, comps) !== null);
  return c ? { ref: c.ref, by: c.by } : null;
}

/**
 * lstat of the path as the container sees it, through /proc/PID/root. undefined = no container process to
 * look through; null = not there. Walked one component at a time from the root's fd, each directory
 * opened from its parent without following (sys/pinnedDir.ts): the kernel would resolve an absolute
 * symlink in the middle of the path against OUR root, not the container's, so a symlinked component stops
 * the walk (undefined, with a Problem) instead of reading a host file.
 */
function mergedView(pid: number | null, p: string, problems: Problem[]): fs.Stats | null | undefined {
  if (pid === null) return undefined;
  const root = `/proc/${pid}/root`;
  let fd: number;
  try {
    // Following the magic link is the point: it is the container's root.
    fd = fs.openSync(root, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NONBLOCK);
  } catch {
    problems.push({ source: root, message: 'the container process is gone: no merged-view inode' });
    return undefined;
  }
  const comps = p.split('/').filter(Boolean);
  try {
    if (!comps.length) return fs.fstatSync(fd);
    for (let i = 0; i < comps.length; i++) {
      const st = lstatEntry(fd, comps[i]);
      if (!st || i === comps.length - 1) return st;
      if (st.isSymbolicLink()) {
        problems.push({
          source: `${root}/${comps.slice(0, i + 1).join('/')}`,
          message: `${comps.slice(0, i + 1).join('/')} is a symlink in the container: ask about the path it points to`,
        });
        return undefined;
      }
      let next: number;
      try {
        next = openChildDir(fd, comps[i]);
      } catch {
        return null; // not a directory (or gone): nothing below it
      }
      fs.closeSync(fd);
      fd = next;
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
