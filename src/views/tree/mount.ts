/** A container's mounts, each saying what part of which filesystem it shows. */
import type { ContainerInfo, MountInfo } from '../../../server/protocol';
import { formatBytes } from '../../../server/units';
import { compactPath } from '../../model/format/paths';
import type { ItemOf } from './item';

export function mountItems(base: string, c: ContainerInfo): ItemOf<'mount'>[] {
  return c.mounts.map((m) => ({
    id: `${base}/${m.mountId}`,
    kind: 'mount' as const,
    label: m.target,
    description: [
      `${m.fstype}${m.readOnly ? ' ro' : ''}${m.sizeBytes !== null ? ` size ${formatBytes(m.sizeBytes)}` : ''}`,
      m.root !== '/' ? `from ${compactPath(m.root)}` : null,
    ]
      .filter(Boolean)
      .join(' · '),
    icon: m.readOnly ? 'lock' : 'folder',
    contextValue: 'mount',
    expandable: false,
    mount: m,
  }));
}

/**
 * Where a mount's content comes from. mountinfo's `source` is the filesystem's device or name, the same
 * for every bind mount from one disk (`/dev/vda`); its `root` is the directory or file of that filesystem
 * that the mount shows (proc(5), mountinfo field 4), which for a bind mount is what tells it apart.
 */
export function mountTooltip(m: MountInfo): string {
  const from =
    m.root === '/'
      ? `the whole ${m.fstype} filesystem \`${m.source}\``
      : `\`${m.root}\` of the ${m.fstype} filesystem \`${m.source}\` (only that part of it, as a bind mount or a cgroup namespace shows it, not the whole filesystem)`;
  return [
    `**${m.target}**${m.readOnly ? ' (read-only)' : ''}`,
    '',
    `shows ${from}`,
    '',
    `mount options: \`${m.options}\``,
    '',
    `filesystem options: \`${m.superOptions}\``,
  ].join('\n');
}
