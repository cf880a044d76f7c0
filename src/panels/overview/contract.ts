/**
 * The overview panel's messages: the node's snapshot (base notifications) and one request of its own,
 * which of the other panels this version of Nodescope has, so its links never point at nothing.
 */
import type { NodePanelContract, PanelLink } from '../nodePanelContract';

export type OverviewContract = NodePanelContract<{
  availablePanels: { params: null; result: PanelLink[] };
}>;
