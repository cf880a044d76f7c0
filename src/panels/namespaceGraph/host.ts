/**
 * "Nodescope: Show Namespace Graph": one panel per node, opened from the palette, the Nodes view's title
 * bar or a node's context menu, restored after a window reload.
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../../nodes/registry';
import type { NodeElement } from '../../views/nodesView';
import { pickNode } from '../../commands/pick';
import type { NodePanelKind, NodePanels } from '../host/nodePanels';
import type { NamespaceGraphContract } from './contract';

export const namespaceGraphKind: NodePanelKind<NamespaceGraphContract> = {
  viewType: 'nodescope.namespaceGraph',
  script: 'namespaceGraph',
  title: (nodeLabel) => `Namespaces · ${nodeLabel}`,
  feedsSnapshot: true,
  // Exports and container actions are the base requests; the page asks nothing else.
  handlers: () => ({}),
};

export function registerNamespaceGraphPanel(context: vscode.ExtensionContext, nodes: NodeRegistry, panels: NodePanels): void {
  const open = panels.register(namespaceGraphKind);
  context.subscriptions.push(
    vscode.commands.registerCommand('nodescope.showNamespaceGraph', async (el?: NodeElement) => {
      const session = await pickNode(nodes, el, (s) => s.state === 'connected');
      if (session) open(session);
    }),
  );
}
