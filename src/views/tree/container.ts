/** Containers grouped by engine, a container's row, its sections and its Overview. */
import type { ContainerInfo } from '../../../server/protocol';
import { plural } from '../../../server/units';
import { capabilityDiff, memoryLine, pidsLine, shortId } from '../../model/format/container';
import { fact } from './fact';
import { SECTIONS, type ItemOf, type Section, type TreeItemShape } from './item';
import type { SnapshotIndex } from './snapshotIndex';

export function runtimeGroups(nodeId: string, ix: SnapshotIndex): TreeItemShape[] {
  const runtimes = ix.runtimes();
  if (!runtimes.length)
    return [
      {
        id: `${nodeId}/containers/none`,
        kind: 'message',
        label: 'No containers on this node',
        icon: 'info',
        contextValue: 'message',
        expandable: false,
      },
    ];
  return runtimes.map((r) => ({
    id: `${nodeId}/containers/${r}`,
    kind: 'runtime',
    label: r,
    description: `${ix.containersOf(r).length}`,
    icon: r === 'kubernetes' ? 'server-environment' : 'server-process',
    contextValue: 'runtime',
    expandable: true,
    runtime: r,
  }));
}

export function containerItem(nodeId: string, c: ContainerInfo): ItemOf<'container'> {
  const mem = memoryLine(c);
  return {
    id: `${nodeId}/c/${c.id}`,
    kind: 'container',
    label: c.pod ? `${c.pod.namespace}/${c.pod.name}${c.pod.containerName ? ` · ${c.pod.containerName}` : ''}` : c.name,
    description: [shortId(c.id), mem ? `mem ${mem}` : null].filter(Boolean).join(' · '),
    icon: 'vm-running',
    // `.launched`: one Nodescope launched, which it may also stop and remove.
    contextValue: `container.running.${c.runtime}${c.labels['nodescope.launched'] === '1' ? '.launched' : ''}`,
    expandable: true,
    containerId: c.id,
  };
}

export function containerTooltip(c: ContainerInfo): string {
  const mem = memoryLine(c);
  const pids = pidsLine(c);
  return [
    `**${c.name}** (${c.runtime})`,
    '',
    `- id: \`${c.id}\``,
    c.image ? `- image: \`${c.image}\`` : null,
    `- init pid: ${c.initPid}, ${plural(c.pids.length, 'process', 'processes')}`,
    `- hostname: ${c.hostname ?? 'unknown'}`,
    mem ? `- memory: ${mem}` : null,
    pids ? `- pids: ${pids}` : null,
    c.rootfs ? `- root: ${c.rootfs.fstype}${c.rootfs.readOnly ? ' (read-only)' : ''}, ${plural(c.rootfs.layers.length, 'layer')}` : null,
  ]
    .filter((x) => x !== null)
    .join('\n');
}

export function containersOf(nodeId: string, ix: SnapshotIndex, runtime: string): ItemOf<'container'>[] {
  return [...ix.containersOf(runtime)].sort((a, b) => a.name.localeCompare(b.name)).map((c) => containerItem(nodeId, c));
}

export function containerSections(nodeId: string, c: ContainerInfo): ItemOf<'section'>[] {
  const base = `${nodeId}/c/${c.id}`;
  const diff = capabilityDiff(c);
  const mem = memoryLine(c);
  const pids = pidsLine(c);
  const describe: Record<Section, [string, string | undefined, string]> = {
    overview: ['Overview', c.image ?? c.runtime, 'info'],
    namespaces: [
      'Namespaces',
      c.sharesHostNamespaces.length ? `shares host ${c.sharesHostNamespaces.join(', ')}` : 'all own',
      'symbol-namespace',
    ],
    layers: ['Layers', c.rootfs ? `${c.rootfs.layers.length}${c.rootfs.readOnly ? ', read-only root' : ''}` : 'unknown', 'layers'],
    cgroup: ['cgroup', [mem && `mem ${mem}`, pids && `pids ${pids}`].filter(Boolean).join(' · ') || undefined, 'dashboard'],
    capabilities: [
      'Capabilities',
      c.capabilities
        ? `${c.capabilities.effective.length} effective${diff.added.length || diff.dropped.length ? ` · ${[...diff.added.map((x) => `+${x.slice(4)}`), ...diff.dropped.map((x) => `−${x.slice(4)}`)].join(' ')} vs Docker default` : ''}`
        : 'unknown',
      'shield',
    ],
    mounts: ['Mounts', `${c.mounts.length}`, 'folder-library'],
    processes: ['Processes', `${c.pids.length}`, 'list-tree'],
  };
  return SECTIONS.map((section) => ({
    id: `${base}/${section}`,
    kind: 'section',
    label: describe[section][0],
    description: describe[section][1],
    icon: describe[section][2],
    contextValue: `section.${section}`,
    expandable: true,
    containerId: c.id,
    section,
  }));
}

export function overviewFacts(base: string, c: ContainerInfo): ItemOf<'fact'>[] {
  return [
    fact(`${base}/id`, 'id', c.id),
    fact(`${base}/name`, 'name', c.name),
    fact(`${base}/runtime`, 'runtime', c.runtime),
    fact(`${base}/image`, 'image', c.image),
    ...(c.pod ? [fact(`${base}/pod`, 'pod', `${c.pod.namespace}/${c.pod.name}`)] : []),
    fact(`${base}/pid`, 'init pid', c.initPid),
    fact(`${base}/hostname`, 'hostname', c.hostname),
    fact(`${base}/root`, 'root filesystem', c.rootfs ? `${c.rootfs.fstype}${c.rootfs.readOnly ? ' (read-only)' : ''}` : null),
    fact(
      `${base}/seccomp`,
      'seccomp',
      c.seccomp === null ? null : `${c.seccomp}${c.seccompFilters ? ` (${c.seccompFilters} filters)` : ''}`,
    ),
    fact(`${base}/nnp`, 'no_new_privs', c.noNewPrivs),
    fact(`${base}/lsm`, 'LSM label', c.lsmLabel ?? 'none'),
    ...c.unknown.map((u, i) => ({ ...fact(`${base}/unknown/${i}`, 'unknown', `${u.source}: ${u.message}`), icon: 'warning' })),
  ];
}
