/**
 * Every layer directory used by any container, once: which containers use it and in which role (a
 * directory can be one container's upper and another's lower), with the engine's record of it.
 * This is where the shared lower layers of unrelated containers become visible.
 */
import type { ContainerInfo, LayerInfo } from '../protocol';
import type { LayerRecord } from './engines';

export function buildLayerInventory(containers: ContainerInfo[], records: Map<string, LayerRecord>): LayerInfo[] {
  const byPath = new Map<string, LayerInfo>();
  for (const c of containers) {
    for (const ref of c.rootfs?.layers ?? []) {
      let layer = byPath.get(ref.path);
      if (!layer) {
        const rec = records.get(ref.path);
        layer = { path: ref.path, usedBy: [], roles: {}, sizeBytes: rec?.sizeBytes ?? null, identity: rec?.identity ?? null };
        byPath.set(ref.path, layer);
      }
      if (!layer.usedBy.includes(c.id)) layer.usedBy.push(c.id);
      layer.roles[c.id] = ref.role;
    }
  }
  return [...byPath.values()].sort((a, b) => b.usedBy.length - a.usedBy.length || a.path.localeCompare(b.path));
}
