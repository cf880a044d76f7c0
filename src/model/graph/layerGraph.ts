/**
 * The layer sharing graph of a snapshot: each container points at the top of its overlay stack, each
 * layer at the one below it, so a stack reads as a chain and a layer that several containers share is
 * one node where their chains meet (image layers under a shared one are shared too, so chains join and
 * stay joined: a tree of images, as the engine built them). docs/graph.md has the shape.
 */
import type { ContainerInfo, LayerRef, Snapshot } from '../../../server/protocol';
import { containerId, GraphBuilder, type Graph, type GraphNode } from './graphModel';

/**
 * The layer's directory on the host, or null when the agent could not verify one. `hostPath` absent
 * means `path` names the directory directly (so did every layer from agents older than the field).
 */
export function hostDirOf(ref: LayerRef): string | null {
  return ref.hostPath === undefined ? ref.path : ref.hostPath;
}

/**
 * A verified layer is named by its host directory, so every container using it meets at one node. An
 * unverified one (a string from another mount namespace's options, not checked on the host) stays the
 * container's own: two containers naming the same string may not mean the same directory.
 */
export function layerId(c: ContainerInfo, ref: LayerRef): string {
  const dir = hostDirOf(ref);
  return dir !== null ? `layer:${dir}` : `layer:unverified:${c.id}:${ref.path}`;
}

/**
 * A short name for a layer directory: its last two components without the engine's `diff`/`fs` leaf,
 * long hex ids cut to 12 characters, as docker prints ids (`overlay2/21f775936c28-init`, `snapshots/7`).
 */
export function layerLabel(dir: string): string {
  const parts = dir.split('/').filter(Boolean);
  if (parts.length > 2 && (parts[parts.length - 1] === 'diff' || parts[parts.length - 1] === 'fs')) parts.pop();
  return (
    parts
      .slice(-2)
      .join('/')
      .replace(/\b([0-9a-f]{12})[0-9a-f]{20,}/g, '$1') || dir
  );
}

export function buildLayerGraph(snapshot: Snapshot): Graph {
  const g = new GraphBuilder();
  const sizes = new Map<string, number | null>();
  for (const l of snapshot.layers) sizes.set(l.path, l.sizeBytes);
  const users = new Map<string, Set<string>>();

  for (const c of snapshot.containers) {
    const cid = containerId(c.id);
    g.node({ id: cid, kind: 'container', label: c.name, containerId: c.id, runtime: c.runtime });
    let above = cid;
    // rootfs.layers is upper first, then lowers top-most first, then data-only lowers: the stack's order.
    for (const ref of c.rootfs?.layers ?? []) {
      const id = layerId(c, ref);
      const dir = hostDirOf(ref);
      const path = dir ?? ref.path;
      const node = g.node({ id, kind: 'layer', label: layerLabel(path), path });
      if (ref.role === 'upper') node.writable = true;
      if (dir === null) node.unverified = ref.unverified ?? 'not verified on the host';
      const size = dir === null ? undefined : sizes.get(dir);
      if (typeof size === 'number') node.sizeBytes = size;
      let set = users.get(id);
      if (!set) users.set(id, (set = new Set()));
      set.add(c.id);
      g.edge(above, id, 'layer');
      above = id;
    }
  }

  for (const [id, set] of users) {
    const node = g.get(id) as GraphNode;
    node.usedBy = [...set].sort();
    if (set.size > 1) node.label += ` (used by ${set.size})`;
  }
  return g.build();
}
