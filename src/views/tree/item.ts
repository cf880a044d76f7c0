/**
 * What one row of the Nodes tree is, as a discriminated union on `kind`: each kind carries exactly what
 * its children, its hover and the commands on it need (a container's id, a namespace's type and inode, a
 * layer's reference), so nothing is read back from ids or labels. No vscode import: nodesView.ts turns a
 * shape into a TreeItem, unit tests check shapes directly.
 *
 * Ids are stable paths (node/container/section/...), so expansion state survives refreshes and deltas.
 * Hovers are not built here: tooltips.ts makes them when VS Code asks (resolveTreeItem).
 */
import type { LayerRef, LayerScan, MountInfo, NsType, Problem } from '../../../server/protocol';

/** What every row shows. */
interface Row {
  id: string;
  label: string;
  description?: string;
  /** A codicon name. */
  icon?: string;
  /** What menus match (package.json's `viewItem =~` clauses): the kind, and for some kinds a state. */
  contextValue: string;
  expandable: boolean;
}

export const SECTIONS = ['overview', 'namespaces', 'layers', 'cgroup', 'capabilities', 'mounts', 'processes'] as const;
export type Section = (typeof SECTIONS)[number];

/** A namespace by its identity: the kernel names it by type and inode (`net:[4026531992]`). */
export interface NamespaceKey {
  type: NsType;
  inode: number;
}

export type TreeItemShape =
  // Under a node.
  | (Row & { kind: 'containers' })
  | (Row & { kind: 'nodeNamespaces' })
  | (Row & { kind: 'nodeLayers' })
  | (Row & { kind: 'problems' })
  // Containers, grouped by their engine.
  | (Row & { kind: 'runtime'; runtime: string })
  | (Row & { kind: 'container'; containerId: string })
  | (Row & { kind: 'section'; containerId: string; section: Section })
  // A namespace under a container (`containerId` is that container) or under the node's Namespaces
  // (`containerId` is its first container, if any); `namespace` is null when the inode is unknown.
  | (Row & { kind: 'namespace'; containerId?: string; namespace: NamespaceKey | null })
  | (Row & { kind: 'nsType'; nsType: NsType })
  // A layer of a container (`containerId` set) or of the node's Layers; `verified` is false for a path
  // that only the container's overlay names, never scanned or opened on the host.
  | (Row & { kind: 'layer'; ref: LayerRef; containerId?: string; verified: boolean })
  | (Row & { kind: 'layerPart'; path: string; copyable: boolean })
  | (Row & { kind: 'user'; containerId: string })
  | (Row & { kind: 'capability'; capability: string; held: boolean })
  | (Row & { kind: 'mount'; mount: MountInfo })
  | (Row & { kind: 'process'; containerId: string; pid: number })
  | (Row & { kind: 'problem'; problem: Problem })
  // A fact is a value with a name; its hover, when it has one, is a fixed sentence.
  | (Row & { kind: 'fact'; value: string; about?: string })
  | (Row & { kind: 'message' });

export type ItemKind = TreeItemShape['kind'];
export type ItemOf<K extends ItemKind> = Extract<TreeItemShape, { kind: K }>;

/** Layer scans fetched on demand when a layer is expanded; an error is kept as its message. */
export type ScanState = LayerScan | { error: string } | 'loading';
