/**
 * The FFI boundary: the only place the agent loads native code. Every native call the agent makes is
 * declared in a module under server/sys/ on top of this one, so a reviewer can see them all in one folder.
 *
 * koffi is loaded lazily: the CLI and extension import protocol types without ever touching native code,
 * and a node without a usable koffi build still gets every fact that plain file reads can give.
 */
import type * as Koffi from 'koffi' with { 'resolution-mode': 'require' };

let koffiModule: typeof Koffi | null | undefined;
let libc: Koffi.LibraryHandle | null = null;
let loadError: string | null = null;

/** koffi and libc, or null with the reason in `nativeUnavailableReason()`. */
export function loadLibc(): { koffi: typeof Koffi; lib: Koffi.LibraryHandle } | null {
  if (koffiModule === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: a node where koffi's native part fails still runs the agent without native calls
      koffiModule = require('koffi') as typeof Koffi;
      libc = koffiModule.load('libc.so.6');
    } catch (err) {
      koffiModule = null;
      loadError = `native calls unavailable (koffi: ${(err as Error).message.split('\n')[0]})`;
    }
  }
  return koffiModule && libc ? { koffi: koffiModule, lib: libc } : null;
}

export function nativeUnavailableReason(): string | null {
  loadLibc();
  return loadError;
}

/** errno of the last failed call on this thread, as a name like `EPERM` where known. */
export function errnoName(code: number): string {
  const names: Record<number, string> = {
    1: 'EPERM',
    2: 'ENOENT',
    3: 'ESRCH',
    6: 'ENXIO',
    9: 'EBADF',
    11: 'EAGAIN',
    12: 'ENOMEM',
    13: 'EACCES',
    18: 'EXDEV',
    20: 'ENOTDIR',
    21: 'EISDIR',
    22: 'EINVAL',
    25: 'ENOTTY',
    36: 'ENAMETOOLONG',
    38: 'ENOSYS',
    40: 'ELOOP',
    61: 'ENODATA',
    95: 'EOPNOTSUPP',
  };
  return names[code] ?? `errno ${code}`;
}
