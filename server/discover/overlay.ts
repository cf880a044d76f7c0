/**
 * A container's root filesystem and mounts, from the mountinfo of its own mount namespace.
 *
 * overlayfs options follow Documentation/filesystems/overlayfs.rst:
 *   lowerdir=A:B:C        A is the top-most lower layer
 *   lowerdir=A:B::C::D    after the first `::` every layer is data-only (C, D)
 *   lowerdir+=A,datadir+=C  the new mount API's one-layer-per-option forms (kernel 6.8+), in order
 *   `\:` escapes a colon inside a path; mountinfo shows octal escapes (`\072`, `\054`, `\040`)
 * Docker and containers/storage mount long option strings with RELATIVE `l/<ID>` lowerdirs (they chdir
 * into their overlay root first, so the page-sized mount data fits); `l/<ID>` is a symlink to
 * `../<cache-id>/diff`. We resolve those so every layer is an absolute directory.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LayerRef, MountInfo, OverlayInfo, RootfsInfo } from '../protocol';
import type { MountEntry } from './mountinfo';

/** Decodes mountinfo/option escapes: `\NNN` octal and `\x` (any other escaped char) to the literal char. */
function unescapeRun(s: string): string {
  return s.replace(/\\([0-7]{3}|.)/g, (_m, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : e));
}

/**
 * Splits a lowerdir value on unescaped colons. An empty field (from `::`) marks where the data-only
 * layers begin; it is returned as the empty string so the caller sees the boundary.
 */
function splitLayers(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      // Keep the escape for unescapeRun: an escaped colon (`\:` or `\072`) is part of the path.
      const oct = /^[0-7]{3}/.exec(value.slice(i + 1));
      const len = oct ? 3 : 1;
      cur += value.slice(i, i + 1 + len);
      i += len;
    } else if (c === ':') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out.map(unescapeRun);
}

/** `l/<ID>` as the last two components: the engines' short-link directory. */
const LINK_DIR = /(^|\/)l\/[A-Za-z0-9]+$/;

/**
 * Where a layer link points, as an absolute path: `<root>/l/ID` → readlink `../<cache-id>/diff` →
 * `<root>/<cache-id>/diff`. Anything that is not a symlink is returned unchanged.
 */
export function followLayerLink(p: string): string {
  if (!LINK_DIR.test(p)) return p;
  try {
    const target = fs.readlinkSync(p);
    return path.resolve(path.dirname(p), target);
  } catch {
    return p; // not a link (or gone): keep what the kernel showed us, never guess
  }
}

/**
 * A resolver for relative lowerdirs: tries each engine overlay root (Docker's `<data-root>/overlay2`,
 * containers/storage's `.../overlay`) and returns the first under which the relative path exists.
 */
export function relativeLayerResolver(roots: string[]): (p: string) => string | null {
  return (rel) => {
    for (const root of roots) {
      const candidate = path.join(root, rel);
      try {
        fs.lstatSync(candidate);
        return followLayerLink(candidate);
      } catch {
        // try the next root
      }
    }
    return null;
  };
}

function onOff(v: string | undefined): boolean | null {
  if (v === 'on') return true;
  if (v === 'off') return false;
  return null;
}

/**
 * Parses an overlay superblock option string (mountinfo's last field). `resolveRelative` maps a
 * relative layer path to an absolute one (null when it cannot: the raw path is kept, so the fact is
 * visible rather than dropped).
 */
