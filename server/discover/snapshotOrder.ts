/**
 * The order of a snapshot's lists, in one place: the agent sorts by it, and a client that keeps a copy and
 * applies keyed changes to it (src/connection/snapshotChanges.ts) sorts by it too, so that its copy equals a
 * fresh snapshot entry for entry. Nothing here reads the node (the extension's bundle imports it).
 */
import type { LayerInfo, NamespaceInfo, ProcessInfo } from '../protocol';

/** Namespaces: by type, then inode. */
export function namespaceOrder(a: NamespaceInfo, b: NamespaceInfo): number {
  return a.type.localeCompare(b.type) || a.inode - b.inode;
}

/** Layers: the most shared first, then by path. */
export function layerOrder(a: LayerInfo, b: LayerInfo): number {
  return b.usedBy.length - a.usedBy.length || a.path.localeCompare(b.path);
}

/**
 * Processes: by pid as text ("1" < "10" < "2"), the order the agent has always listed them in: it is how
 * Node's readdir hands /proc's names over (libuv sorts a directory's names as strings).
 */
export function processOrder(a: ProcessInfo, b: ProcessInfo): number {
  const x = String(a.pid);
  const y = String(b.pid);
  return x < y ? -1 : x > y ? 1 : 0;
}
