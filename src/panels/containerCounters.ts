/**
 * A container's live cgroup counters (memory and CPU usage, tasks, io bytes, PSI, OOM counts, memory.stat),
 * apart from the rest of its row. They move on every watch pass, so a panel that drew the row whole for
 * each of them would be sent every container on every pass; instead the host posts the rows whose
 * structure changed (snapshotDelta.ts) and, to panels that show live numbers, a compact `counters` message
 * with only the counters that moved, as numbers against a column list both sides know. Pure: both sides
 * import it.
 *
 * A counter is a number leaf of `ContainerInfo.cgroup` whose parent object is there (a null `pressure.io`
 * has no counters; its coming or going is a change of structure). Limits are structure: they change when
 * someone changes them, and a panel redraws for that.
 */
import type { CgroupInfo, ContainerInfo } from '../../server/protocol';

/** The counters every page knows by position; `memory.stat` keys come as extra columns named `stat:<key>`. */
const FIXED_PATHS: readonly (readonly string[])[] = [
  ['memory', 'usageBytes'],
  ['memory', 'peakBytes'],
  ['memory', 'fileBytes'],
  ['memory', 'anonBytes'],
  ['memory', 'oomEvents'],
  ['memory', 'oomKills'],
  ['cpu', 'usageUsec'],
  ['pids', 'current'],
  ['io', 'readBytes'],
  ['io', 'writeBytes'],
  ...(['cpu', 'memory', 'io'] as const).flatMap((r) =>
    (['some', 'full'] as const).flatMap((line) => (['avg10', 'avg60', 'avg300', 'total'] as const).map((f) => ['pressure', r, line, f])),
  ),
];
export const FIXED_COUNTER_COLUMNS: readonly string[] = FIXED_PATHS.map((p) => p.join('.'));
const STAT = 'stat:';

/** What the host posts to a page that shows live numbers, at most once per watch pass. */
export interface CounterUpdate {
  takenAt: string;
  /** Column names new to this page, appended to its list (which starts as FIXED_COUNTER_COLUMNS with each `snapshot`). */
  columns?: string[];
  /** Container id → `[column, value, column, value, …]` of the counters that moved; a null value is now unreadable. */
  changed: Record<string, (number | null)[]>;
}

type Counter = number | null;
type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null;

function parentOf(cgroup: CgroupInfo, path: readonly string[]): Obj | null {
  let o: unknown = cgroup;
  for (let i = 0; i < path.length - 1 && isObj(o); i++) o = o[path[i]];
  return isObj(o) ? o : null;
}

