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
 * Every test is an lstat inside a layer directory: nothing follows a symlink on the host. A symlink in the
 * middle of the path (`/bin -> usr/bin` on merged-usr images) is resolved the way the container's kernel
 * would, against the container's root: its target is read from the layer that provides it, and the
 * lookup starts again at the resolved path (`resolvedPath`), at most 40 times (Linux's MAXSYMLINKS). The
 * last component is not followed, as with lstat. Paths with `..` are normalised and cannot climb above
 * the container root.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LayerRef, Problem, RootfsInfo, Whence } from '../protocol';
import { isOpaqueDir, isWhiteout, overlayXattr, WH_PREFIX } from './overlayMarks';

interface Live {
  ref: LayerRef;
  /** Absolute path, inside this layer, of the directory being looked in. */
  dir: string;
}

function lstat(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

function fileType(st: fs.Stats): Whence['fileType'] {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** Linux's limit on symlinks followed in one lookup (include/linux/namei.h MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

export function whence(rootfs: RootfsInfo, containerId: string, rawPath: string, initPid: number | null): Whence {
  const problems: Problem[] = [];
  const requested = path.posix.normalize(`/${rawPath}`);
  let at = requested;
  let result = lookupInLayers(rootfs, containerId, at);
  for (let hops = 0; result.symlinkAt; hops++) {
    if (hops === MAX_SYMLINKS) {
      // The lookup stopped at a symlink: nothing visible, nothing provided, and this says why.
      problems.push({ source: requested, message: `more than ${MAX_SYMLINKS} symlinks on the way (ELOOP): not resolved` });
      break;
    }
    at = result.symlinkAt.resolved;
    result = lookupInLayers(rootfs, containerId, at);
  }
  delete result.symlinkAt;
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
  if (problems.length) result.problems = [...(result.problems ?? []), ...problems];
  return result;
}

/** A lookup, and where it must go on when a component on the way is a symlink. */
type Lookup = Whence & { symlinkAt?: { resolved: string } };

function lookupInLayers(rootfs: RootfsInfo, containerId: string, rawPath: string): Lookup {
  const normalized = path.posix.normalize(`/${rawPath}`);
  const comps = normalized.split('/').filter(Boolean);
  const result: Lookup = {
    container: containerId,
    path: normalized,
    visible: false,
    fileType: null,
    provider: null,
    deletedBy: null,
    hiddenByOpaque: null,
    shadowed: [],
    copiedUp: false,
    inodes: { merged: null, layers: [] },
  };
  const lookup = rootfs.layers.filter((l) => l.role !== 'data');
  let live: Live[] = lookup.map((ref) => ({ ref, dir: ref.path }));
  /** Lower layers that an opaque directory on the path cut off, and which layer's directory did. */
  const cutOff: { ref: LayerRef; by: LayerRef }[] = [];

  if (!comps.length) {
    const top = live[0];
    if (top) Object.assign(result, { visible: true, fileType: 'dir', provider: top.ref, shadowed: live.slice(1).map((l) => l.ref) });
    return result;
  }

  for (let i = 0; i < comps.length; i++) {
    const name = comps[i];
    const last = i === comps.length - 1;
    const found: (Live & { st: fs.Stats })[] = [];
    let redirectTo: ((l: Live) => string) | null = null;
    let deletedBy: LayerRef | null = null;
    /** Lower layers that still hold the name a whiteout deleted: the whiteout masks their copies, it does not remove them. */
    const maskedBelow: LayerRef[] = [];
    let stoppedAt = -1;

    for (let k = 0; k < live.length; k++) {
      const l = live[k];
      const candidate = redirectTo ? redirectTo(l) : `${l.dir}/${name}`;
      const st = lstat(candidate);
      const whiteout = st ? isWhiteout(candidate, st) : fs.existsSync(`${path.posix.dirname(candidate)}/${WH_PREFIX}${path.posix.basename(candidate)}`);
      if (whiteout) {
        if (!found.length) {
          deletedBy = l.ref;
          for (const lower of last ? live.slice(k + 1) : []) {
            const there = redirectTo ? redirectTo(lower) : `${lower.dir}/${name}`;
            const lst = lstat(there);
            if (lst && !isWhiteout(there, lst)) maskedBelow.push(lower.ref);
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
      found.push({ ref: l.ref, dir: candidate, st });
      if (!st.isDirectory()) continue; // keep looking only to list shadowed copies
      if (isOpaqueDir(candidate)) {
        stoppedAt = k;
        cutOff.push(...live.slice(k + 1).map((lower) => ({ ref: lower.ref, by: l.ref })));
        break;
      }
      const redirect = overlayXattr(candidate, 'redirect');
      if (redirect) {
        const target = redirect.toString();
        redirectTo = target.startsWith('/') ? (lower) => `${lower.ref.path}${target}` : (lower) => `${lower.dir}/${target}`;
      }
    }
    if (last) {
      for (const f of found) result.inodes.layers.push({ path: f.ref.path, role: f.ref.role, index: f.ref.index, inode: f.st.ino });
    }
    if (!last && found.length && found[0].st.isSymbolicLink()) {
      // The kernel follows it from the container's root (absolute target) or from this directory.
      let target: string;
      try {
        target = fs.readlinkSync(found[0].dir);
      } catch (err) {
        result.problems = [{ source: found[0].dir, message: `symlink unreadable (${(err as NodeJS.ErrnoException).code}): not followed` }];
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
      result.fileType = fileType(top.st);
      result.provider = top.ref;
      // Merged directories: every lower directory of the name contributes and is listed as shadowed.
      const lowerDirs = top.st.isDirectory() ? found.slice(1).map((f) => f.ref) : [];
      result.shadowed = [...lowerDirs, ...result.shadowed].sort((a, b) => a.index - b.index);
      if (!top.st.isDirectory()) {
        // A non-directory hides every lower copy that the lookup did not reach.
        for (const l of live.slice(live.findIndex((x) => x.ref === top.ref) + 1, stoppedAt < 0 ? undefined : stoppedAt)) {
          if (!result.shadowed.includes(l.ref) && lstat(`${l.dir}/${name}`)) result.shadowed.push(l.ref);
        }
        result.shadowed.sort((a, b) => a.index - b.index);
      }
      // Copied up: the upper holds it and either records its origin or a lower copy exists.
      result.copiedUp = top.ref.role === 'upper' && (overlayXattr(top.dir, 'origin') !== null || result.shadowed.length > 0);
      return result;
    }
    live = found.map(({ ref, dir }) => ({ ref, dir }));
  }
  return result;
}

/** The layer whose opaque directory hides the path (by), if a lower layer it cut off (ref) still has the path. */
function opaqueHiding(cutOff: { ref: LayerRef; by: LayerRef }[], comps: string[]): { ref: LayerRef; by: LayerRef } | null {
  const rel = comps.join('/');
  return cutOff.find((c) => lstat(`${c.ref.path}/${rel}`) !== null) ?? null;
}

/**
 * lstat of the path as the container sees it, through /proc/PID/root. undefined = no container process to
 * look through; null = not there. Walked one component at a time: the kernel would resolve an absolute
 * symlink in the middle of the path against OUR root, not the container's, so a symlinked component stops
 * the walk (null, with a Problem) instead of reading a host file.
 */
function mergedView(pid: number | null, p: string, problems: Problem[]): fs.Stats | null | undefined {
  if (pid === null) return undefined;
  const root = `/proc/${pid}/root`;
  if (!lstat(root)) {
    problems.push({ source: root, message: 'the container process is gone: no merged-view inode' });
    return undefined;
  }
  const comps = p.split('/').filter(Boolean);
  let at = root;
  let st: fs.Stats | null = lstat(root);
  for (let i = 0; i < comps.length; i++) {
    if (i > 0 && st?.isSymbolicLink()) {
      problems.push({ source: at, message: `${comps.slice(0, i).join('/')} is a symlink in the container: ask about the path it points to` });
      return undefined;
    }
    at = `${at}/${comps[i]}`;
    st = lstat(at);
    if (!st) return null;
  }
  return st;
}
