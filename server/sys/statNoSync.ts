/**
 * The device and inode of what a path names, as the kernel already has them in memory: statx(2) with
 * AT_STATX_DONT_SYNC. A plain stat of /proc/PID/fd/N asks the file's own filesystem: a FUSE server or an
 * NFS server that never answers blocks the caller for ever (fuse_update_get_attr sends FUSE_GETATTR once
 * its attribute cache has expired; nfs_getattr revalidates). With DONT_SYNC both answer from the inode
 * they hold (fs/fuse/dir.c, fs/nfs/inode.c), and following the /proc magic link itself looks nothing up on
 * the target's filesystem (proc_fd_link hands over the open file's path).
 *
 * Only STATX_INO is asked for: NFS flushes a file's dirty pages before answering for its times or change
 * cookie, whatever the flags; the device is filled whatever the mask.
 */
import { errnoName, loadLibc } from './libc';

const AT_FDCWD = -100;
const AT_STATX_DONT_SYNC = 0x4000;
const STATX_INO = 0x100;
/** sizeof(struct statx) (include/uapi/linux/stat.h); the offsets below are its fields'. */
const STATX_SIZE = 256;
const OFF_INO = 32;
const OFF_DEV_MAJOR = 136;
const OFF_DEV_MINOR = 140;

type Statx = (dirfd: number, path: string, flags: number, mask: number, out: Buffer) => number;
let calls: { statx: Statx; errno: () => number } | null | undefined;

function statxCall(): typeof calls {
  if (calls !== undefined) return calls;
  const n = loadLibc();
  calls = n
    ? {
        statx: n.lib.func('int statx(int dirfd, const char *path, int flags, unsigned int mask, _Out_ uint8_t *buf)') as Statx,
        errno: () => n.koffi.errno(),
      }
    : null;
  return calls;
}

/** True when the call is there (the FFI loaded; glibc has statx since 2.28). */
export function statNoSyncAvailable(): boolean {
  return statxCall() !== null;
}

export interface DevIno {
  devMajor: number;
  devMinor: number;
  ino: number;
}

// One buffer for every call: the snapshot makes hundreds, one at a time.
const buf = Buffer.alloc(STATX_SIZE);

/** Device and inode of what `path` names (links followed), from the kernel's memory; or the errno's name. */
export function statNoSync(path: string): DevIno | { error: string } {
  const c = statxCall();
  if (!c) return { error: 'ENOSYS' };
  if (c.statx(AT_FDCWD, path, AT_STATX_DONT_SYNC, STATX_INO, buf) < 0) return { error: errnoName(c.errno()) };
  return {
    devMajor: buf.readUInt32LE(OFF_DEV_MAJOR),
    devMinor: buf.readUInt32LE(OFF_DEV_MINOR),
    ino: Number(buf.readBigUInt64LE(OFF_INO)),
  };
}
