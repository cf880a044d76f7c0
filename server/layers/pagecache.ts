/**
 * Page cache per layer. overlayfs does not keep page cache of its own for unmodified lower files: a read
 * through the merged view fills the cache of the lower layer's inode, shared by every container that
 * stacks the layer. So residency read on the layer's files is the truth for all of them, while the
 * memory cgroup charge for those pages went to whichever container touched them first.
 */
import type { LayerRef, PageCacheFile, PageCacheLayer, PageCacheReport, Problem } from '../protocol';
import { pageSize, residentBytes } from '../sys/pagecache';
import { nativeUnavailableReason } from '../sys/libc';
import { WalkBudget, walkTree } from './walk';

export function pageCacheOfLayers(
  target: string,
  kind: 'container' | 'dir',
  layers: LayerRef[],
  cgroupFileBytes: number | null,
  top = 10,
): PageCacheReport {
  const problems: Problem[] = [];
  const pageBytes = pageSize();
  if (pageBytes === null) {
    // No mincore/cachestat without native calls: no layer figures at all rather than zeros that look measured.
    const reason = nativeUnavailableReason() ?? 'native calls unavailable';
    return {
      target,
      kind,
      method: 'cachestat',
      pageSize: 0,
      layers: [],
      residentBytes: 0,
      cgroupFileBytes,
      problems: [{ source: target, message: reason }],
    };
  }
  let method: PageCacheReport['method'] = 'cachestat';
  // One budget for the request: a container with many layers gets no more walking than one with one.
  const budget = new WalkBudget();
  let truncated = false;
  const out: PageCacheLayer[] = layers.map((layer) => {
    const entry: PageCacheLayer = { layer, files: 0, bytes: 0, residentBytes: 0, topFiles: [] };
    const best: PageCacheFile[] = [];
    const walked = walkTree(
      layer.path,
      ({ rel, at, dirent }) => {
        if (!dirent.isFile()) return;
        // `at` names the file through its pinned directory; residentBytes opens only a regular file there.
        const r = residentBytes(at);
        if (!r) return;
        method = r.method;
        entry.files++;
        entry.bytes += r.bytes;
        entry.residentBytes += r.resident;
        if (r.resident > 0) keepTop(best, { path: rel, bytes: r.bytes, residentBytes: r.resident }, top);
      },
      problems,
      budget,
    );
    if (walked.truncated) truncated = entry.truncated = true;
    entry.topFiles = best;
    return entry;
  });
  return {
    target,
    kind,
    method,
    pageSize: pageBytes,
    layers: out,
    residentBytes: out.reduce((s, l) => s + l.residentBytes, 0),
    cgroupFileBytes,
    problems,
    ...(truncated ? { truncated } : {}),
  };
}

/** Keeps the `n` files with most resident bytes, largest first, without sorting every file. */
function keepTop(best: PageCacheFile[], f: PageCacheFile, n: number): void {
  if (n <= 0) return;
  if (best.length === n && best[n - 1].residentBytes >= f.residentBytes) return;
  const at = best.findIndex((b) => b.residentBytes < f.residentBytes);
  best.splice(at < 0 ? best.length : at, 0, f);
  if (best.length > n) best.pop();
}
