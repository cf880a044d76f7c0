/** A node's own rows: Containers, Namespaces, Layers and, when the agent could not read something, Problems. */
import type { TreeItemShape } from './item';
import type { SnapshotIndex } from './snapshotIndex';

export function nodeChildren(nodeId: string, ix: SnapshotIndex): TreeItemShape[] {
  const s = ix.snapshot;
  const hidden = s.namespaces.filter((n) => n.processCount === 0).length;
  const rows: TreeItemShape[] = [
    {
      id: `${nodeId}/containers`,
      kind: 'containers',
      label: 'Containers',
      description: `${s.containers.length}`,
      icon: 'package',
      contextValue: 'containers',
      expandable: true,
    },
    {
      id: `${nodeId}/namespaces`,
      kind: 'nodeNamespaces',
      label: 'Namespaces',
      description: `${s.namespaces.length}${hidden ? ` (${hidden} without processes)` : ''}`,
      icon: 'symbol-namespace',
      contextValue: 'nodeNamespaces',
      expandable: true,
    },
    {
      id: `${nodeId}/layers`,
      kind: 'nodeLayers',
      label: 'Layers',
      description: `${s.layers.length}`,
      icon: 'layers',
      contextValue: 'nodeLayers',
      expandable: true,
    },
  ];
  // What the agent could not read: the facts it left unknown say why here, rather than nowhere.
  if (s.problems.length) {
    rows.push({
      id: `${nodeId}/problems`,
      kind: 'problems',
      label: 'Problems',
      description: `${s.problems.length}`,
      icon: 'warning',
      contextValue: 'problems',
      expandable: true,
    });
  }
  return rows;
}
