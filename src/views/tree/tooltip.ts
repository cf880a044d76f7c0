/**
 * A row's hover, made when VS Code asks for it (resolveTreeItem, on hover) rather than for every row
 * listed: most rows are never hovered, and a namespace's or container's hover reads several records.
 */
import type { TreeItemShape } from './item';
import { containerTooltip } from './container';
import { layerTooltip } from './layer';
import { mountTooltip } from './mount';
import { namespaceTooltip } from './namespace';
import { PROBLEMS_ABOUT, problemTooltip } from './problem';
import type { SnapshotIndex } from './snapshotIndex';

/** Markdown, or undefined for a row without a hover. */
export function tooltipOf(item: TreeItemShape, ix: SnapshotIndex): string | undefined {
  switch (item.kind) {
    case 'container': {
      const c = ix.container(item.containerId);
      return c && containerTooltip(c);
    }
    case 'namespace': {
      const ns = item.namespace && ix.namespace(item.namespace.type, item.namespace.inode);
      return ns ? namespaceTooltip(ix, ns) : undefined;
    }
    case 'layer':
      return layerTooltip(ix, item);
    case 'mount':
      return mountTooltip(item.mount);
    case 'problem':
      return problemTooltip(item.problem);
    case 'problems':
      return PROBLEMS_ABOUT;
    case 'fact':
      return item.about;
    default:
      return undefined;
  }
}
