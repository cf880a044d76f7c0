/**
 * What changed between two snapshots, as the agent sends it (`nodescope/changed`). Two forms: keyed changes
 * (snapshotChanges), for a client that keeps a copy and applies them (src/connection/snapshotChanges.ts),
 * and the older form (diffSnapshots) that replaces namespaces, layers and processes wholesale.
 *
 * Everything is compared as data, counters included (a container's memory usage, its cpu time): the copy a
 * client builds from the changes must equal the snapshot the agent took, not an approximation of it.
 */
import type { ChangedNotification, ContainerInfo, Snapshot } from '../protocol';
import { namespaceIdentity, namespaceKey, processIdentity, processKey } from './identity';
import { sameData } from './sameData';

/** Keyed changes from `prev` to `next`, or null when nothing but the time taken differs. */
export function snapshotChanges(prev: Snapshot, next: Snapshot, seq: number): ChangedNotification | null {
  const containers = keyedDiff(prev.containers, next.containers, (c) => c.id);
  const processes = keyedDiff(prev.processes, next.processes, processIdentity);
  const namespaces = keyedDiff(prev.namespaces, next.namespaces, namespaceIdentity);
  const layers = keyedDiff(prev.layers, next.layers, (l) => l.path);
  const n: ChangedNotification = {
    seq,
    containersUpserted: containers.upserted,
    containersRemoved: containers.removed.map((c) => c.id),
    takenAt: next.takenAt,
  };
  let changed = containers.upserted.length > 0 || containers.removed.length > 0;
  const order = containerOrderIfMoved(prev.containers, next.containers, new Set(n.containersRemoved));
  if (order) n.containerOrder = order;
  if (processes.upserted.length) n.processesUpserted = processes.upserted;
  if (processes.removed.length) n.processesRemoved = processes.removed.map(processKey);
  if (namespaces.upserted.length) n.namespacesUpserted = namespaces.upserted;
  if (namespaces.removed.length) n.namespacesRemoved = namespaces.removed.map(namespaceKey);
  if (layers.upserted.length) n.layersUpserted = layers.upserted;
  if (layers.removed.length) n.layersRemoved = layers.removed.map((l) => l.path);
  if (!sameData(prev.host, next.host)) n.host = next.host;
  if (!sameData(prev.problems, next.problems)) n.snapshotProblems = next.problems;
  changed ||= [processes, namespaces, layers].some((d) => d.upserted.length || d.removed.length);
  changed ||= n.host !== undefined || n.snapshotProblems !== undefined || n.containerOrder !== undefined;
  return changed ? n : null;
}

/** Entries of `next` that are new or differ from their namesake in `prev`, and entries of `prev` gone from `next`. */
function keyedDiff<T>(prev: readonly T[], next: readonly T[], id: (t: T) => string): { upserted: T[]; removed: T[] } {
  const before = new Map(prev.map((t) => [id(t), t]));
  const seen = new Set<string>();
  const upserted: T[] = [];
  for (const t of next) {
    const k = id(t);
    seen.add(k);
    const old = before.get(k);
    if (old === undefined || !sameData(old, t)) upserted.push(t);
  }
  return { upserted, removed: prev.filter((t) => !seen.has(id(t))) };
}

/**
 * Container ids in `next`'s order, when a client could not get that order by itself: taking the removed out
 * of the old order and adding the new at the end (the usual case: a container started last) is what it does.
 */
function containerOrderIfMoved(prev: readonly ContainerInfo[], next: readonly ContainerInfo[], removed: Set<string>): string[] | undefined {
  const kept = new Set(prev.map((c) => c.id));
  const expected = [...prev.map((c) => c.id).filter((id) => !removed.has(id)), ...next.map((c) => c.id).filter((id) => !kept.has(id))];
  const actual = next.map((c) => c.id);
  return sameData(expected, actual) ? undefined : actual;
}

/** What changed between two snapshots in the older form (whole lists), or null when nothing a client shows did. */
export function diffSnapshots(prev: Snapshot | null, next: Snapshot, seq: number): ChangedNotification | null {
  const before = new Map((prev?.containers ?? []).map((c) => [c.id, c]));
  const upserted: ContainerInfo[] = next.containers.filter((c) => {
    const old = before.get(c.id);
    return !old || !sameData(old, c);
  });
  const nextIds = new Set(next.containers.map((c) => c.id));
  const removed = [...before.keys()].filter((id) => !nextIds.has(id));
  const n: ChangedNotification = { seq, containersUpserted: upserted, containersRemoved: removed, takenAt: next.takenAt };
  if (!prev || !sameData(prev.namespaces, next.namespaces)) n.namespaces = next.namespaces;
  if (!prev || !sameData(prev.layers, next.layers)) n.layers = next.layers;
  if (!prev || !sameData(prev.processes, next.processes)) n.processes = next.processes;
  const changed = upserted.length || removed.length || n.namespaces || n.layers || n.processes;
  return changed ? n : null;
}

/**
 * `next` with each container whose only difference from its namesake in `prev` is in counters (memory,
 * cpu and io usage, pids current, pressure) given back as it was in `prev`. A pass made because of an event
 * sends what the event was about, not every container's counters again: on a busy node those moved in all
 * of them and made a change larger than the snapshot. The agent keeps what it sent, so the client's copy
 * still equals the agent's state exactly; the counters follow at the next backstop pass.
 */
export function holdCounters(prev: Snapshot, next: Snapshot): Snapshot {
  const before = new Map(prev.containers.map((c) => [c.id, c]));
  let held = 0;
  const containers = next.containers.map((c) => {
    const old = before.get(c.id);
    if (!old || sameData(old, c) || !sameData(withoutCounters(old), withoutCounters(c))) return c;
    held++;
    return old;
  });
  return held ? { ...next, containers } : next;
}

/** A container's facts without its counters: what stays the same between two moments when nothing happened. */
function withoutCounters(c: ContainerInfo): unknown {
  if (!c.cgroup) return c;
  const { memory, cpu, pids, io } = c.cgroup;
  return {
    ...c,
    cgroup: {
      ...c.cgroup,
      memory: memory && { ...memory, usageBytes: null, peakBytes: null, fileBytes: null, anonBytes: null, stat: null },
      cpu: cpu && { ...cpu, usageUsec: null },
      pids: pids && { ...pids, current: null },
      io: io && { ...io, readBytes: null, writeBytes: null },
      pressure: null,
    },
  };
}
