/**
 * Is an absolute path a directory on the host, reached without any symlink? openat2(2) from the agent's
 * own root with RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS (Linux 5.6+): the kernel refuses (ELOOP) a
 * symlink in ANY component, not only the last as O_NOFOLLOW would, in one atomic lookup. Opened O_PATH:
 * nothing is read, so a FIFO or a device at that path cannot block or be touched.
 */
import * as fs from 'fs';
import { errnoName, loadLibc } from './libc';

const SYS_OPENAT2 = { x64: 437, arm64: 437 } as Record<string, number>;
const AT_FDCWD = -100;
const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;
const RESOLVE_NO_MAGICLINKS = 0x02;
const RESOLVE_NO_SYMLINKS = 0x04;

type Syscall = (nr: number, ...args: unknown[]) => number;
let calls: { syscall: Syscall; errno: () => number } | null | undefined;

function native(): typeof calls {
  if (calls !== undefined) return calls;
  const n = loadLibc();
  calls =
    n && SYS_OPENAT2[process.arch] !== undefined
      ? { syscall: n.lib.func('long syscall(long number, ...)') as Syscall, errno: () => n.koffi.errno() }
      : null;
  return calls;
}

/**
 * The device and inode of directory `abs` on the host, or the errno's name when it is not one reached
 * without symlinks: ELOOP (a symlink on the way), ENOENT, ENOTDIR, EACCES; ENOSYS when native calls are
 * unavailable here (then nothing can be verified, and callers must treat the path as unverified).
 */
export function hostDirIdentity(abs: string): { dev: number; ino: number } | { error: string } {
  const c = native();
  if (!c) return { error: 'ENOSYS' };
  // struct open_how { u64 flags; u64 mode; u64 resolve; } (include/uapi/linux/openat2.h)
  const how = Buffer.alloc(24);
  how.writeBigUInt64LE(BigInt(O_PATH | fs.constants.O_DIRECTORY | O_CLOEXEC), 0);
  how.writeBigUInt64LE(BigInt(RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS), 16);
  const fd = c.syscall(SYS_OPENAT2[process.arch], 'int', AT_FDCWD, 'const char *', abs, 'uint8_t *', how, 'size_t', how.length);
  if (fd < 0) return { error: errnoName(c.errno()) };
  try {
    const st = fs.fstatSync(fd);
    return { dev: st.dev, ino: st.ino };
  } finally {
    fs.closeSync(fd);
  }
}
