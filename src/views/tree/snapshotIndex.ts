/**
 * One snapshot, indexed once: containers by id, namespaces by type and inode, layers by path, processes
 * by pid and by container, and the counts the group rows show. The tree asks these for every row, and a
 * `find` over the snapshot per row made a node with 200 containers and 2,000 processes quadratic.
 * Built when the node's model changes (nodesView.ts), never per row. No vscode import.
 */
import type { ContainerInfo, LayerInfo, NamespaceInfo, NsType, ProcessInfo, Snapshot } from '../../../server/protocol';
import { shortId } from '../../model/format/container';

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

const nsKey = (type: string, inode: number): string => `${type}:${inode}`;

export class SnapshotIndex {
  private readonly containersById: Map<string, ContainerInfo>;
  private readonly namespacesByKey: Map<string, NamespaceInfo>;
  private readonly layersByPath: Map<string, LayerInfo>;
  private readonly processesByPid: Map<number, ProcessInfo>;
  private readonly processesByContainer: Map<string | null, ProcessInfo[]>;
  private readonly containersByRuntime: Map<string, ContainerInfo[]>;
  private readonly namespacesByType: Map<NsType, NamespaceInfo[]>;

  constructor(readonly snapshot: Snapshot) {
    this.containersById = new Map(snapshot.containers.map((c) => [c.id, c]));
    this.namespacesByKey = new Map(snapshot.namespaces.map((n) => [nsKey(n.type, n.inode), n]));
    this.layersByPath = new Map(snapshot.layers.map((l) => [l.path, l]));
    this.processesByPid = new Map(snapshot.processes.map((p) => [p.pid, p]));
    this.processesByContainer = groupBy(snapshot.processes, (p) => p.containerId);
    this.containersByRuntime = groupBy(snapshot.containers, (c) => c.runtime);
    this.namespacesByType = groupBy(snapshot.namespaces, (n) => n.type);
  }

  container(id: string): ContainerInfo | undefined {
    return this.containersById.get(id);
  }

  /** A container's name, or its short id when the snapshot no longer lists it. */
  containerName(id: string): string {
    return this.containersById.get(id)?.name ?? shortId(id);
  }

  namespace(type: NsType, inode: number): NamespaceInfo | undefined {
    return this.namespacesByKey.get(nsKey(type, inode));
  }

  layer(path: string): LayerInfo | undefined {
    return this.layersByPath.get(path);
  }

  process(pid: number): ProcessInfo | undefined {
    return this.processesByPid.get(pid);
  }

  /** The container's processes in the snapshot's order. */
  processesOf(containerId: string): readonly ProcessInfo[] {
    return this.processesByContainer.get(containerId) ?? [];
  }

  /** Runtimes in name order. */
  runtimes(): string[] {
    return [...this.containersByRuntime.keys()].sort();
  }

  containersOf(runtime: string): readonly ContainerInfo[] {
    return this.containersByRuntime.get(runtime) ?? [];
  }

  /** Namespace types in name order. */
  namespaceTypes(): NsType[] {
    return [...this.namespacesByType.keys()].sort();
  }

  namespacesOf(type: NsType): readonly NamespaceInfo[] {
    return this.namespacesByType.get(type) ?? [];
  }
}
