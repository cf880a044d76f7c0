/** A container's processes, its init marked. */
import type { ContainerInfo } from '../../../server/protocol';
import type { ItemOf } from './item';
import type { SnapshotIndex } from './snapshotIndex';

export function processItems(base: string, ix: SnapshotIndex, c: ContainerInfo): ItemOf<'process'>[] {
  return ix.processesOf(c.id).map((p) => ({
    id: `${base}/${p.pid}`,
    kind: 'process' as const,
    label: `${p.pid} ${p.comm}`,
    // A command line the agent cut at 4 KiB ends in "…": what is shown is not all of it.
    description: [
      p.nspid.length > 1 ? `pid ${p.nspid[p.nspid.length - 1]} inside` : null,
      p.truncated && p.cmdline ? `${p.cmdline}…` : p.cmdline,
    ]
      .filter(Boolean)
      .join(' · '),
    icon: p.pid === c.initPid ? 'star-full' : 'circle-small',
    contextValue: 'process',
    expandable: false,
    containerId: c.id,
    pid: p.pid,
  }));
}
