/**
 * Every layer's files for the editor (layerFiles.stat/list/read): one layer of a container's or an image's
 * stack alone, or the merged view up to a layer, i.e. that layer and every layer below it as the kernel
 * merges them (the image as it stood when the layer was made). Read-only.
 *
 * Paths are looked up as whence does (layers/whence.ts: whiteouts, opaque directories and redirects
 * honoured as overlayfs honours them, a symlink on the way resolved against the view's own root), in the
 * stack's verified host directories only (layerStack.ts refuses a container whose layers are not). The
 * entry found is then opened from its layer's root one directory at a time, each opened without following
 * anything (sys/pinnedDir.ts), the entry itself O_PATH|O_NOFOLLOW and reopened for reading only when it
 * is a regular file (sys/checkedOpen.ts): a link or `..` a container planted in a layer never leads to
 * the node's own files, and a FIFO or device in a layer is never opened.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  ErrorCodes,
  type ContainerFileStat,
  type LayerFileEntry,
  type LayerFileMarks,
  type LayerFileStat,
  type LayerRef,
  type Methods,
  type RootfsInfo,
} from '../protocol';
import { refuse, echo } from '../failure';
import { AgentError } from '../agentError';
import { O_PATH, reopenForReading } from '../sys/checkedOpen';
import { entryPath, forEachEntry, lstatEntry, openChildDir, openDirBeneath } from '../sys/pinnedDir';
import { lookupServed, openLayers, type OpenLayers, type Served } from '../layers/whence';
import { isOpaqueDir, isWhiteout, WH_OPAQUE, WH_PREFIX } from '../layers/overlayMarks';
import type { LayerStack } from '../layers/layerStack';
import { WalkBudget } from '../layers/walk';
import { describeStats, failure, MAX_ENTRIES, readOpenFile, statOfFd, typeOf } from './containerFiles';

/** Linux's MAXSYMLINKS: links followed at the end of a path before giving up (ELOOP). */
const MAX_LINKS = 40;
/** Names read per layer directory in one listing: a directory of millions of entries is not read whole. */
const READ_MAX = 100_000;

/** A stack and, for a container, its overlay mount (whether it follows redirects). */
export interface ViewSource {
  stack: LayerStack;
  rootfs: RootfsInfo | null;
}

export interface ViewParams {
  layer: number;
  merged: boolean;
}

interface OpenView {
  layers: OpenLayers;
  /** For messages: "layer 2 of web", "web up to layer 2". */
  where: string;
  /** The layer the view is named by. */
  layer: LayerRef;
}

/** The layers of a view opened by fd: `layer` alone, or with `merged` every layer from it down. close() when done. */
function openView(src: ViewSource, v: ViewParams): OpenView {
  const { stack } = src;
  const pos = stack.layers.findIndex((l) => l.index === v.layer);
  if (pos < 0) {
    const ix = stack.layers.map((l) => l.index);
    throw refuse(
      ErrorCodes.InvalidParams,
      `no layer ${v.layer} in ${echo(stack.target.name)} (its layers are ${Math.min(...ix)} to ${Math.max(...ix)})`,
    );
  }
  const refs: LayerRef[] = (v.merged ? stack.layers.slice(pos) : [stack.layers[pos]]).map((l) => ({
    path: l.dir,
    role: l.role,
    index: l.index,
  }));
  // An image has no mount: dockerd mounts its layers following redirects, as openLayers assumes without one.
  const layers = {
    ...openLayers({ ...(src.rootfs ?? { fstype: 'overlay', source: '', readOnly: true, overlay: null }), layers: refs }),
    prefixes: stack.prefixes,
  };
  const name = echo(stack.target.name);
  const where = v.merged ? `${name} up to layer ${v.layer}` : `layer ${v.layer} of ${name}`;
  if (layers.problems.length) {
    layers.close();
    throw refuse(ErrorCodes.Unsupported, `${where}: ${layers.problems[0].source}: ${layers.problems[0].message}`);
  }
  return { layers, where, layer: refs[0] };
}

function withView<T>(src: ViewSource, v: ViewParams, use: (o: OpenView) => T): T {
  const o = openView(src, v);
  try {
    return use(o);
  } finally {
    o.layers.close();
  }
}

