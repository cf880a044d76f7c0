/**
 * Opening a file for reading only after seeing what it is. open(O_RDONLY) itself acts on some files: a
 * FIFO's blocks until a writer comes (for ever, if a container planted it), a device's runs its driver.
 * open(O_PATH) acts on none (man 2 open: "the file itself is not opened"), and fstat works on the handle;
 * once the file passes the caller's check, /proc/self/fd/N opens that very inode for reading, so nothing
 * can be swapped in between the check and the open.
 */
import * as fs from 'fs';

const O_PATH = 0o10000000;

export type Opened = { fd: number } | { why: string };

/**
 * An fd open for reading on `path` when `accept` returns null for its fstat, else why not: the check's
 * reason, or the errno name of a failed open (ENOENT...). `follow`: whether a symlink at the end of the
 * path is followed (the check then sees its target) or is itself what is checked. The caller closes the fd.
 */
export function openChecked(path: string, accept: (st: fs.Stats) => string | null, follow: boolean): Opened {
  let handle: number;
  try {
    handle = fs.openSync(path, O_PATH | (follow ? 0 : fs.constants.O_NOFOLLOW));
  } catch (err) {
    return { why: (err as NodeJS.ErrnoException).code ?? 'open failed' };
  }
  try {
    const refused = accept(fs.fstatSync(handle));
    if (refused !== null) return { why: refused };
    return { fd: fs.openSync(`/proc/self/fd/${handle}`, fs.constants.O_RDONLY | fs.constants.O_NOCTTY) };
  } catch (err) {
    return { why: (err as NodeJS.ErrnoException).code ?? 'open failed' };
  } finally {
    fs.closeSync(handle);
  }
}

/** What a file is, for a message: "a FIFO", "a directory". */
export function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isDirectory()) return 'a directory';
  return 'a regular file';
}

/**
 * The content of the regular file at `path` (links followed), at most `maxBytes` of it, counted as read
 * (a size from fstat can lie: /proc files say 0), or why not.
 */
export function readRegularFile(path: string, maxBytes: number): { data: Buffer } | { why: string } {
  let size = 0;
  const opened = openChecked(path, (st) => ((size = st.size), st.isFile() ? null : `not a regular file: ${kindOf(st)}`), true);
  if ('why' in opened) return opened;
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    // The first read sized by fstat (one read for the usual state file), then growing: the size is only a hint.
    for (let want = Math.max(size + 1, 4096); ; want = Math.min(want * 2, 1 << 20)) {
      const chunk = Buffer.allocUnsafe(Math.min(want, maxBytes + 1 - total));
      const n = fs.readSync(opened.fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return { why: `larger than ${maxBytes} bytes` };
    }
    return { data: Buffer.concat(chunks, total) };
  } catch (err) {
    return { why: (err as NodeJS.ErrnoException).code ?? 'read failed' };
  } finally {
    fs.closeSync(opened.fd);
  }
}
