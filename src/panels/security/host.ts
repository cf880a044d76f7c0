/**
 * "Nodescope: Show Security Matrix": one panel per node, opened from the palette, the Nodes view's title
 * bar or a node's context menu, restored after a window reload.
 */
import type * as vscode from 'vscode';
import type { NodeRegistry } from '../../nodes/registry';
import { registerNodescopeCommand } from '../../commands/registerCommand';
import type { NodePanelKind, NodePanels } from '../host/nodePanels';
import type { SecurityContract } from './contract';

export const securityKind: NodePanelKind<SecurityContract> = {
  viewType: 'nodescope.security',
  script: 'security',
  title: (nodeLabel) => `Security · ${nodeLabel}`,
  feedsSnapshot: true,
  handlers: () => ({}),
};

export function registerSecurityPanel(context: vscode.ExtensionContext, nodes: NodeRegistry, panels: NodePanels): void {
  const open = panels.register(securityKind);
  registerNodescopeCommand({ extension: context, nodes }, 'nodescope.showSecurity', (session) => open(session), { target: 'node' });
}
