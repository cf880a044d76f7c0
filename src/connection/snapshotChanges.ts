/**
 * The client's side of keyed changes: a copy of the agent's last snapshot, kept current by applying each
 * `nodescope/changed` to it, so that the copy equals the snapshot the agent took at that pass (the property
 * test/integration/changeStream.test.ts checks against real changes). Listeners above the client (the node
 * model, the tree, the panels) still get the whole lists they always got; only the wire carries less.
 *
 * Nothing is changed in place: an applied change makes new arrays for the lists it touched and shares the
 * rest, so a list handed to a listener is never altered under it.
 */
import type { ChangedNotification, ContainerInfo, Snapshot } from '../../server/protocol';
import { namespaceIdentity, processIdentity } from '../../server/watch/identity';
import { layerOrder, namespaceOrder, processOrder } from '../../server/discover/snapshotOrder';

/** The snapshot `base` becomes after change `n`; `base` itself is left as it was. */
export function applyChanges(base: Snapshot, n: ChangedNotification): Snapshot {
  const next: Snapshot = { ...base, takenAt: n.takenAt };
  next.containers = applyContainers(base.containers, n);
  if (n.processes) next.processes = n.processes;
  else if (n.processesUpserted || n.processesRemoved)
    next.processes = applyKeyed(base.processes, n.processesUpserted, (n.processesRemoved ?? []).map(processIdentity), processIdentity).sort(
      processOrder,
    );
  if (n.namespaces) next.namespaces = n.namespaces;
  else if (n.namespacesUpserted || n.namespacesRemoved)
    next.namespaces = applyKeyed(
      base.namespaces,
      n.namespacesUpserted,
      (n.namespacesRemoved ?? []).map(namespaceIdentity),
      namespaceIdentity,
    ).sort(namespaceOrder);
  if (n.layers) next.layers = n.layers;
  else if (n.layersUpserted || n.layersRemoved)
    next.layers = applyKeyed(base.layers, n.layersUpserted, n.layersRemoved ?? [], (l) => l.path).sort(layerOrder);
  if (n.host) next.host = n.host;
  // An agent that sends whole lists does not send the host: its count follows the processes (as nodeModel does).
  else if (n.processes) next.host = { ...base.host, processCount: n.processes.length };
  if (n.snapshotProblems) next.problems = n.snapshotProblems;
  return next;
}

function applyContainers(base: readonly ContainerInfo[], n: ChangedNotification): ContainerInfo[] {
  const out = applyKeyed(base, n.containersUpserted, n.containersRemoved, (c) => c.id);
  if (!n.containerOrder) return out;
  const at = new Map(n.containerOrder.map((id, i) => [id, i]));
  return out.sort((a, b) => (at.get(a.id) ?? Infinity) - (at.get(b.id) ?? Infinity));
}

/** `list` without the removed keys, each upserted entry in its namesake's place or, when new, at the end. */
function applyKeyed<T>(list: readonly T[], upserted: readonly T[] | undefined, removed: readonly string[], id: (t: T) => string): T[] {
  const gone = new Set(removed);
  const fresh = new Map((upserted ?? []).map((t) => [id(t), t]));
  const out: T[] = [];
  for (const t of list) {
    const k = id(t);
    if (gone.has(k)) continue;
    const replaced = fresh.get(k);
    out.push(replaced ?? t);
    fresh.delete(k);
  }
  out.push(...fresh.values());
  return out;
}

/**
 * The client's copy. `reset` with every snapshot the agent answers (the agent takes that one as the base of
 * its next change); `apply` with every change, returning the change as listeners know it, whole lists filled
 * in. Without a copy (none answered yet, or the last request's answer was lost to its deadline) a change
 * cannot be applied: it is handed on with seq 0, which a node model takes as out of order and answers by
 * fetching a whole snapshot (src/model/nodeModel.ts apply), which resets the copy.
 */
export class SnapshotMirror {
  private current: Snapshot | null = null;

  get snapshot(): Snapshot | null {
    return this.current;
  }

  reset(s: Snapshot | null): void {
    this.current = s;
  }

  apply(n: ChangedNotification): ChangedNotification {
    // A failed pass carries only its problem: nothing to apply, and its seq must stay in order.
    if (n.problems && !n.containersUpserted.length && !n.containersRemoved.length) return n;
    const base = this.current;
    if (!base) return { ...n, seq: 0 };
    const next = applyChanges(base, n);
    this.current = next;
    const out: ChangedNotification = { ...n };
    if (next.processes !== base.processes) out.processes = next.processes;
    if (next.namespaces !== base.namespaces) out.namespaces = next.namespaces;
    if (next.layers !== base.layers) out.layers = next.layers;
    return out;
  }
}
