/** What a container's section lists, by section. */
import type { ContainerInfo } from '../../../server/protocol';
import { capabilityItems } from './capabilities';
import { cgroupFacts } from './cgroup';
import { overviewFacts } from './container';
import type { ScanState, Section, TreeItemShape } from './item';
import { containerLayers } from './layer';
import { mountItems } from './mount';
import { containerNamespaces } from './namespace';
import { processItems } from './process';
import type { SnapshotIndex } from './snapshotIndex';

export function sectionChildren(
  nodeId: string,
  ix: SnapshotIndex,
  c: ContainerInfo,
  section: Section,
  scans: ReadonlyMap<string, ScanState>,
): TreeItemShape[] {
  const base = `${nodeId}/c/${c.id}/${section}`;
  switch (section) {
    case 'overview':
      return overviewFacts(base, c);
    case 'namespaces':
      return containerNamespaces(base, ix, c);
    case 'layers':
      return containerLayers(base, ix, c.rootfs?.layers ?? [], scans, c.id);
    case 'cgroup':
      return cgroupFacts(base, c);
    case 'capabilities':
      return capabilityItems(base, c);
    case 'mounts':
      return mountItems(base, c);
    case 'processes':
      return processItems(base, ix, c);
  }
}
