/**
 * The file tree of one view (a layer alone, or merged up to it) as the page holds it: directories loaded
 * page by page from the agent, expanded on demand, flattened into the rows a virtual list shows. Pure
 * (no DOM): the rows of a 100,000-entry directory are computed once per change, never per scroll.
 */
import type { ExplorerEntry, LayerExplorePage, ListingMark } from '../../../../server/protocol';

export interface DirState {
  path: string;
  /** Loaded so far, in the agent's order. */
  entries: ExplorerEntry[];
  /** After the filters, in the whole directory; null until the first page arrives. */
  total: number | null;
  marks: Record<ListingMark, number> | null;
  opaque: boolean;
  truncated: boolean;
  loading: boolean;
  error: string | null;
}

export type Row =
  | { kind: 'entry'; depth: number; path: string; entry: ExplorerEntry; expanded: boolean }
  /** More entries of `dir` than are loaded: reaching this row asks for the next page. */
  | { kind: 'more'; depth: number; dir: string; loaded: number; total: number }
  | { kind: 'loading'; depth: number; dir: string }
  | { kind: 'error'; depth: number; dir: string; message: string };

export function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export class ExplorerTree {
  private readonly dirs = new Map<string, DirState>();
  readonly expanded = new Set<string>();
  private cache: Row[] | null = null;

  constructor(expanded: Iterable<string> = []) {
    for (const p of expanded) this.expanded.add(p);
  }

  dir(path: string): DirState | undefined {
    return this.dirs.get(path);
  }

  /** A directory the page must ask for (shown, but nothing loaded or loading). */
  wanted(): string[] {
    const out: string[] = [];
    const visit = (path: string) => {
      const d = this.dirs.get(path);
      if (!d) return void out.push(path);
      for (const e of d.entries)
        if (e.type === 'dir' && e.hasChildren && this.expanded.has(childPath(path, e.name))) visit(childPath(path, e.name));
    };
    visit('/');
    return out;
  }

  startLoading(path: string): void {
    const d = this.dirs.get(path) ?? {
      path,
      entries: [],
      total: null,
      marks: null,
      opaque: false,
      truncated: false,
      loading: false,
      error: null,
    };
    d.loading = true;
    d.error = null;
    this.dirs.set(path, d);
    this.cache = null;
  }

  /** A page arrived. Pages out of order (an old request answering late) are dropped. */
  addPage(page: LayerExplorePage): void {
    const d = this.dirs.get(page.path);
    if (!d || page.offset !== d.entries.length) return;
    d.entries.push(...page.entries);
    d.total = page.total;
    d.marks = page.marks;
    d.opaque = page.opaque;
    d.truncated = page.truncated;
    d.loading = false;
    this.cache = null;
  }

  failed(path: string, message: string): void {
    const d = this.dirs.get(path);
    if (!d) return;
    d.loading = false;
    d.error = message;
    this.cache = null;
  }

  toggle(path: string): void {
    if (this.expanded.has(path)) this.expanded.delete(path);
    else this.expanded.add(path);
    this.cache = null;
  }

  /** The flattened tree: each loaded directory's entries, expanded directories' children under them. */
  rows(): Row[] {
    if (this.cache) return this.cache;
    const rows: Row[] = [];
    const visit = (path: string, depth: number) => {
      const d = this.dirs.get(path);
      if (!d) return void rows.push({ kind: 'loading', depth, dir: path });
      for (const entry of d.entries) {
        const p = childPath(path, entry.name);
        const open = entry.type === 'dir' && entry.hasChildren && this.expanded.has(p);
        rows.push({ kind: 'entry', depth, path: p, entry, expanded: open });
        if (open) visit(p, depth + 1);
      }
      if (d.error) rows.push({ kind: 'error', depth, dir: path, message: d.error });
      else if (d.loading) rows.push({ kind: 'loading', depth, dir: path });
      else if (d.total !== null && d.entries.length < d.total)
        rows.push({ kind: 'more', depth, dir: path, loaded: d.entries.length, total: d.total });
    };
    visit('/', 0);
    this.cache = rows;
    return rows;
  }
}