const hasLeaf = (o: Obj, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;

/** The container's counters by column name (only those whose parent is there). */
export function readCounters(c: ContainerInfo): Map<string, Counter> {
  const out = new Map<string, Counter>();
  const cg = c.cgroup;
  if (!cg) return out;
  FIXED_PATHS.forEach((p, i) => {
    const o = parentOf(cg, p);
    const k = p[p.length - 1];
    if (o && hasLeaf(o, k)) out.set(FIXED_COUNTER_COLUMNS[i], (o[k] as Counter) ?? null);
  });
  const stat = cg.memory?.stat;
  if (stat) for (const k of Object.keys(stat)) out.set(STAT + k, stat[k]);
  return out;
}

/**
 * A copy of the row with every counter set to null and memory.stat emptied, or with memory.stat's keys kept
 * (values null) for `shape`: what the differ compares (a counter moving is not a structure change, a
 * memory.stat key coming or going is), and what a page that does not take counters is posted ("unknown",
 * never a number from an earlier pass).
 */
export function withoutCounters(c: ContainerInfo, keep: 'shape' | 'none'): ContainerInfo {
  if (!c.cgroup) return c;
  const cg = structuredClone(c.cgroup);
  for (const p of FIXED_PATHS) {
    const o = parentOf(cg, p);
    const k = p[p.length - 1];
    if (o && hasLeaf(o, k)) o[k] = null;
  }
  if (cg.memory) cg.memory.stat = keep === 'shape' ? (Object.fromEntries(Object.keys(cg.memory.stat).map((k) => [k, null])) as never) : {};
  return { ...c, cgroup: cg };
}

/** Remembers the counters one page holds and turns the next snapshot's into a {@link CounterUpdate}. */
export class CounterDiffer {
  private columns = new Map<string, number>();
  private posted = new Map<string, Map<string, Counter>>();

  constructor() {
    this.reset();
  }

  /** The page took a full snapshot: its columns start again. */
  reset(): void {
    this.columns = new Map(FIXED_COUNTER_COLUMNS.map((n, i) => [n, i]));
    this.posted.clear();
  }

  /** The row was posted whole (full snapshot, structural change): the page holds these counters. */
  postedWhole(c: ContainerInfo): void {
    this.posted.set(c.id, readCounters(c));
  }

  removed(id: string): void {
    this.posted.delete(id);
  }

  /** The counters that moved since posted, in the containers given; null when none did. */
  changes(takenAt: string, containers: readonly ContainerInfo[]): CounterUpdate | null {
    // A null prototype: a container id is the node's to choose ("__proto__" is a key like any other).
    const changed = Object.create(null) as Record<string, Counter[]>;
    const columns: string[] = [];
    let any = false;
    for (const c of containers) {
      const before = this.posted.get(c.id);
      if (!before) continue; // posted whole this pass, or not known to the page (the differ posts it)
      const now = readCounters(c);
      const pairs: Counter[] = [];
      for (const [name, v] of now) {
        if (before.has(name) && Object.is(before.get(name), v)) continue;
        let col = this.columns.get(name);
        if (col === undefined) {
          col = this.columns.size;
          this.columns.set(name, col);
          columns.push(name);
        }
        pairs.push(col, v);
      }
      this.posted.set(c.id, now);
      if (pairs.length) {
        changed[c.id] = pairs;
        any = true;
      }
    }
    if (!any) return null;
    return columns.length ? { takenAt, columns, changed } : { takenAt, changed };
  }
}

/** The page's side: the column list it keeps, from a full snapshot on. */
export function initialCounterColumns(): string[] {
  return [...FIXED_COUNTER_COLUMNS];
}

function writeCounter(cg: CgroupInfo, name: string, v: Counter): void {
  if (name.startsWith(STAT)) {
    // defineProperty: a memory.stat key is the node's text, and assigning "__proto__" would not make a key.
    if (cg.memory && v !== null)
      Object.defineProperty(cg.memory.stat, name.slice(STAT.length), { value: v, writable: true, enumerable: true, configurable: true });
    return;
  }
  const i = FIXED_COUNTER_COLUMNS.indexOf(name);
  const p = FIXED_PATHS[i];
  const o = p ? parentOf(cg, p) : null;
  if (o) o[p[p.length - 1]] = v;
}

/**
 * A new row list with the update applied (rows it names are new objects, the others the same; the old
 * list is left as it was), the rows it changed, and the page's columns extended in place.
 */
export function applyCounters(
  containers: readonly ContainerInfo[],
  u: CounterUpdate,
  columns: string[],
): { containers: ContainerInfo[]; changed: ContainerInfo[] } {
  if (u.columns) columns.push(...u.columns);
  const changed: ContainerInfo[] = [];
  const next = containers.map((c) => {
    const pairs = Object.prototype.hasOwnProperty.call(u.changed, c.id) ? u.changed[c.id] : undefined;
    if (!pairs || !c.cgroup) return c;
    const cg = structuredClone(c.cgroup);
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const name = columns[pairs[i] as number];
      if (name !== undefined) writeCounter(cg, name, pairs[i + 1]);
    }
    const row = { ...c, cgroup: cg };
    changed.push(row);
    return row;
  });
  return { containers: next, changed };
}
