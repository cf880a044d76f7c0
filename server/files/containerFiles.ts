/**
 * A container's files as the container sees them (its mounts included), for reading in the editor:
 * every path is opened with openat2(RESOLVE_IN_ROOT) on /proc/PID/root (sys/openInRoot.ts), so no
 * symlink of the container's can lead the agent, root on the node, to a file of the node. Read-only.
 */
import * as fs from 'fs';
import { ErrorCodes, type ContainerFileEntry, type ContainerFileStat } from '../protocol';
import { refuse } from '../failure';
import { AgentError } from '../agentError';
import { NotReadable } from '../sys/checkedOpen';
import { openInRoot, readlinkOfFd } from '../sys/openInRoot';
import { formatBytes } from '../units';

/** Largest file handed to the editor at once (VS Code reads a file whole). */
export const MAX_FILE_BYTES = 16 << 20;
/** Entries listed per directory; a larger directory is cut, and says so. */
export const MAX_ENTRIES = 10_000;

export function typeOf(st: fs.Stats): ContainerFileStat['type'] {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** An fs error or NotReadable as one line; `where` names what was read ("the container", "layer 2 of web"). */
export function failure(path: string, err: unknown, where = 'the container'): AgentError {
  if (err instanceof NotReadable) return refuse(ErrorCodes.InvalidParams, `${path} is a ${err.kind} in ${where}: not opened`);
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return refuse(ErrorCodes.NotFound, `no such file in ${where}: ${path}`);
  if (code === 'ELOOP')
    return refuse(
      ErrorCodes.InvalidParams,
      `${path}: too many symlinks on the way, or a /proc magic link that would leave ${where} (ELOOP)`,
    );
  if (code === 'EXDEV') return refuse(ErrorCodes.Unsupported, `${path} leads outside ${where}`);
  return refuse(ErrorCodes.InternalError, `${path}: ${code ?? (err as Error).message}`);
}

function withFd<T>(root: string, path: string, mode: 'read' | 'path', use: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openInRoot(root, path, mode);
  } catch (err) {
    throw failure(path, err);
  }
  try {
    return use(fd);
  } catch (err) {
    if (err instanceof AgentError) throw err;
    throw failure(path, err);
  } finally {
    fs.closeSync(fd);
  }
}

/** lstat of `path` in the container (a symlink is described, not followed), with a link's target. */
export function statInContainer(root: string, path: string): ContainerFileStat {
  return withFd(root, path, 'path', (fd) => statOfFd(path, fd));
}

/** What an O_PATH|O_NOFOLLOW fd holds, described as `path`, with a symlink's target. */
export function statOfFd(path: string, fd: number): ContainerFileStat {
  const st = fs.fstatSync(fd);
  return describeStats(path, st, st.isSymbolicLink() ? readlinkOfFd(fd) : undefined);
}

/** An lstat as the protocol carries it. */
export function describeStats(path: string, st: fs.Stats, target?: string): ContainerFileStat {
  return {
    path,
    type: typeOf(st),
    size: st.size,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
    ...(target !== undefined ? { target } : {}),
  };
}

/** The entries of a directory of the container, sorted by name, at most MAX_ENTRIES. */
export function listInContainer(root: string, path: string): { path: string; entries: ContainerFileEntry[]; truncated: boolean } {
  return withFd(root, path, 'read', (fd) => {
    if (!fs.fstatSync(fd).isDirectory()) throw refuse(ErrorCodes.InvalidParams, `not a directory in the container: ${path}`);
    // The fd's /proc link names the directory the kernel opened inside the root; reading it lists that.
    const dirents = fs.readdirSync(`/proc/self/fd/${fd}`, { withFileTypes: true });
    const entries = dirents
      .map((d): ContainerFileEntry => ({
        name: d.name,
        type: d.isFile() ? 'file' : d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'symlink' : 'other',
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { path, entries: entries.slice(0, MAX_ENTRIES), truncated: entries.length > MAX_ENTRIES };
  });
}

/**
 * How much is read at a time, always whole: some procfs files refuse other sizes (/proc/PID/pagemap reads
 * only multiples of 8 bytes: EINVAL). At most max + CHUNK bytes are ever read.
 */
const CHUNK = 64 << 10;

/**
 * The content of a regular file of the container, refused above `max` bytes. The cap counts the bytes
 * read, not what fstat says: procfs and sysfs files report a size of 0 and can hold any amount
 * (/proc/1/pagemap, linked as a container's /etc/passwd, reads on for 256 GiB), so reading stops as soon
 * as more than `max` bytes came.
 */
export function readInContainer(root: string, path: string, max = MAX_FILE_BYTES): Buffer {
  return withFd(root, path, 'read', (fd) => readOpenFile(fd, path, 'the container', max));
}

/** The content of the regular file open as `fd` (the caller closes it), bounded as readInContainer says. */
export function readOpenFile(fd: number, path: string, where: string, max = MAX_FILE_BYTES): Buffer {
  const tooLarge = (): AgentError =>
    refuse(ErrorCodes.Unsupported, `${path}: more than ${formatBytes(max)}; files above ${formatBytes(max)} are not opened`);
  const st = fs.fstatSync(fd);
  if (!st.isFile()) throw refuse(ErrorCodes.InvalidParams, `not a regular file in ${where}: ${path}`);
  if (st.size > max) throw tooLarge();
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(CHUNK);
    const n = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    if (total > max) throw tooLarge();
    parts.push(n === chunk.length ? chunk : chunk.subarray(0, n));
  }
  return Buffer.concat(parts, total);
}
