/**
 * The layer graph panel's messages. The graph itself is built in the page from the snapshot (base
 * notifications) with the same model `nodescope graph layers` prints (src/model/graph/layerGraph.ts);
 * what a snapshot does not carry (whiteouts, opaque dirs, page cache) the page asks for one layer at a
 * time, when it is selected: those are walks of the layer's files on the node.
 */
import type { LayerOrigin } from '../../../server/protocol';
import type { NodePanelContract } from '../nodePanelContract';

/** A layer's facts from the agent's walks (layers.report and pagecache of a container that uses it). */
export interface LayerFacts {
  /** The layer directory on the host, as the graph names it. */
  path: string;
  /** The container whose stack was walked to answer. */
  containerId: string;
  origin: LayerOrigin;
  /** The image history's command that made it, when known. */
  createdBy: string | null;
  files: number;
  /** Regular file content plus symlink targets: docker history's size. */
  bytes: number;
  whiteouts: number;
  opaqueDirs: number;
  /** Bytes of the layer's files resident in the page cache now; null when the agent could not measure. */
  residentBytes: number | null;
  /** How residency was measured (cachestat, or mincore on older kernels). */
  method: string | null;
  /** A walk stopped at its limit: the figures cover only what was walked. */
  truncated: boolean;
  /** What could not be read, one line each. */
  problems: string[];
}

export type LayerGraphContract = NodePanelContract<{
  layerFacts: { params: { path: string; containerId: string }; result: LayerFacts };
}>;
