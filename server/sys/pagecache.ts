/**
 * Page-cache residency of one file. cachestat(2) (syscall 451, Linux 6.5+) counts cached pages without
 * mapping the file; older kernels fall back to mmap + mincore(2) in windows of 32,768 pages, as
 * util-linux fincore does. Both report on the file's own inode: for a file in an overlay layer that is
 * the page cache every container sharing the layer uses.
 */
import * as fs from 'fs';
import { openRegularNoFollow } from './checkedOpen';
import { loadLibc } from './libc';

const SYS_CACHESTAT = 451;
const PROT_READ = 1;
const MAP_SHARED = 1;
const WINDOW_PAGES = 32768;
const MAP_FAILED = 0xffffffffffffffffn;

interface PcCalls {
  getpagesize: () => number;
  address: (ptr: unknown) => bigint;
  syscall: (nr: number, ...args: unknown[]) => number | bigint;
  mmap: (addr: null, len: number, prot: number, flags: number, fd: number, off: number) => unknown;
  mincore: (addr: unknown, len: number, vec: Buffer) => number;
  munmap: (addr: unknown, len: number) => number;
}
let calls: PcCalls | null | undefined;
let cachestatWorks: boolean | undefined;

function pcCalls(): PcCalls | null {
  if (calls !== undefined) return calls;
  const native = loadLibc();
  calls = native
    ? {
        getpagesize: native.lib.func('int getpagesize(void)') as PcCalls['getpagesize'],
        address: (ptr) => native.koffi.address(ptr),
        syscall: native.lib.func('long syscall(long number, ...)') as PcCalls['syscall'],
        mmap: native.lib.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)') as PcCalls['mmap'],
        mincore: native.lib.func('int mincore(void *addr, size_t len, _Out_ uint8_t *vec)') as PcCalls['mincore'],
        munmap: native.lib.func('int munmap(void *addr, size_t len)') as PcCalls['munmap'],
      }
    : null;
  return calls;
}

let page: number | undefined;
/**
 * The kernel's page size, which both calls count in: 4 KiB on x86-64, but 16 or 64 KiB on some arm64
 * kernels, so it is asked for, never assumed. null when native calls are unavailable.
 */
export function pageSize(): number | null {
  const c = pcCalls();
  if (!c) return null;
  return (page ??= c.getpagesize());
}

const range = Buffer.alloc(16); // struct cachestat_range { u64 off; u64 len; }: 0/0 = whole file
const stat = Buffer.alloc(40); // struct cachestat { u64 nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted; }

function viaCachestat(c: PcCalls, fd: number): number | null {
  if (cachestatWorks === false) return null;
  const rc = Number(c.syscall(SYS_CACHESTAT, 'unsigned int', fd, 'void *', range, 'void *', stat, 'unsigned int', 0));
  if (rc !== 0) {
    cachestatWorks = false; // ENOSYS on kernels before 6.5: use mincore from now on
    return null;
  }
  cachestatWorks = true;
  return Number(stat.readBigUInt64LE(0));
}

function viaMincore(c: PcCalls, fd: number, size: number, pageBytes: number): number | null {
  let pages = 0;
  const windowBytes = WINDOW_PAGES * pageBytes;
  const vec = Buffer.alloc(WINDOW_PAGES);
  for (let off = 0; off < size; off += windowBytes) {
    const len = Math.min(windowBytes, size - off);
    const addr = c.mmap(null, len, PROT_READ, MAP_SHARED, fd, off);
    // MAP_FAILED is (void *)-1, which koffi hands back as a pointer object like any other: compare its address.
    if (!addr || c.address(addr) === MAP_FAILED) return null;
    try {
      if (c.mincore(addr, len, vec) !== 0) return null;
      const n = Math.ceil(len / pageBytes);
      for (let i = 0; i < n; i++) pages += vec[i] & 1;
    } finally {
      c.munmap(addr, len);
    }
  }
  return pages;
}

export interface Residency {
  bytes: number;
  resident: number;
  method: 'cachestat' | 'mincore';
}

/**
 * Resident bytes of a regular file (whole pages, as fincore counts them), or null when it cannot be opened
 * (gone, permission) or is not a regular file. The last component of `path` is never followed and nothing
 * but a regular file is opened for reading (sys/checkedOpen.ts: a FIFO or device node a container put in
 * its layer is neither waited on nor opened); inside a layer, pass a race-free path (pinnedDir.ts's
 * entryPath). `method` forces one call: tests use it to check the mincore fallback on a kernel with cachestat.
 */
export function residentBytes(path: string, method?: Residency['method']): Residency | null {
  const c = pcCalls();
  const pageBytes = pageSize();
  if (!c || !pageBytes) return null;
  let opened: { fd: number; st: fs.Stats };
  try {
    opened = openRegularNoFollow(path);
  } catch {
    return null;
  }
  const { fd, st } = opened;
  try {
    const size = st.size;
    if (size === 0) return { bytes: 0, resident: 0, method: method ?? (cachestatWorks === false ? 'mincore' : 'cachestat') };
    const cached = method === 'mincore' ? null : viaCachestat(c, fd);
    if (cached !== null) return { bytes: size, resident: cached * pageBytes, method: 'cachestat' };
    const pages = viaMincore(c, fd, size, pageBytes);
    return pages === null ? null : { bytes: size, resident: pages * pageBytes, method: 'mincore' };
  } finally {
    fs.closeSync(fd);
  }
}
