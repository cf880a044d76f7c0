/**
 * Layers: a container's (upper first), the node's (most shared first), the containers using one, and
 * what its scan found (whiteouts, opaque directories, redirects, what the walk could not read).
 */
import type { LayerRef } from '../../../server/protocol';
import { formatBytes, plural } from '../../../server/units';
import { compactPath } from '../../model/format/paths';
import { fact } from './fact';
import type { ItemOf, ScanState, TreeItemShape } from './item';
import { problemItems } from './problem';
import type { SnapshotIndex } from './snapshotIndex';

function sharedWords(ix: SnapshotIndex, path: string): string | null {
  const users = ix.layer(path)?.usedBy ?? [];
  return users.length > 1 ? `shared by ${users.length} containers` : null;
}

export function layerItem(id: string, ix: SnapshotIndex, l: LayerRef, scan: ScanState | undefined, containerId?: string): ItemOf<'layer'> {
  const label = l.role === 'upper' ? 'upper (writable)' : `${l.role} #${l.index}`;
  // Not verified on the host: only a string of the container's mount namespace, never scanned or opened there.
  if (l.hostPath === null) {
    return {
      id,
      kind: 'layer',
      label,
      description: `not verified on the host · ${l.path}`,
      icon: 'warning',
      contextValue: 'layer',
      expandable: false,
      ref: l,
      containerId,
      verified: false,
    };
  }
  const shared = sharedWords(ix, l.path);
  let scanned: string | null = null;
  if (scan === 'loading') scanned = 'scanning…';
  else if (scan && 'error' in scan) scanned = `scan failed: ${scan.error}`;
  else if (scan)
    scanned = `${plural(scan.whiteouts.length, 'whiteout')}, ${scan.opaqueDirs.length} opaque${scan.problems.length ? ` (incomplete: ${scan.problems.length} unreadable)` : ''}`;
  return {
    id,
    kind: 'layer',
    label,
    description: [shared, scanned, compactPath(l.path)].filter(Boolean).join(' · '),
    icon: shared ? 'layers-active' : 'layers',
    contextValue: 'layer',
    expandable: true,
    ref: l,
    containerId,
    verified: true,
  };
}

export function layerTooltip(ix: SnapshotIndex, item: ItemOf<'layer'>): string {
  const l = item.ref;
  if (!item.verified) return `\`${l.path}\` is what the container's overlay names, not a host directory: ${l.unverified ?? 'not verified'}`;
  const diffId = ix.layer(l.path)?.identity?.diffId;
  return [`\`${l.path}\``, '', sharedWords(ix, l.path) ?? 'used by this container only', diffId ? `\n\ndiff id \`${diffId}\`` : ''].join(
    '\n',
  );
}

export function containerLayers(
  base: string,
  ix: SnapshotIndex,
  layers: readonly LayerRef[],
  scans: ReadonlyMap<string, ScanState>,
  containerId: string,
): ItemOf<'layer'>[] {
  return layers.map((l) => layerItem(`${base}/${l.index}`, ix, l, scans.get(l.path), containerId));
}

export function nodeLayers(nodeId: string, ix: SnapshotIndex, scans: ReadonlyMap<string, ScanState>): ItemOf<'layer'>[] {
  return [...ix.snapshot.layers]
    .sort((a, b) => b.usedBy.length - a.usedBy.length || a.path.localeCompare(b.path))
    .map((l, i) =>
      layerItem(
        `${nodeId}/layers/${i}:${l.path}`,
        ix,
        { path: l.path, role: Object.values(l.roles)[0] ?? 'lower', index: i },
        scans.get(l.path),
      ),
    );
}

export function layerUsers(id: string, ix: SnapshotIndex, path: string): ItemOf<'user'>[] {
  const l = ix.layer(path);
  return (l?.usedBy ?? []).map((cid) => ({
    id: `${id}/user/${cid}`,
    kind: 'user' as const,
    label: ix.containerName(cid),
    description: l?.roles[cid],
    icon: 'vm',
    contextValue: 'user',
    expandable: false,
    containerId: cid,
  }));
}

export function layerParts(id: string, scan: ScanState | undefined): TreeItemShape[] {
  if (!scan || scan === 'loading')
    return [{ id: `${id}/loading`, kind: 'message', label: 'Scanning…', icon: 'loading~spin', contextValue: 'message', expandable: false }];
  if ('error' in scan)
    return [{ id: `${id}/error`, kind: 'message', label: scan.error, icon: 'error', contextValue: 'message', expandable: false }];
  const part = (sub: string, path: string, description: string, icon: string, copyable: boolean): ItemOf<'layerPart'> => ({
    id: `${id}/${sub}/${path}`,
    kind: 'layerPart',
    label: `/${path}`,
    description,
    icon,
    contextValue: 'layerPart',
    expandable: false,
    path: `/${path}`,
    copyable,
  });
  const out: TreeItemShape[] = [
    fact(`${id}/size`, 'content', `${plural(scan.files, 'file')}, ${plural(scan.dirs, 'dir')}, ${formatBytes(scan.bytes)}`),
  ];
  for (const w of scan.whiteouts) out.push(part('wh', w.path, `deleted (whiteout, ${w.kind})`, 'trash', true));
  for (const o of scan.opaqueDirs) out.push(part('opq', o.path, `opaque directory (${o.kind})`, 'eye-closed', true));
  for (const r of scan.redirects) out.push(part('rd', r.path, `redirect → ${r.target}`, 'arrow-right', false));
  if (scan.metacopy.length) out.push(fact(`${id}/metacopy`, 'metacopy files', scan.metacopy.length));
  // Counts above are only as complete as the walk: say which directories it could not read.
  out.push(...problemItems(`${id}/problems`, scan.problems));
  return out;
}