/** The path's components; `.` and `..` refused, not resolved: the client names paths as the view shows them. */
function checkedPath(p: string): string {
  if (!p.startsWith('/')) throw refuse(ErrorCodes.InvalidParams, `"path" must be absolute, got "${echo(p)}"`);
  if (p.split('/').some((c) => c === '.' || c === '..'))
    throw refuse(ErrorCodes.InvalidParams, `"path" must not hold . or .. components, got "${echo(p)}"`);
  return `/${p.split('/').filter(Boolean).join('/')}`;
}

function rootOf(o: OpenView, ref: LayerRef): number {
  const root = o.layers.layers.find((l) => l.ref.index === ref.index)?.root;
  if (root === undefined || root === null) throw refuse(ErrorCodes.InternalError, `layer ${ref.index} is not open`);
  return root;
}

/**
 * An O_PATH|O_NOFOLLOW fd on the served entry, reached from its layer's root through directories opened
 * without following anything (the caller closes it).
 */
function openServed(o: OpenView, s: Served): number {
  const root = rootOf(o, s.ref);
  if (!s.comps.length) return fs.openSync(`/proc/self/fd/${root}`, O_PATH | fs.constants.O_DIRECTORY);
  const parent = openDirBeneath(root, s.comps.slice(0, -1));
  try {
    return fs.openSync(entryPath(parent, s.comps[s.comps.length - 1]), O_PATH | fs.constants.O_NOFOLLOW);
  } finally {
    fs.closeSync(parent);
  }
}