export function parseOverlayOptions(superOptions: string, resolveRelative: (p: string) => string | null): OverlayInfo {
  const info: OverlayInfo = {
    lowerdirs: [],
    dataLowerdirs: [],
    upperdir: null,
    workdir: null,
    index: null,
    redirectDir: null,
    metacopy: null,
    xino: null,
    volatile: false,
    userxattr: false,
  };
  const absolute = (p: string): string => {
    if (p.startsWith('/')) return followLayerLink(p);
    return resolveRelative(p) ?? p;
  };
  // The kernel escapes commas inside values (`\054`), so splitting the raw string on ',' is safe.
  for (const opt of superOptions.split(',')) {
    const eq = opt.indexOf('=');
    const key = eq < 0 ? opt : opt.slice(0, eq);
    const raw = eq < 0 ? '' : opt.slice(eq + 1);
    switch (key) {
      case 'lowerdir': {
        let data = false;
        for (const layer of splitLayers(raw)) {
          if (layer === '') {
            data = true; // `::` — every layer from here on is data-only
            continue;
          }
          (data ? info.dataLowerdirs : info.lowerdirs).push(absolute(layer));
        }
        break;
      }
      case 'lowerdir+':
        info.lowerdirs.push(absolute(unescapeRun(raw)));
        break;
      case 'datadir+':
        info.dataLowerdirs.push(absolute(unescapeRun(raw)));
        break;
      case 'upperdir':
        info.upperdir = absolute(unescapeRun(raw));
        break;
      case 'workdir':
        info.workdir = absolute(unescapeRun(raw));
        break;
      case 'index':
        info.index = onOff(raw);
        break;
      case 'metacopy':
        info.metacopy = onOff(raw);
        break;
      case 'redirect_dir':
        info.redirectDir = raw;
        break;
      case 'xino':
        info.xino = raw;
        break;
      case 'volatile':
        info.volatile = true;
        break;
      case 'userxattr':
        info.userxattr = true;
        break;
      default:
        break;
    }
  }
  return info;
}

/** Upper first (index 0), then lowers top-most first, then data-only lowers. */
export function layersOf(overlay: OverlayInfo): LayerRef[] {
  const refs: LayerRef[] = [];
  if (overlay.upperdir) refs.push({ path: overlay.upperdir, role: 'upper', index: refs.length });
  for (const p of overlay.lowerdirs) refs.push({ path: p, role: 'lower', index: refs.length });
  for (const p of overlay.dataLowerdirs) refs.push({ path: p, role: 'data', index: refs.length });
  return refs;
}

/** Per-mount options (field 6) carry `ro`/`rw`; the superblock's may differ (a ro bind of a rw fs). */
function isReadOnly(options: string): boolean {
  return options.split(',').includes('ro');
}

/**
 * The container's root: the mount at `/` in its own mountinfo. Mounts stack, so when several sit on
 * `/` the last one listed is the one in effect.
 */
export function rootfsOf(mounts: MountEntry[], resolveRelative: (p: string) => string | null = () => null): RootfsInfo | null {
  const roots = mounts.filter((m) => m.mountPoint === '/');
  const root = roots[roots.length - 1];
  if (!root) return null;
  const overlay = root.fstype === 'overlay' ? parseOverlayOptions(root.superOptions, resolveRelative) : null;
  return {
    fstype: root.fstype,
    source: root.source,
    readOnly: isReadOnly(root.options),
    overlay,
    layers: overlay ? layersOf(overlay) : [],
  };
}

let memTotalBytes: number | null | undefined;
function memTotal(): number | null {
  if (memTotalBytes === undefined) {
    try {
      const m = /^MemTotal:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
      memTotalBytes = m ? Number(m[1]) * 1024 : null;
    } catch {
      memTotalBytes = null;
    }
  }
  return memTotalBytes;
}

/**
 * tmpfs `size=` in bytes. mountinfo shows it in `k`, but a mount option may also be given with
 * k/m/g suffixes or as `N%`: a percentage of RAM. The kernel computes that from totalram_pages, which
 * is exactly what /proc/meminfo reports as MemTotal, so N% is MemTotal * N / 100.
 */
export function parseTmpfsSize(value: string): number | null {
  const m = /^(\d+)([kKmMgGtT%]?)$/.exec(value);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  if (unit === '%') {
    const total = memTotal();
    return total === null ? null : Math.floor((total * n) / 100);
  }
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
  const bytes = n * mult;
  // size=0 means "no limit" for tmpfs (Documentation/filesystems/tmpfs.rst).
  return bytes === 0 ? null : bytes;
}

function tmpfsSize(entry: MountEntry): number | null {
  if (entry.fstype !== 'tmpfs') return null;
  const opt = entry.superOptions.split(',').find((o) => o.startsWith('size='));
  return opt ? parseTmpfsSize(opt.slice('size='.length)) : null;
}

export function mountsOf(entries: MountEntry[]): MountInfo[] {
  return entries.map((e) => ({
    mountId: e.mountId,
    parentId: e.parentId,
    target: e.mountPoint,
    fstype: e.fstype,
    source: e.source,
    root: e.root,
    readOnly: isReadOnly(e.options),
    options: e.options,
    superOptions: e.superOptions,
    sizeBytes: tmpfsSize(e),
  }));
}
