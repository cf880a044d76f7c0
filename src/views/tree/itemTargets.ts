/**
 * What the commands on a row act on, asked of the row's kind: the text Copy puts on the clipboard, the
 * record Inspect shows, the container (and process) Enter, Set Limit and the rest take.
 */
import type { TreeItemShape } from './item';
import type { SnapshotIndex } from './snapshotIndex';

/** The text "Copy" takes from a row; undefined where a row has none (then Copy asks for a container). */
export function copyTextOf(item: TreeItemShape): string | undefined {
  switch (item.kind) {
    case 'container':
      return item.containerId;
    case 'fact':
      return item.value;
    case 'namespace':
      return item.namespace ? `${item.namespace.type}:[${item.namespace.inode}]` : undefined;
    case 'layer':
      return item.ref.path;
    case 'layerPart':
      return item.copyable ? item.path : undefined;
    case 'capability':
      return item.held ? item.capability : undefined;
    case 'process':
      return String(item.pid);
    case 'problem':
      return `${item.problem.source}: ${item.problem.message}`;
    default:
      return undefined;
  }
}

/** The record "Inspect" shows for a row, with the name its document takes; undefined: ask for a container. */
export function inspectOf(item: TreeItemShape, ix: SnapshotIndex): { name: string; value: unknown } | undefined {
  const value = ((): unknown => {
    switch (item.kind) {
      case 'container':
        return ix.container(item.containerId);
      case 'namespace':
        return item.namespace ? ix.namespace(item.namespace.type, item.namespace.inode) : undefined;
      case 'layer':
        return item.verified ? (ix.layer(item.ref.path) ?? item.ref) : item.ref;
      case 'mount':
        return item.mount;
      case 'process':
        return ix.process(item.pid);
      default:
        return undefined;
    }
  })();
  return value === undefined ? undefined : { name: item.label, value };
}

/** The container a row belongs to, and the process for a process row. */
export function containerOf(item: TreeItemShape): { containerId: string; pid?: number } | undefined {
  switch (item.kind) {
    case 'process':
      return { containerId: item.containerId, pid: item.pid };
    case 'container':
    case 'section':
    case 'user':
      return { containerId: item.containerId };
    case 'namespace':
    case 'layer':
      return item.containerId === undefined ? undefined : { containerId: item.containerId };
    default:
      return undefined;
  }
}
