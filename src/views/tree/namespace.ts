/** Namespaces: a container's (one row per type, with whom it shares each) and the node's, by type. */
import type { ContainerInfo, NamespaceInfo, NsType } from '../../../server/protocol';
import { plural } from '../../../server/units';
import { describeHolders } from '../../namespaceHolders';
import type { ItemOf } from './item';
import type { SnapshotIndex } from './snapshotIndex';

export function containerNamespaces(base: string, ix: SnapshotIndex, c: ContainerInfo): ItemOf<'namespace'>[] {
  return (Object.entries(c.namespaces) as [NsType, number | null][]).map(([type, inode]) => {
    const ns = inode === null ? undefined : ix.namespace(type, inode);
    const others = (ns?.containerIds ?? []).filter((id) => id !== c.id);
    const sharing = ns?.isHost
      ? 'shared with the host'
      : others.length
        ? `shared with ${others.length} other container${others.length > 1 ? 's' : ''}`
        : ns
          ? 'own'
          : 'not in the snapshot';
    return {
      id: `${base}/${type}`,
      kind: 'namespace' as const,
      label: type,
      description: inode === null ? 'unknown' : `[${inode}] · ${sharing}`,
      icon: ns?.isHost ? 'home' : 'symbol-namespace',
      contextValue: `namespace.${type}`,
      expandable: false,
      containerId: c.id,
      namespace: inode === null ? null : { type, inode },
    };
  });
}

export function namespaceTypes(nodeId: string, ix: SnapshotIndex): ItemOf<'nsType'>[] {
  return ix.namespaceTypes().map((t) => ({
    id: `${nodeId}/ns/${t}`,
    kind: 'nsType' as const,
    label: t,
    description: `${ix.namespacesOf(t).length}`,
    icon: 'symbol-namespace',
    contextValue: 'nsType',
    expandable: true,
    nsType: t,
  }));
}

export function namespacesOfType(nodeId: string, ix: SnapshotIndex, type: NsType): ItemOf<'namespace'>[] {
  return ix.namespacesOf(type).map((n) => {
    const names = n.containerIds.map((id) => ix.containerName(id));
    const holder = n.processCount ? plural(n.processCount, 'process', 'processes') : `held by ${describeHolders(n)}`;
    return {
      id: `${nodeId}/ns/${type}/${n.inode}`,
      kind: 'namespace' as const,
      label: `[${n.inode}]`,
      description: [n.isHost ? 'host' : null, holder, names.length ? names.join(', ') : null].filter(Boolean).join(' · '),
      icon: n.isHost ? 'home' : n.processCount ? 'symbol-namespace' : 'pin',
      contextValue: `namespace.${type}${n.processCount ? '' : '.held'}`,
      expandable: false,
      containerId: n.containerIds[0],
      namespace: { type: n.type, inode: n.inode },
    };
  });
}

export function namespaceTooltip(ix: SnapshotIndex, n: NamespaceInfo): string {
  const names = n.containerIds.map((id) => ix.containerName(id));
  return [
    `**${n.type}:[${n.inode}]**${n.isHost ? ' (host)' : ''}`,
    '',
    `- processes: ${n.processCount}${n.ealdorman ? ` (eldest ${n.ealdorman})` : ''}`,
    `- held by: ${describeHolders(n)}`,
    n.ownerUserNs ? `- owner user namespace: [${n.ownerUserNs}]` : null,
    n.parent ? `- parent: [${n.parent}]` : null,
    names.length ? `- containers: ${names.join(', ')}` : null,
  ]
    .filter((x) => x !== null)
    .join('\n');
}
