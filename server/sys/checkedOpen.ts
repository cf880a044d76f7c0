/**
 * Opening for reading only what is safe to read: regular files and directories. A FIFO a container made
 * blocks an open(O_RDONLY) until a writer comes, and opening a device node runs its driver's open, which
 * can do things (a watchdog starts counting; a tape rewinds): the agent, root on the node, must not.
 *
 * So a path is first opened with O_PATH, which runs no driver and never blocks (open(2): "the file itself
 * is not opened"), its type is read with fstat on that fd, and only a regular file or a directory is then
 * reopened for reading through /proc/self/fd/N: that reopens the very inode the O_PATH fd holds, so the
 * type checked is the type read, whatever the container renames in between. O_NONBLOCK on the reopen too.
 */
import * as fs from 'fs';

export const O_PATH = 0o10000000;
const { O_RDONLY, O_NONBLOCK, O_NOFOLLOW, O_DIRECTORY } = fs.constants;

/** The kind of a file, in words, for messages. */
export function fileKind(st: fs.Stats): string {
  if (st.isFile()) return 'regular file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return 'special file';
}

/** A file refused for reading because of its type; `kind` says which (fileKind). */
export class NotReadable extends Error {
  readonly code = 'ENOTREADABLE';
  constructor(readonly kind: string) {
    super(`a ${kind}: not opened`);
  }
}

/**
 * An fd open for reading (O_RDONLY|O_NONBLOCK) on what the O_PATH fd `pathFd` holds, when it is a regular
 * file (or a directory, with `dirs`); else NotReadable. `pathFd` stays open: the caller closes it.
 */
export function reopenForReading(pathFd: number, dirs = false): { fd: number; st: fs.Stats } {
  const st = fs.fstatSync(pathFd);
  if (!st.isFile() && !(dirs && st.isDirectory())) throw new NotReadable(fileKind(st));
  const fd = fs.openSync(`/proc/self/fd/${pathFd}`, O_RDONLY | O_NONBLOCK | (st.isDirectory() ? O_DIRECTORY : 0));
  return { fd, st };
}

/**
 * `path` opened for reading when it is a regular file, its last component never followed (use a race-free
 * path: pinnedDir.ts's entryPath). Throws NotReadable for anything else, fs errors when it cannot be opened.
 */
export function openRegularNoFollow(path: string): { fd: number; st: fs.Stats } {
  const pathFd = fs.openSync(path, O_PATH | O_NOFOLLOW);
  try {
    return reopenForReading(pathFd);
  } finally {
    fs.closeSync(pathFd);
  }
}
