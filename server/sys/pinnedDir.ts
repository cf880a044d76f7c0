/**
 * A directory held open by fd ("pinned"), and its entries named so that no path component can be swapped
 * under us. A container controls what is inside its layer directories: if the agent opened `layer/d/x` by
 * path, the container could rename `d` and put a symlink to the host's /etc in its place between two
 * calls, and the kernel would follow it (O_NOFOLLOW guards only the last component).
 *
 * `/proc/self/fd/N/name` is how an entry is named here. The kernel resolves `/proc/self/fd/N` as a magic
 * link that jumps straight to the dentry the fd holds (fs/proc/base.c proc_fd_link, nd_jump_link), never
 * through the path the directory once had; `name` is then looked up in that very directory, and it is the
 * last component, which lstat, lgetxattr, readlink and open(O_NOFOLLOW) do not follow. So this is the
 * same guarantee as openat(N, name, O_NOFOLLOW) or openat2(N, name, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)
 * on one component, without a native call per entry (it costs nothing but the string), and it works
 * on kernels before openat2 (5.6) and where koffi is unavailable. Names come from getdents: never empty,
 * `.`, `..` or holding a `/`, which entryPath checks anyway, since `..` would leave the pinned directory.
 */
import * as fs from 'fs';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
/** Directories only, never through a symlink, never waiting (O_NONBLOCK: harmless on a dir, fatal to forget on a FIFO). */
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK;

/** The path of the pinned directory itself (the magic link: follow it, don't lstat it). */
export function fdPath(dirFd: number): string {
  return `/proc/self/fd/${dirFd}`;
}

/** A race-free name for entry `name` of the pinned directory: use it with calls that do not follow the last component. */
export function entryPath(dirFd: number, name: string): string {
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\0'))
    throw Object.assign(new Error(`not a directory entry name: ${JSON.stringify(name)}`), { code: 'EINVAL' });
  return `${fdPath(dirFd)}/${name}`;
}

/**
 * Opens a directory the caller trusts the path of (a layer root on the host), refusing a symlink in its
 * last component. Throws fs errors (ENOENT, ENOTDIR for a symlink or a file).
 */
export function openDir(path: string): number {
  return fs.openSync(path, DIR_FLAGS);
}

/** Opens entry `name` of the pinned directory when it is a directory, not a link to one: else ENOTDIR/ENOENT. */
export function openChildDir(dirFd: number, name: string): number {
  return fs.openSync(entryPath(dirFd, name), DIR_FLAGS);
}

/**
 * Opens `comps` (path components, e.g. from a redirect) below the pinned directory one at a time, each
 * a real directory: no symlink anywhere, no `..`. An empty list gives a new fd on the directory itself.
 */
export function openDirBeneath(dirFd: number, comps: string[]): number {
  // The directory itself: its magic link followed on purpose (O_NOFOLLOW would refuse the link itself).
  if (!comps.length) return fs.openSync(fdPath(dirFd), O_RDONLY | O_DIRECTORY | O_NONBLOCK);
  let fd = openChildDir(dirFd, comps[0]);
  for (const c of comps.slice(1)) {
    let next: number;
    try {
      next = openChildDir(fd, c);
    } finally {
      fs.closeSync(fd);
    }
    fd = next;
  }
  return fd;
}

/** lstat of entry `name` (the entry itself, never a link's target), or null when it is not there. */
export function lstatEntry(dirFd: number, name: string): fs.Stats | null {
  try {
    return fs.lstatSync(entryPath(dirFd, name));
  } catch {
    return null;
  }
}

/** lstat of `comps` below the pinned directory, every directory on the way opened without following anything; null when not there. */
export function lstatBeneath(dirFd: number, comps: string[]): fs.Stats | null {
  if (!comps.length) return fs.fstatSync(dirFd);
  let parent: number;
  try {
    parent = openDirBeneath(dirFd, comps.slice(0, -1));
  } catch {
    return null;
  }
  try {
    return lstatEntry(parent, comps[comps.length - 1]);
  } finally {
    fs.closeSync(parent);
  }
}

/**
 * Calls `each` for the entries of the pinned directory, streamed (a 200,000-entry directory is never one
 * array in memory), until it returns false. Returns false when stopped that way.
 */
export function forEachEntry(dirFd: number, each: (d: fs.Dirent) => boolean | void): boolean {
  // opendir follows the magic link to the pinned directory; it opens its own fd for getdents.
  const dir = fs.opendirSync(fdPath(dirFd), { bufferSize: 512 });
  try {
    for (let d = dir.readSync(); d; d = dir.readSync()) if (each(d) === false) return false;
    return true;
  } finally {
    dir.closeSync();
  }
}
