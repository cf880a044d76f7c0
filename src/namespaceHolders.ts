/** What keeps a namespace alive, in words, for the tree and the CLI alike. No vscode import. */
import type { NamespaceInfo } from '../server/protocol';

export function describeHolders(n: NamespaceInfo): string {
  const parts: string[] = [];
  if (n.processCount) parts.push(`${n.processCount} process${n.processCount === 1 ? '' : 'es'}`);
  for (const h of n.fdHolders) parts.push(`fd ${h.fd} of pid ${h.pid}`);
  for (const m of n.bindMounts) parts.push(`bind mount ${m}`);
  return parts.join(', ') || n.heldBy.join(', ');
}
