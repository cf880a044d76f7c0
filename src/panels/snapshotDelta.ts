/**
 * What a panel is posted after the first full snapshot: only what changed, keyed by stable identities
 * (container id, namespace type + inode, pid + start time, layer path). Pure: the host computes deltas
 * with {@link SnapshotDiffer}, the page applies them with {@link applySnapshotDelta}.
 *
 * The diff is taken against what this panel was last posted, not against the model's own change record:
 * the agent re-sends whole lists (every process) when any entry changed, and a panel should not pay 3 MB
 * for one container's row.
 *
 * A container's live cgroup counters are not structure (containerCounters.ts): a row is in a delta when
 * something else in it changed. A differ made with `counters: true` hands the counters that moved to
 * {@link SnapshotDiffer.counters}; one without posts rows with every counter null (unknown), so a page
 * that does not take counters never shows a number from an earlier pass.
 */
import type { ContainerInfo, HostInfo, LayerInfo, NamespaceInfo, ProcessInfo, Problem, Snapshot } from '../../server/protocol';
import { CounterDiffer, withoutCounters, type CounterUpdate } from './containerCounters';

export interface KeyedChanges<T> {
  upserted: T[];
  removed: string[];
}

export interface SnapshotDelta {
  takenAt: string;
  host?: HostInfo;
  problems?: Problem[];
  containers?: KeyedChanges<ContainerInfo>;
  namespaces?: KeyedChanges<NamespaceInfo>;
  processes?: KeyedChanges<ProcessInfo>;
  layers?: KeyedChanges<LayerInfo>;
}

export const containerKey = (c: ContainerInfo): string => c.id;
export const namespaceKey = (n: { type: string; inode: number }): string => `${n.type}:${n.inode}`;
// A pid is reused; with its start time it names one process for its whole life.
export const processKey = (p: ProcessInfo): string => `${p.pid}@${p.startTime ?? ''}`;
export const layerKey = (l: LayerInfo): string => l.path;

type Collection = 'containers' | 'namespaces' | 'processes' | 'layers';
const KEYS: { [C in Collection]: (x: Snapshot[C][number]) => string } = {
  containers: containerKey,
  namespaces: namespaceKey,
  processes: processKey,
  layers: layerKey,
};

/** Remembers what one page was posted and turns the next snapshot into the changes since. */
export class SnapshotDiffer {
  private posted: { [C in Collection]: Map<string, string> } | null = null;
  private host = '';
  private problems = '';
  private readonly liveCounters: CounterDiffer | null;

  /** `counters`: the page shows live numbers; it is posted whole rows and {@link counters} after each diff. */
  constructor(opts: { counters?: boolean } = {}) {
    this.liveCounters = opts.counters ? new CounterDiffer() : null;
  }

  /** Forget what was posted: the next {@link diff} returns null (post the full snapshot). */
  reset(): void {
    this.posted = null;
  }

  /** What to post as the full snapshot (counters null unless this differ takes them); the diff starts from it. */
  full(s: Snapshot): Snapshot {
    this.posted = { containers: new Map(), namespaces: new Map(), processes: new Map(), layers: new Map() };
    this.liveCounters?.reset();
    for (const c of Object.keys(KEYS) as Collection[]) this.diffCollection(c, s);
    this.host = JSON.stringify(s.host);
    this.problems = JSON.stringify(s.problems);
    return this.liveCounters ? s : { ...s, containers: s.containers.map((c) => withoutCounters(c, 'none')) };
  }

  /**
   * The structural changes since the last post, or null when nothing was posted yet (post {@link full}).
   * An empty delta has only takenAt ({@link isEmptyDelta}): nothing but counters changed, if anything.
   */
  diff(s: Snapshot): SnapshotDelta | null {
    if (!this.posted) return null;
    const d: SnapshotDelta = { takenAt: s.takenAt };
    for (const c of Object.keys(KEYS) as Collection[]) {
      const ch = this.diffCollection(c, s);
      if (ch.upserted.length || ch.removed.length) (d as Record<Collection, unknown>)[c] = ch;
    }
    const host = JSON.stringify(s.host);
    if (host !== this.host) {
      this.host = host;
      d.host = s.host;
    }
    const problems = JSON.stringify(s.problems);
    if (problems !== this.problems) {
      this.problems = problems;
      d.problems = s.problems;
    }
    return d;
  }

  /**
   * After {@link diff} of the same snapshot: the counters that moved in rows the delta did not carry whole.
   * Null when none did, or when this differ does not take counters.
   */
  counters(s: Snapshot): CounterUpdate | null {
    return this.posted && this.liveCounters ? this.liveCounters.changes(s.takenAt, s.containers) : null;
  }

  private diffCollection<C extends Collection>(c: C, s: Snapshot): KeyedChanges<Snapshot[C][number]> {
    const before = this.posted![c];
    const key = KEYS[c];
    const seen = new Set<string>();
    const upserted: Snapshot[C][number][] = [];
    for (const x of s[c] as Snapshot[C][number][]) {
      const k = key(x);
      seen.add(k);
      const json = JSON.stringify(c === 'containers' ? withoutCounters(x as ContainerInfo, 'shape') : x);
      if (before.get(k) !== json) {
        before.set(k, json);
        upserted.push(c === 'containers' ? this.postRow(x as ContainerInfo) : x);
      }
    }
    const removed: string[] = [];
    for (const k of before.keys()) if (!seen.has(k)) removed.push(k);
    for (const k of removed) {
      before.delete(k);
      if (c === 'containers') this.liveCounters?.removed(k);
    }
    return { upserted, removed };
  }

  /** A container row as this page is posted it: whole (its counters now the page's), or without counters. */
  private postRow(c: ContainerInfo): ContainerInfo {
    if (!this.liveCounters) return withoutCounters(c, 'none');
    this.liveCounters.postedWhole(c);
    return c;
  }
}

/** A delta with nothing in it but its time: not worth a post. */
export function isEmptyDelta(d: SnapshotDelta): boolean {
  return Object.keys(d).every((k) => k === 'takenAt');
}

function applyKeyed<T>(list: T[], ch: KeyedChanges<T> | undefined, key: (x: T) => string): T[] {
  if (!ch) return list;
  const byKey = new Map(list.map((x) => [key(x), x]));
  for (const k of ch.removed) byKey.delete(k);
  for (const x of ch.upserted) byKey.set(key(x), x);
  return [...byKey.values()];
}

/** The page's side: a new snapshot object with the delta applied (the old one is left as it was). */
export function applySnapshotDelta(s: Snapshot, d: SnapshotDelta): Snapshot {
  const next: Snapshot = {
    ...s,
    takenAt: d.takenAt,
    host: d.host ?? s.host,
    problems: d.problems ?? s.problems,
    containers: applyKeyed(s.containers, d.containers, containerKey),
    namespaces: applyKeyed(s.namespaces, d.namespaces, namespaceKey),
    processes: applyKeyed(s.processes, d.processes, processKey),
    layers: applyKeyed(s.layers, d.layers, layerKey),
  };
  return next;
}
