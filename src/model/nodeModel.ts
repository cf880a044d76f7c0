/**
 * The client-side copy of one node's snapshot. Deltas from the agent (`nodescope/changed`) are applied
 * in place, and listeners learn which containers changed so views refresh only those subtrees.
 * No vscode import: the CLI and unit tests use it as it is.
 */
import type { ChangedNotification, ContainerInfo, Snapshot } from '../../server/protocol';

export interface ModelChange {
  /** True when everything may have changed (a new full snapshot). */
  full: boolean;
  /** Containers that changed in place. */
  containers: string[];
  added: string[];
  removed: string[];
  namespaces: boolean;
  layers: boolean;
}

export class NodeModel {
  private current: Snapshot | null = null;
  private lastSeq = 0;
  private readonly listeners: ((c: ModelChange) => void)[] = [];

  get snapshot(): Snapshot | null {
    return this.current;
  }

  onDidChange(listener: (c: ModelChange) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  setSnapshot(s: Snapshot): void {
    this.current = s;
    this.lastSeq = 0;
    this.emit({ full: true, containers: [], added: [], removed: [], namespaces: true, layers: true });
  }

  clear(): void {
    this.current = null;
    this.emit({ full: true, containers: [], added: [], removed: [], namespaces: true, layers: true });
  }

  /** Applies a delta; returns false when it cannot (no snapshot yet, or out of order: caller re-fetches). */
  apply(n: ChangedNotification): boolean {
    const s = this.current;
    if (!s || n.seq <= this.lastSeq) return false;
    this.lastSeq = n.seq;
    const byId = new Map(s.containers.map((c) => [c.id, c]));
    const added = n.containersUpserted.filter((c) => !byId.has(c.id)).map((c) => c.id);
    for (const id of n.containersRemoved) byId.delete(id);
    for (const c of n.containersUpserted) byId.set(c.id, c);
    s.containers = [...byId.values()];
    if (n.namespaces) s.namespaces = n.namespaces;
    if (n.layers) s.layers = n.layers;
    if (n.processes) {
      s.processes = n.processes;
      s.host.processCount = n.processes.length;
    }
    s.takenAt = n.takenAt;
    this.emit({
      full: false,
      containers: n.containersUpserted.map((c) => c.id).filter((id) => !added.includes(id)),
      added,
      removed: n.containersRemoved,
      namespaces: n.namespaces !== undefined,
      layers: n.layers !== undefined,
    });
    return true;
  }

  container(id: string): ContainerInfo | undefined {
    return this.current?.containers.find((c) => c.id === id);
  }

  private emit(c: ModelChange): void {
    for (const l of [...this.listeners]) l(c);
  }
}
