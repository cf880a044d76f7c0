/**
 * `layers.explore`: the layer explorer's data, one page of one directory at a time, so a tree of 100,000
 * entries is loaded as it is scrolled. The directory is listed by listLayerDir (layerListing.ts: the
 * layer alone or merged up to it, each entry marked A/M/R/U, every directory opened by fd from the
 * verified layer root), filtered (changes only, a path pattern: pathPattern.ts), sorted by name, and cut
 * to the page. The directory is read by name and type only (getdents); the page's entries alone are then
 * sized, their directories checked for an opaque mark and looked into for `hasChildren`: a page of
 * 100,000 costs one readdir, not 100,000 lstat and 100,000 opens.
 *
 * Paging needs the whole directory read once (the total, and the order by name, depend on every entry).
 * The first page (offset 0) always resolves the target and reads the directory afresh; later pages of the
 * same view (same target string, layer, path, merged) come from that read and that stack for up to
 * CACHE_MS, so a scroll through 100,000 entries reads the directory once, looks the target up once, and
 * the pages agree with each other. Small directories are not kept: reading them again costs less than
 * holding them.
 */
import {
  ErrorCodes,
  type ExplorerEntry,
  type LayerExploreParams,
  type LayerExplorePage,
  type LayerListing,
  type ListingEntry,
  type ListingMark,
} from '../protocol';
import { refuse } from '../failure';
import { childrenWithEntries, layerPosition, listLayerDir, pathComponents, statPage } from './layerListing';
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
  /** The stack the first page resolved: later pages neither look the target up again nor take a snapshot. */
  stack: LayerStack;
  listing: LayerListing;
  /** The listing filtered, by filter (changes only, pattern): a scroll asks the same filter page after page. */
  filtered: Map<string, Filtered>;
}

interface Filtered {
  kept: ListingEntry[];
  marks: Record<ListingMark, number>;
}

const cache = new Map<string, Cached>();

/**
 * The listing of the view, with the stack it was read from: for a later page (offset > 0) the first
 * page's, while fresh; else read now, the target resolved again.
 */
function listingFor(
  p: LayerExploreParams,
  path: string,
  layer: number,
  merged: boolean,
  offset: number,
  resolve: () => LayerStack,
  budget: WalkBudget,
): { stack: LayerStack; pos: number; listing: LayerListing; filtered: Map<string, Filtered> } {
  const key = JSON.stringify([p.target, layer, path, merged]);
  const hit = cache.get(key);
  if (offset > 0 && hit && Date.now() - hit.at <= CACHE_MS)
    return { stack: hit.stack, pos: layerPosition(hit.stack, layer), listing: hit.listing, filtered: hit.filtered };
  cache.delete(key);
  const stack = resolve();
  const pos = layerPosition(stack, layer);
  // No sizes, no child marks: those only for the page returned (statPage), not for 100,000 entries.
  const listing = listLayerDir(stack, path, layer, merged, budget, false);
  const filtered = new Map<string, Filtered>();
  if (listing.entries.length >= CACHE_FROM) {
    cache.set(key, { at: Date.now(), stack, listing, filtered });
    while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return { stack, pos, listing, filtered };
}

function intIn(v: unknown, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw refuse(ErrorCodes.InvalidParams, `"${name}" must be an integer from ${min} to ${max}`);
  return v;
}

function boolOr(v: unknown, name: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw refuse(ErrorCodes.InvalidParams, `"${name}" must be true or false`);
  return v;
}

/** One page of the directory `p.path` as `p` asks for it; `resolve` finds the target's stack (a container lookup, a snapshot). */
export function explore(p: LayerExploreParams, resolve: () => LayerStack, budget = new WalkBudget()): LayerExplorePage {
  // The target names the cached listing too: checked here, before anything is looked up by it.
  if (typeof p.target !== 'string') throw refuse(ErrorCodes.InvalidParams, '"target" must be a string');
  if (p.path !== undefined && typeof p.path !== 'string') throw refuse(ErrorCodes.InvalidParams, '"path" must be a string');
  const path = p.path ?? '/';
  const comps = pathComponents(path);
  const layer = intIn(p.layer, 'layer', 0, Number.MAX_SAFE_INTEGER, 0);
  const merged = boolOr(p.merged, 'merged', true);
  const changesOnly = boolOr(p.changesOnly, 'changesOnly', false);
  const offset = intIn(p.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
  const limit = intIn(p.limit, 'limit', 1, PAGE_MAX, PAGE_DEFAULT);
  if (p.pattern !== undefined && typeof p.pattern !== 'string') throw refuse(ErrorCodes.InvalidParams, '"pattern" must be a string');
  const test = p.pattern ? pathTest(p.pattern) : null;

  const { stack, pos, listing, filtered } = listingFor(p, `/${comps.join('/')}`, layer, merged, offset, resolve, budget);
  const filterKey = JSON.stringify([changesOnly, p.pattern ?? '']);
  let f = filtered.get(filterKey);
  if (!f) {
    const base = listing.path === '/' ? '/' : `${listing.path}/`;
    // Filtering counts against the request's budget too: a pattern of many stars over 100,000 long hostile
    // names is linear, but long; past the request's time the filter stops and the page says so.
    let cut = false;
    const kept: ListingEntry[] = [];
    for (const e of listing.entries) {
      if (test && !budget.take()) {
        cut = true;
        break;
      }
      if ((!changesOnly || e.mark !== 'U') && (!test || e.type === 'dir' || test(base + e.name, e.name))) kept.push(e);
    }
    const marks: Record<ListingMark, number> = { A: 0, M: 0, R: 0, U: 0 };
    for (const e of kept) marks[e.mark]++;
    f = { kept, marks };
    // A filtering cut short is not kept: the next page tries again rather than serve part of the list.
    if (!cut) filtered.set(filterKey, f);
    // A filter box typed into makes a filter per keystroke: the last few are kept.
    while (filtered.size > CACHE_SIZE) filtered.delete(filtered.keys().next().value as string);
  }
  const { kept, marks } = f;
  // Copies: the cached listing stays as read, sizes are looked at now, for this page.
  const page = kept.slice(offset, offset + limit).map((e) => ({ ...e }));
  statPage(stack, comps, page);
  const dirs = page.filter((e) => e.type === 'dir' && e.mark !== 'R').map((e) => e.name);
  const withEntries = childrenWithEntries(stack, pos, comps, dirs, merged, budget);
  const entries: ExplorerEntry[] = page.map((e) => ({
    ...e,
    hasChildren: e.type === 'dir' && e.mark !== 'R' && withEntries.has(e.name),
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
