/**
 * Extended attributes, read with the l* calls so a symlink inside a layer is never followed, or from an
 * open fd (a directory pinned while walked: sys/pinnedDir.ts).
 * overlayfs keeps its bookkeeping here: `trusted.overlay.*`, or `user.overlay.*` with `userxattr`.
 */
import { loadLibc } from './libc';

interface XattrCalls {
  lgetxattr: (path: string, name: string, out: Buffer, size: number) => number;
  fgetxattr: (fd: number, name: string, out: Buffer, size: number) => number;
  llistxattr: (path: string, out: Buffer, size: number) => number;
}
let calls: XattrCalls | null | undefined;

function xattrCalls(): XattrCalls | null {
  if (calls !== undefined) return calls;
  const native = loadLibc();
  calls = native
    ? {
        lgetxattr: native.lib.func(
          'long lgetxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)',
        ) as XattrCalls['lgetxattr'],
        fgetxattr: native.lib.func(
          'long fgetxattr(int fd, const char *name, _Out_ uint8_t *value, size_t size)',
        ) as XattrCalls['fgetxattr'],
        llistxattr: native.lib.func('long llistxattr(const char *path, _Out_ uint8_t *list, size_t size)') as XattrCalls['llistxattr'],
      }
    : null;
  return calls;
}

/** True when xattrs can be read at all (the FFI loaded). */
export function xattrsAvailable(): boolean {
  return xattrCalls() !== null;
}

// One buffer reused for every call: a layer scan makes thousands, and overlay values are short
// (redirect paths are the longest; PATH_MAX bounds them).
const buf = Buffer.alloc(4096);

/** The attribute's value, or null when absent (ENODATA), unsupported or unreadable. */
export function getXattr(path: string, name: string): Buffer | null {
  const c = xattrCalls();
  if (!c) return null;
  const n = c.lgetxattr(path, name, buf, buf.length);
  return n < 0 ? null : Buffer.from(buf.subarray(0, n));
}

/** The attribute's value on what the open fd holds (a pinned directory), or null as for getXattr. */
export function getXattrOfFd(fd: number, name: string): Buffer | null {
  const c = xattrCalls();
  if (!c) return null;
  const n = c.fgetxattr(fd, name, buf, buf.length);
  return n < 0 ? null : Buffer.from(buf.subarray(0, n));
}

export function listXattrs(path: string): string[] {
  const c = xattrCalls();
  if (!c) return [];
  const n = c.llistxattr(path, buf, buf.length);
  if (n <= 0) return [];
  return buf.toString('utf8', 0, n).split('\0').filter(Boolean);
}
