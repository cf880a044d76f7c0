/**
 * What a panel is posted after the first full snapshot: only what changed, keyed by stable identities
 * (container id, namespace type + inode, pid + start time, layer path). Pure: the host computes deltas
 * with {@link SnapshotDiffer}, the page applies them with {@link applySnapshotDelta}.
 *
 * The diff is taken against what this panel was last posted, not against the model's own change record:
 * the agent re-sends whole lists (every process) when any entry changed, and a panel should not pay 3 MB
 * for one container's row.
 */
import type { ContainerInfo, HostInfo, LayerInfo, NamespaceInfo, ProcessInfo, Problem, Snapshot } from '../../server/protocol';

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

  /** Forget what was posted: the next {@link diff} returns null (post the full snapshot). */
  reset(): void {
    this.posted = null;
  }

  /** Call after posting a full snapshot. */
  full(s: Snapshot): void {
    this.posted = { containers: new Map(), namespaces: new Map(), processes: new Map(), layers: new Map() };
    for (const c of Object.keys(KEYS) as Collection[]) this.diffCollection(c, s);
    this.host = JSON.stringify(s.host);
    this.problems = JSON.stringify(s.problems);
  }

  /** The changes since the last post, or null when nothing was posted yet. An empty delta has only takenAt. */
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

  private diffCollection<C extends Collection>(c: C, s: Snapshot): KeyedChanges<Snapshot[C][number]> {
    const before = this.posted![c];
    const key = KEYS[c];
    const seen = new Set<string>();
    const upserted: Snapshot[C][number][] = [];
    for (const x of s[c] as Snapshot[C][number][]) {
      const k = key(x);
      seen.add(k);
      const json = JSON.stringify(x);
      if (before.get(k) !== json) {
        before.set(k, json);
        upserted.push(x);
      }
    }
    const removed: string[] = [];
    for (const k of before.keys()) if (!seen.has(k)) removed.push(k);
    for (const k of removed) before.delete(k);
    return { upserted, removed };
  }
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