function withServed<T>(o: OpenView, s: Served, p: string, use: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openServed(o, s);
  } catch (err) {
    throw failure(p, err, o.where);
  }
  try {
    return use(fd);
  } catch (err) {
    throw err instanceof AgentError ? err : failure(p, err, o.where);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The lookup of `p`, with a symlink at its end followed too when `follow`, as open(2) would; inside the view
 * always. At most MAX_LINKS links in all, those in the middle of each path (whence follows them) and those
 * at its end counted together, as the kernel counts them: 40 at the end, each with 40 more on the way, were
 * 1,600 lookups, minutes of the agent's one thread through a deep directory a container made.
 */
function resolve(o: OpenView, p: string, follow: boolean): ReturnType<typeof lookupServed> & { at: string } {
  const loop = (): AgentError => refuse(ErrorCodes.InvalidParams, `${p}: more than ${MAX_LINKS} symlinks in ${o.where} (ELOOP)`);
  let at = p;
  for (let left = MAX_LINKS; ; left--) {
    const r = lookupServed(o.layers, at, left);
    left -= r.symlinks;
    if (r.found.problems?.some((x) => x.message.includes('(ELOOP)'))) throw loop();
    if (!follow || r.found.fileType !== 'symlink' || !r.served.length) return { ...r, at: r.found.resolvedPath ?? at };
    if (left <= 0) throw loop();
    const link = withServed(o, r.served[0], p, (fd) => statOfFd(p, fd).target ?? '');
    // Resolved as the kernel resolves it in the view: from its root (absolute) or its directory; never above the root.
    at = path.posix.resolve(path.posix.dirname(r.found.resolvedPath ?? at), link);
  }
}

function notFound(o: OpenView, p: string): AgentError {
  return refuse(ErrorCodes.NotFound, `no such file in ${o.where}: ${p}`);
}

function opaqueAt(o: OpenView, s: Served): boolean {
  const fd = openDirBeneath(rootOf(o, s.ref), s.comps);
  try {
    return isOpaqueDir(fd, o.layers.prefixes);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `use` on the merged view of the layers below the view's layer, or `none` when it is the bottom one: what
 * they show of a path the writable layer holds was copied up (or replaced).
 */
function withBelow<T>(src: ViewSource, o: OpenView, none: T, use: (below: OpenView) => T): T {
  const below = src.stack.layers.find((l) => l.index > o.layer.index);
  return below ? withView(src, { layer: below.index, merged: true }, use) : none;
}

/** The stack's figures a comparison needs. */
function around(src: ViewSource): Pick<LayerFileStat, 'imageLayer' | 'bottomLayer'> {
  const image = src.stack.layers.find((l) => l.role === 'lower' && l.origin !== 'init');
  return { imageLayer: image?.index ?? null, bottomLayer: src.stack.layers[src.stack.layers.length - 1].index };
}

/** lstat of `p` in the view (a symlink described, not followed), with its marks. A layer's own whiteout is described as the entry it is. */
export function statInLayers(src: ViewSource, v: ViewParams, rawPath: string): LayerFileStat {
  const p = checkedPath(rawPath);
  return withView(src, v, (o) => {
    const r = resolve(o, p, false);
    if (!r.found.visible) {
      if (v.merged || r.found.deletedBy?.index !== o.layer.index) throw notFound(o, p);
      return { ...whiteoutStat(o, p), marks: { layer: o.layer.index, whiteout: true }, ...around(src) };
    }
    const top = r.served[0];
    const st = withServed(o, top, p, (fd) => statOfFd(p, fd));
    const marks: LayerFileMarks = { layer: top.ref.index };
    if (st.type === 'dir' && top.comps.length && opaqueAt(o, top)) marks.opaque = true;
    if (
      top.ref.role === 'upper' &&
      (r.found.copiedUp || (!v.merged && withBelow(src, o, false, (b) => lookupServed(b.layers, r.at).found.visible)))
    )
      marks.copiedUp = true;
    return { ...st, marks, ...around(src) };
  });
}

/** The whiteout entry a layer holds for `p` (a 0/0 device, an xattr-marked file or an AUFS `.wh.` file), described. */
function whiteoutStat(o: OpenView, p: string): ContainerFileStat {
  const parent = resolve(o, path.posix.dirname(p), true);
  const name = path.posix.basename(p);
  if (!parent.found.visible || parent.found.fileType !== 'dir') throw notFound(o, p);
  const dir = parent.served[0];
  for (const n of [name, WH_PREFIX + name]) {
    const st = withServed(o, dir, p, (fd) => lstatEntry(fd, n));
    if (st) return describeStats(p, st);
  }
  throw notFound(o, p);
}

interface Named {
  entry: LayerFileEntry;
  /** A whiteout: hides the name in the layers below. */
  deletes: boolean;
}

/**
 * The entries of one served directory, whiteouts named by the name they delete; at most READ_MAX read, and
 * none once the request's budget is spent (each entry costs an lstat, an empty file an xattr read too).
 */
function readServedDir(o: OpenView, s: Served, budget: WalkBudget): { named: Named[]; truncated: boolean } {
  const fd = openDirBeneath(rootOf(o, s.ref), s.comps);
  const named: Named[] = [];
  let seen = 0;
  try {
    const complete = forEachEntry(fd, (d) => {
      if (++seen > READ_MAX || !budget.take()) return false;
      if (d.name === WH_OPAQUE) return;
      const st = lstatEntry(fd, d.name);
      if (!st) return;
      const aufs = d.name.startsWith(WH_PREFIX) && st.isFile();
      if (aufs || isWhiteout(fd, d.name, st, o.layers.prefixes)) {
        named.push({
          entry: { name: aufs ? d.name.slice(WH_PREFIX.length) : d.name, type: typeOf(st), marks: { layer: s.ref.index, whiteout: true } },
          deletes: true,
        });
        return;
      }
      const marks: LayerFileMarks = { layer: s.ref.index };
      if (st.isDirectory()) {
        try {
          const child = openChildDir(fd, d.name);
          try {
            if (isOpaqueDir(child, o.layers.prefixes)) marks.opaque = true;
          } finally {
            fs.closeSync(child);
          }
        } catch {
          /* swapped for a non-directory mid-listing: listed without the mark */
        }
      }
      named.push({ entry: { name: d.name, type: typeOf(st), marks }, deletes: false });
    });
    return { named, truncated: !complete };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The directory's entries as the view shows them: the merged directories top-most first (whence's served
 * list ends where the kernel's merge does: at an opaque directory), a name taken from the first layer
 * that has it or whites it out. A layer's own view lists its whiteouts, marked.
 */
function entriesOf(
  o: OpenView,
  served: Served[],
  merged: boolean,
  budget: WalkBudget,
): { entries: Map<string, LayerFileEntry>; truncated: boolean } {
  const decided = new Map<string, LayerFileEntry | null>();
  let truncated = false;
  for (const s of served) {
    const dir = readServedDir(o, s, budget);
    truncated ||= dir.truncated;
    for (const { entry, deletes } of dir.named) {
      const before = decided.get(entry.name);
      if (before === undefined) decided.set(entry.name, deletes && merged ? null : entry);
      else if (
        before &&
        !deletes &&
        !before.marks.whiteout &&
        o.layers.layers.find((l) => l.ref.index === before.marks.layer)?.ref.role === 'upper'
      )
        before.marks.copiedUp = true;
    }
  }
  const entries = new Map<string, LayerFileEntry>();
  for (const [name, e] of decided) if (e) entries.set(name, e);
  return { entries, truncated };
}

/**
 * The entries of a directory of the view, sorted by name, at most MAX_ENTRIES (containerFiles.ts). `budget`:
 * the entries and time the request may look at, across every layer (walk.ts); `truncated` once spent.
 */
export function listInLayers(
  src: ViewSource,
  v: ViewParams,
  rawPath: string,
  budget = new WalkBudget(),
): { path: string; entries: LayerFileEntry[]; truncated: boolean } {
  const p = checkedPath(rawPath);
  return withView(src, v, (o) => {
    const r = resolve(o, p, true);
    if (!r.found.visible) throw notFound(o, p);
    if (r.found.fileType !== 'dir') throw refuse(ErrorCodes.InvalidParams, `not a directory in ${o.where}: ${p}`);
    const { entries, truncated } = entriesOf(o, r.served, v.merged, budget);
    if (!v.merged && o.layer.role === 'upper') {
      // The writable layer alone: what the layers below also show here was copied up (or replaced).
      const names = withBelow(src, o, new Map<string, LayerFileEntry>(), (b) => {
        const br = resolve(b, r.at, true);
        return br.found.visible && br.found.fileType === 'dir'
          ? entriesOf(b, br.served, true, budget).entries
          : new Map<string, LayerFileEntry>();
      });
      for (const [name, e] of entries) if (!e.marks.whiteout && names.has(name)) e.marks.copiedUp = true;
    }
    const sorted = [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // A budget spent on the layers below leaves copy-up marks unknown: cut too.
    return { path: p, entries: sorted.slice(0, MAX_ENTRIES), truncated: truncated || budget.exhausted || sorted.length > MAX_ENTRIES };
  });
}

/** The content of a regular file of the view (a symlink at the end followed inside the view), at most MAX_FILE_BYTES. */
export function readInLayers(src: ViewSource, v: ViewParams, rawPath: string): { data: Buffer; layer: number } {
  const p = checkedPath(rawPath);
  return withView(src, v, (o) => {
    const r = resolve(o, p, true);
    if (!r.found.visible) throw notFound(o, p);
    const top = r.served[0];
    const data = withServed(o, top, p, (pathFd) => {
      const { fd } = reopenForReading(pathFd);
      try {
        return readOpenFile(fd, p, o.where);
      } finally {
        fs.closeSync(fd);
      }
    });
    return { data, layer: top.ref.index };
  });
}

/** A request's view and path, checked. */
function viewOf(p: unknown): ViewParams & { target: string; path: string } {
  const o = (p ?? {}) as Record<string, unknown>;
  if (typeof o.target !== 'string' || !o.target) throw refuse(ErrorCodes.InvalidParams, '"target" must be a non-empty string');
  if (typeof o.layer !== 'number' || !Number.isInteger(o.layer) || o.layer < 0)
    throw refuse(ErrorCodes.InvalidParams, '"layer" must be a non-negative integer');
  if (typeof o.merged !== 'boolean') throw refuse(ErrorCodes.InvalidParams, '"merged" must be true or false');
  if (typeof o.path !== 'string') throw refuse(ErrorCodes.InvalidParams, '"path" must be a string');
  return { target: o.target, layer: o.layer, merged: o.merged, path: o.path };
}

/** The agent's layerFiles.* handlers; `sourceOf` finds a target's stack as layers.list does. */
export function layerFileHandlers(sourceOf: (target: string) => ViewSource): {
  [M in 'layerFiles.stat' | 'layerFiles.list' | 'layerFiles.read']: (p: unknown) => Methods[M]['result'];
} {
  return {
    'layerFiles.stat': (p) => {
      const v = viewOf(p);
      return statInLayers(sourceOf(v.target), v, v.path);
    },
    'layerFiles.list': (p) => {
      const v = viewOf(p);
      return listInLayers(sourceOf(v.target), v, v.path);
    },
    'layerFiles.read': (p) => {
      const v = viewOf(p);
      // Base64 only here, for the JSON-RPC answer.
      const { data, layer } = readInLayers(sourceOf(v.target), v, v.path);
      return { path: v.path, size: data.length, base64: data.toString('base64'), layer };
    },
  };
}
