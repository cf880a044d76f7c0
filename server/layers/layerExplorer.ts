/**
 * `layers.explore`: the layer explorer's data, one page of one directory at a time, so a tree of 100,000
 * entries is loaded as it is scrolled. The directory is listed by listLayerDir (layerListing.ts: the
 * layer alone or merged up to it, each entry marked A/M/R/U, every directory opened by fd from the
 * verified layer root), filtered (changes only, a path pattern: pathPattern.ts), sorted by name, and cut
 * to the page; only the page's directories are then looked into, for `hasChildren`.
 *
 * Paging needs the whole directory read once (the total, and the order by name, depend on every entry).
 * The first page (offset 0) always reads it afresh; later pages of the same view come from that read for
 * up to CACHE_MS, so a scroll through 100,000 entries reads the directory once and the pages agree with
 * each other. Small directories are not kept: reading them again costs less than holding them.
 */
import { ErrorCodes, type ExplorerEntry, type LayerExploreParams, type LayerExplorePage, type LayerListing, type ListingMark } from '../protocol';
import { refuse } from '../failure';
import { hasEntries, layerPosition, listLayerDir, pathComponents } from './layerListing';
import { pathTest } from './pathPattern';
import { WalkBudget } from './walk';
import type { LayerStack } from './layerStack';

export const PAGE_DEFAULT = 500;
export const PAGE_MAX = 5000;
/** How long later pages are served from the first page's read of a directory. */
export const CACHE_MS = 30_000;
/** Directories with fewer entries are read again for each page. */
const CACHE_FROM = 2000;
/** Listings kept at once (each up to LIST_MAX entries per layer: ~15 MB at 100,000). */
const CACHE_SIZE = 4;

interface Cached {
  at: number;
  listing: LayerListing;
}

const cache = new Map<string, Cached>();

function cacheKey(stack: LayerStack, pos: number, path: string, merged: boolean): string {
  return JSON.stringify([stack.target.id, stack.layers.slice(pos).map((l) => l.dir), path, merged]);
}

function listingFor(stack: LayerStack, pos: number, path: string, merged: boolean, offset: number, budget: WalkBudget): LayerListing {
  const key = cacheKey(stack, pos, path, merged);
  const hit = cache.get(key);
  if (offset > 0 && hit && Date.now() - hit.at <= CACHE_MS) return hit.listing;
  cache.delete(key);
  const listing = listLayerDir(stack, path, stack.layers[pos].index, merged, budget);
  if (listing.entries.length >= CACHE_FROM) {
    cache.set(key, { at: Date.now(), listing });
    while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return listing;
}

function intIn(v: unknown, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw refuse(ErrorCodes.InvalidParams, `"${name}" must be an integer from ${min} to ${max}`);
  return v;
}

function boolOr(v: unknown, name: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw refuse(ErrorCodes.InvalidParams, `"${name}" must be true or false`);
  return v;
}

/** One page of the directory `p.path` as `p` asks for it; `stack` is the target's, already resolved. */
export function explore(stack: LayerStack, p: Omit<LayerExploreParams, 'target'>, budget = new WalkBudget()): LayerExplorePage {
  const path = p.path ?? '/';
  const comps = pathComponents(path);
  const pos = layerPosition(stack, intIn(p.layer, 'layer', 0, Number.MAX_SAFE_INTEGER, 0));
  const merged = boolOr(p.merged, 'merged', true);
  const changesOnly = boolOr(p.changesOnly, 'changesOnly', false);
  const offset = intIn(p.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
  const limit = intIn(p.limit, 'limit', 1, PAGE_MAX, PAGE_DEFAULT);
  if (p.pattern !== undefined && typeof p.pattern !== 'string') throw refuse(ErrorCodes.InvalidParams, '"pattern" must be a string');
  const test = p.pattern ? pathTest(p.pattern) : null;

  const listing = listingFor(stack, pos, path, merged, offset, budget);
  const base = listing.path === '/' ? '/' : `${listing.path}/`;
  const kept = listing.entries.filter((e) => (!changesOnly || e.mark !== 'U') && (!test || e.type === 'dir' || test(base + e.name, e.name)));
  const marks: Record<ListingMark, number> = { A: 0, M: 0, R: 0, U: 0 };
  for (const e of kept) marks[e.mark]++;
  const entries: ExplorerEntry[] = kept.slice(offset, offset + limit).map((e) => ({
    ...e,
    hasChildren: e.type === 'dir' && e.mark !== 'R' && hasEntries(stack, pos, [...comps, e.name], merged, budget),
  }));
  const problems = [...listing.problems];
  if (budget.exhausted) problems.push({ source: listing.path, message: budget.stoppedMessage() });
  return {
    target: listing.target,
    path: listing.path,
    layer: listing.layer,
    merged,
    opaque: listing.opaque,
    total: kept.length,
    unfiltered: listing.entries.length,
    marks,
    offset,
    entries,
    truncated: listing.truncated || budget.exhausted,
    problems,
  };
}
