/**
 * The security matrix panel's messages: none of its own. It feeds on the snapshot (`snapshot`, `delta`),
 * judges each container with the CLI's rules (src/model/security/securityRules.ts) and uses the base
 * requests (saveFile for the CSV export, containerAction for Reveal in Tree / Inspect).
 */
import type { NodePanelContract } from '../nodePanelContract';

export type SecurityContract = NodePanelContract;
