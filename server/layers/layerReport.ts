/**
 * `layers.report`: each layer of a stack (layerStack.ts) with its history, size, file, whiteout and
 * opaque-dir counts, and the stack's wasted space and efficiency (wastedSpace.ts), as dive shows an image.
 *
 * One walk per layer, top-most first, by fd (walk.ts: nothing a container swaps in mid-walk is followed),
 * every walk of the request sharing one budget; a walk cut short sets `truncated`, and a Problem says
 * where. Sizes come from lstat, never from opening a file. Per entry: one lstat for files and symlinks,
 * xattrs only where overlayfs puts marks (directories: opaque; zero-size files: xattr whiteouts).
 *
 * Redirects (`overlay.redirect` on a directory, redirect_dir=on) are counted, not followed: engines do not
 * make them in image layers, only a container renaming a lower directory in its writable layer can.
 *
 * `bytes` counts regular file content once per inode within a layer, as moby's overlay2 DiffSize
 * (pkg/directory Size) does for `docker history`; that also counts symlinks' lengths, reported apart as
 * `symlinkBytes` (bytes + symlinkBytes = the docker history size).
 */
import * as fs from 'fs';
import type { LayerReport, Problem, ReportLayer } from '../protocol';
import { listXattrs } from '../sys/xattr';
import { entryMark, isChardevWhiteout, WH_OPAQUE, WH_PREFIX, type MarkPrefix } from './overlayMarks';
import { WalkBudget, walkTree } from './walk';
import { WasteCounter } from './wastedSpace';
import type { LayerStack } from './layerStack';

function hasMark(names: string[], prefixes: readonly MarkPrefix[], what: string): boolean {
  return prefixes.some((p) => names.includes(p + what));
}

export function layerReport(stack: LayerStack, top: number, budget = new WalkBudget()): LayerReport {
  const problems: Problem[] = [...stack.problems];
  const counter = new WasteCounter();
  let truncated = false;
  const layers: ReportLayer[] = stack.layers.map((l) => {
    const r: ReportLayer = {
      index: l.index,
      path: l.dir,
      role: l.role,
      origin: l.origin,
      createdBy: l.createdBy,
      emptyHistory: l.emptyHistory,
      ...(l.trailingHistory ? { trailingHistory: l.trailingHistory } : {}),
      bytes: 0,
      symlinkBytes: 0,
      files: 0,
      whiteouts: 0,
      opaqueDirs: 0,
      redirects: 0,
      usedBy: l.usedBy,
    };
    counter.beginLayer(l.index);
    const inodes = new Set<number>();
    const walked = walkTree(
      l.dir,
      ({ rel, at, dirFd, dirent }) => {
        const name = dirent.name;
        const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
        if (dirent.isDirectory()) {
          const names = listXattrs(at);
          const opaque = hasMark(names, stack.prefixes, 'opaque') && entryMark(dirFd, name, 'opaque', stack.prefixes)?.toString() === 'y';
          if (opaque) r.opaqueDirs++;
          // Only the mount's own prefix counts: a container may set the other one on its directories, and the kernel ignores it.
          if (hasMark(names, stack.prefixes, 'redirect')) r.redirects++;
          counter.add({ path: rel, kind: opaque ? 'opaqueDir' : 'dir', bytes: 0 });
          return;
        }
        // AUFS / fuse-overlayfs markers: files standing for a deletion or an opaque parent, not content.
        if (name === WH_OPAQUE) {
          r.opaqueDirs++;
          if (parent) counter.add({ path: parent, kind: 'opaqueDir', bytes: 0 });
          return;
        }
        if (name.startsWith(WH_PREFIX) && dirent.isFile()) {
          r.whiteouts++;
          counter.add({ path: `${parent ? `${parent}/` : ''}${name.slice(WH_PREFIX.length)}`, kind: 'whiteout', bytes: 0 });
          return;
        }
        let st: fs.Stats;
        try {
          st = fs.lstatSync(at);
        } catch {
          return; // removed while we walked
        }
        if (st.isSymbolicLink()) {
          r.symlinkBytes += st.size;
          counter.add({ path: rel, kind: 'other', bytes: 0 });
          return;
        }
        if (isChardevWhiteout(st) || (st.isFile() && st.size === 0 && hasMark(listXattrs(at), stack.prefixes, 'whiteout'))) {
          r.whiteouts++;
          counter.add({ path: rel, kind: 'whiteout', bytes: 0 });
          return;
        }
        if (!st.isFile()) {
          counter.add({ path: rel, kind: 'other', bytes: 0 });
          return;
        }
        r.files++;
        // A second name of an inode already counted adds no content (DiffSize counts each inode once).
        const first = !inodes.has(st.ino);
        if (first) {
          inodes.add(st.ino);
          r.bytes += st.size;
        }
        counter.add({ path: rel, kind: 'file', bytes: first ? st.size : 0 });
      },
      problems,
      budget,
    );
    if (walked.truncated) truncated = true;
    return r;
  });
  const waste = counter.result();
  return {
    target: stack.target,
    layers,
    efficiency: waste.efficiency,
    wastedBytes: waste.wastedBytes,
    totalBytes: waste.totalBytes,
    wasted: waste.wasted.slice(0, top),
    wastedFiles: waste.wasted.length,
    truncated,
    problems,
  };
}
