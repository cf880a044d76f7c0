/**
 * The live resources panel's messages. It does not feed on the snapshot: the extension samples the node's
 * snapshot as the watch updates it and keeps the samples per node (history.ts), so a page that reloads gets
 * the whole history back (`history`), then one `sample` per watch pass. The model is the CLI's
 * (src/model/resources/resourceSamples.ts).
 */
import type { NodePanelContract } from '../nodePanelContract';
import type { ResourceSample } from '../../model/resources/resourceSamples';

export interface ResourceHistoryNote {
  /** The watch interval the samples come at (ms). */
  intervalMs: number;
  /** How many samples the history keeps (at least ten minutes' worth). */
  capacity: number;
  /** Oldest first. */
  samples: ResourceSample[];
}

export type ResourcesContract = NodePanelContract<
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no requests of its own: exports and actions are the base requests
  {},
  { history: ResourceHistoryNote; sample: ResourceSample }
>;
