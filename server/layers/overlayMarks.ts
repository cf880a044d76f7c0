/**
 * How overlayfs marks things inside a layer directory (Documentation/filesystems/overlayfs.rst):
 *  - whiteout: a character device 0/0, or a zero-size file with xattr `overlay.whiteout`;
 *    AUFS/fuse-overlayfs style: a `.wh.<name>` file beside the deleted name;
 *  - opaque directory: xattr `overlay.opaque` = "y" ("x" only says the dir holds xattr whiteouts),
 *    or a `.wh..wh..opq` file inside it;
 *  - `overlay.redirect` (a renamed dir's origin path), `overlay.metacopy` (data lives in a lower layer).
 *
 * Which names count depends on the mount: `trusted.overlay.*`, or `user.overlay.*` when mounted with
 * `userxattr` (rootless), never both (fs/overlayfs/overlayfs.h OVL_XATTR_*: one prefix per mount). The
 * other prefix is anyone's to set: a container on a trusted-xattr overlay can put `user.overlay.redirect`
 * on its own directories, and the kernel ignores it; so must everything here that follows a mark.
 *
 * Entries are named race-free (sys/pinnedDir.ts): an entry as its pinned parent's fd and its name, a
 * directory as its own pinned fd.
 */
import type * as fs from 'fs';
import type { RootfsInfo } from '../protocol';
import { lstatEntry, entryPath } from '../sys/pinnedDir';
import { getXattr, getXattrOfFd } from '../sys/xattr';

export const WH_PREFIX = '.wh.';
export const WH_OPAQUE = '.wh..wh..opq';

export type MarkPrefix = 'trusted.overlay.' | 'user.overlay.';
export type MarkName = 'whiteout' | 'opaque' | 'redirect' | 'metacopy' | 'origin';

/**
 * The prefixes the kernel reads on this root's mount. Without a mount (a bare directory given to
 * `layer.scan`) both are shown, as what the directory holds, not what a mount would follow.
 */
export function markPrefixes(rootfs: RootfsInfo | null): readonly MarkPrefix[] {
  if (!rootfs?.overlay) return rootfs ? ['trusted.overlay.'] : ['trusted.overlay.', 'user.overlay.'];
  return rootfs.overlay.userxattr ? ['user.overlay.'] : ['trusted.overlay.'];
}

/** The mark `name` of entry `name` of the pinned directory `dirFd` (the entry itself, never a link's target). */
export function entryMark(dirFd: number, entry: string, name: MarkName, prefixes: readonly MarkPrefix[]): Buffer | null {
  const at = entryPath(dirFd, entry);
  for (const p of prefixes) {
    const v = getXattr(at, p + name);
    if (v) return v;
  }
  return null;
}

/** The mark `name` of the directory pinned as `fd`. */
export function dirMark(fd: number, name: MarkName, prefixes: readonly MarkPrefix[]): Buffer | null {
  for (const p of prefixes) {
    const v = getXattrOfFd(fd, p + name);
    if (v) return v;
  }
  return null;
}

export function isChardevWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** A whiteout of either kernel form: entry `entry` of the pinned directory, given its lstat. */
export function isWhiteout(dirFd: number, entry: string, st: fs.Stats, prefixes: readonly MarkPrefix[]): boolean {
  if (isChardevWhiteout(st)) return true;
  return st.isFile() && st.size === 0 && entryMark(dirFd, entry, 'whiteout', prefixes) !== null;
}

/** Whether the directory pinned as `fd` is opaque, by xattr or by an AUFS-style marker inside it. */
export function isOpaqueDir(fd: number, prefixes: readonly MarkPrefix[]): boolean {
  const v = dirMark(fd, 'opaque', prefixes);
  if (v && v.toString() === 'y') return true;
  return lstatEntry(fd, WH_OPAQUE) !== null;
}
