/**
 * The namespace graph panel's messages: none of its own. It feeds on the snapshot (`snapshot`, `delta`),
 * builds the graph in the page with the CLI's model (src/model/graph/namespaceGraph.ts) and uses the base
 * requests (saveFile for exports, containerAction for Enter / Reveal in Tree / Inspect).
 */
import type { NodePanelContract } from '../nodePanelContract';

export type NamespaceGraphContract = NodePanelContract;
