/**
 * The Diagnose panel's messages: one panel per container (the subject), showing the agent's `diagnose`
 * report (server/diagnose/): the headline, then OOM kills, exits, memory by process, CPU throttling, what
 * it wrote and its network. The page asks again with `report` (Refresh: the throttling rate is since the
 * last look); links go through the base requests (Reveal in Tree, Explore Layers, Enter, live resources).
 */
import type { DiagnoseReport } from '../../../server/protocol';
import type { NodePanelContract } from '../nodePanelContract';

export type DiagnoseContract = NodePanelContract<{
  report: { params: Record<string, never> | null; result: DiagnoseReport };
}>;
