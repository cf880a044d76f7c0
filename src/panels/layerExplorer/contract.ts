/**
 * The layer explorer's messages: one panel per container (the subject), showing the agent's layer report
 * (the stack with each layer's history command, sizes and marks; efficiency and wasted space) and its
 * directories page by page (layers.explore). The host fixes the target: the page names layers, paths and
 * filters, never another container.
 */
import type { LayerExplorePage, LayerReport } from '../../../server/protocol';
import type { NodePanelContract } from '../nodePanelContract';

export interface ExploreRequest {
  /** The report's layer index: 0 = top-most. */
  layer: number;
  /** Absolute directory inside the container's file system. */
  path: string;
  /** The merged view up to the layer (dive's "aggregated"), else the layer alone. */
  merged: boolean;
  offset: number;
  limit: number;
  changesOnly: boolean;
  /** Glob or substring, as layers.explore takes it; empty for none. */
  pattern: string;
}

export interface FileAction {
  layer: number;
  merged: boolean;
  /** Absolute file path inside the container. */
  path: string;
}

export type LayerExplorerContract = NodePanelContract<{
  report: { params: Record<string, never> | null; result: LayerReport };
  explore: { params: ExploreRequest; result: LayerExplorePage };
  /** Opens the file (as the layer or the merged view up to it shows it) in an editor tab. */
  openFile: { params: FileAction; result: null };
  /** The file against the same path in the merged view of the layers below. */
  compareBelow: { params: FileAction; result: null };
}>;

/** Entries per page the page asks for: enough to fill a tall panel, small enough to answer fast. */
export const PAGE_SIZE = 500;
