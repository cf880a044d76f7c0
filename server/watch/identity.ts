/**
 * The stable identities changes are keyed by, shared by the agent that makes them (snapshotDiff.ts) and the
 * client that applies them (src/connection/snapshotChanges.ts). A pid alone is not one: pids are reused, so a
 * process is its pid and start time. A namespace is its type and inode (an inode is unique only within nsfs,
 * and the type makes the key readable).
 */
import type { NamespaceKey, ProcessKey } from '../protocol';

export function processIdentity(p: ProcessKey): string {
  return `${p.pid}:${p.startTime ?? '?'}`;
}

export function namespaceIdentity(n: NamespaceKey): string {
  return `${n.type}:${n.inode}`;
}

export const processKey = (p: ProcessKey): ProcessKey => ({ pid: p.pid, startTime: p.startTime });
export const namespaceKey = (n: NamespaceKey): NamespaceKey => ({ type: n.type, inode: n.inode });
