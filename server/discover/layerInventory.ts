/**
 * Every layer directory used by any container, once: which containers use it and in which role (a
 * directory can be one container's upper and another's lower), with the engine's record of it.
 * This is where the shared lower layers of unrelated containers become visible.
 */
import type { ContainerInfo, LayerInfo } from '../protocol';
import type { LayerRecord } from './engines';
import { layerOrder } from './snapshotOrder';

export function buildLayerInventory(containers: ContainerInfo[], records: Map<string, LayerRecord>): LayerInfo[] {
  const byPath = new Map<string, LayerInfo>();
  for (const c of containers) {
    for (const ref of c.rootfs?.layers ?? []) {
      // Only directories verified on the host are the node's layers; an unverified layer's path is a
      // string of its container's mount namespace and stays in that container's rootfs, with the reason.
      const dir = ref.hostPath;
      if (!dir) continue;
      let layer = byPath.get(dir);
      if (!layer) {
        const rec = records.get(dir);
        layer = { path: dir, usedBy: [], roles: {}, sizeBytes: rec?.sizeBytes ?? null, identity: rec?.identity ?? null };
        byPath.set(dir, layer);
      }
      if (!layer.usedBy.includes(c.id)) layer.usedBy.push(c.id);
      layer.roles[c.id] = ref.role;
    }
  }
  return [...byPath.values()].sort(layerOrder);
}
