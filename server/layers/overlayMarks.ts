/**
 * How overlayfs marks things inside a layer directory (Documentation/filesystems/overlayfs.rst):
 *  - whiteout: a character device 0/0, or a zero-size file with xattr `overlay.whiteout`;
 *    AUFS/fuse-overlayfs style: a `.wh.<name>` file beside the deleted name;
 *  - opaque directory: xattr `overlay.opaque` = "y" ("x" only says the dir holds xattr whiteouts),
 *    or a `.wh..wh..opq` file inside it;
 *  - `overlay.redirect` (a renamed dir's origin path), `overlay.metacopy` (data lives in a lower layer).
 * Names are `trusted.overlay.*`, or `user.overlay.*` when mounted with `userxattr` (rootless).
 */
import * as fs from 'fs';
import { getXattr } from '../sys/xattr';

export const WH_PREFIX = '.wh.';
export const WH_OPAQUE = '.wh..wh..opq';
const NAMESPACES = ['trusted.overlay.', 'user.overlay.'];

export function overlayXattr(path: string, name: 'whiteout' | 'opaque' | 'redirect' | 'metacopy' | 'origin'): Buffer | null {
  for (const ns of NAMESPACES) {
    const v = getXattr(path, ns + name);
    if (v) return v;
  }
  return null;
}

export function isChardevWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** A whiteout of either kernel form, given the entry's lstat. */
export function isWhiteout(path: string, st: fs.Stats): boolean {
  if (isChardevWhiteout(st)) return true;
  return st.isFile() && st.size === 0 && overlayXattr(path, 'whiteout') !== null;
}

export function isOpaqueDir(path: string): boolean {
  const v = overlayXattr(path, 'opaque');
  if (v && v.toString() === 'y') return true;
  return fs.existsSync(`${path}/${WH_OPAQUE}`);
}
