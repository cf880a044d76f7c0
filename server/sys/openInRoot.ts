/**
 * Opening a file of a container as the container itself would resolve its path: openat2(2) with
 * RESOLVE_IN_ROOT on a directory fd of /proc/PID/root (Linux 5.6+). Every symlink on the way, absolute
 * ones included, is resolved inside that root by the kernel, atomically: a container cannot swap a
 * component for a link to the host's files between a check and the open, as it could with a lookup done
 * component by component from here. No magic links (/proc/self/...) are followed either.
 */
import * as fs from 'fs';
import { O_PATH, reopenForReading } from './checkedOpen';
import { errnoName, loadLibc } from './libc';

const SYS_OPENAT2 = { x64: 437, arm64: 437 } as Record<string, number>;
const RESOLVE_NO_MAGICLINKS = 0x02;
const RESOLVE_IN_ROOT = 0x10;

interface Calls {
  syscall: (nr: number, ...args: unknown[]) => number;
  readlinkat: (dirfd: number, path: string, out: Buffer, size: number) => number;
  errno: () => number;
}
let calls: Calls | null | undefined;

function openat2Calls(): Calls | null {
  if (calls !== undefined) return calls;
  const native = loadLibc();
  const nr = SYS_OPENAT2[process.arch];
  calls =
    native && nr !== undefined
      ? {
          syscall: native.lib.func('long syscall(long number, ...)') as Calls['syscall'],
          readlinkat: native.lib.func(
            'long readlinkat(int dirfd, const char *path, _Out_ uint8_t *buf, size_t size)',
          ) as Calls['readlinkat'],
          errno: () => native.koffi.errno(),
        }
      : null;
  return calls;
}

/** How to open: `read` a regular file's content or a directory's entries; a `path` handle only, for
 * fstat, of the entry itself when it is a symlink (O_PATH|O_NOFOLLOW); or a `target` handle only, of what
 * the path names with its last symlink followed too, inside the root (O_PATH): nothing is opened. */
export type OpenMode = 'read' | 'path' | 'target';

/**
 * An fd for `file` (absolute, as the container names it) inside `root`; the caller closes it.
 * Throws with the errno's name (ENOENT, ELOOP...), or ENOSYS when openat2 is not available here; in `read`
 * mode, NotReadable (checkedOpen.ts) for anything but a regular file or a directory: the lookup opens an
 * O_PATH handle only, and only a regular file or directory is reopened for reading (O_NONBLOCK), so a
 * FIFO or device node the container made is never opened, let alone waited on.
 */
export function openInRoot(root: string, file: string, mode: OpenMode = 'read'): number {
  const c = openat2Calls();
  if (!c) throw Object.assign(new Error('openat2 unavailable (native calls)'), { code: 'ENOSYS' });
  const dir = fs.openSync(root, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    // struct open_how { u64 flags; u64 mode; u64 resolve; } (include/uapi/linux/openat2.h)
    const how = Buffer.alloc(24);
    const flags = mode === 'path' ? O_PATH | fs.constants.O_NOFOLLOW : O_PATH;
    how.writeBigUInt64LE(BigInt(flags | 0o2000000 /* O_CLOEXEC */), 0);
    how.writeBigUInt64LE(BigInt(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), 16);
    // The root itself is ".": openat2 takes no empty path.
    const rel = file.replace(/^\/+/, '') || '.';
    const fd = c.syscall(SYS_OPENAT2[process.arch], 'int', dir, 'const char *', rel, 'uint8_t *', how, 'size_t', how.length);
    if (fd < 0) {
      const code = errnoName(c.errno());
      throw Object.assign(new Error(code), { code });
    }
    if (mode !== 'read') return fd;
    try {
      return reopenForReading(fd, true).fd;
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    fs.closeSync(dir);
  }
}

/**
 * The target of the symlink an O_PATH|O_NOFOLLOW fd holds: readlinkat with an empty path (man 2
 * readlinkat, Linux 2.6.39+). Not readlink("/proc/self/fd/N"): that names the link itself, not its target.
 */
export function readlinkOfFd(fd: number): string {
  const c = openat2Calls();
  if (!c) throw Object.assign(new Error('readlinkat unavailable (native calls)'), { code: 'ENOSYS' });
  const buf = Buffer.alloc(4096);
  const n = c.readlinkat(fd, '', buf, buf.length);
  if (n < 0) {
    const code = errnoName(c.errno());
    throw Object.assign(new Error(code), { code });
  }
  return buf.toString('utf8', 0, n);
}
