/**
 * Reveal in Tree: a panel's container (its context menu, its details pane) shown as its row of the Nodes
 * view, selected and focused. The row is the tree's own element (NodesView.containerRow), which VS Code can
 * reveal through getParent.
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import type { NodesView } from '../views/nodesView';
import type { NodeElement } from '../views/nodeElement';
import { CommandFailure } from './commandFailure';
import { registerNodescopeCommand } from './registerCommand';

export function registerRevealInTreeCommand(
  extension: vscode.ExtensionContext,
  nodes: NodeRegistry,
  view: NodesView,
  tree: vscode.TreeView<NodeElement>,
): void {
  registerNodescopeCommand({ extension, nodes }, 'nodescope.revealInTree', async (el) => {
    if (el?.item?.kind !== 'container') throw new CommandFailure('Reveal in Tree needs a container');
    const row = view.containerRow(el.session, el.item.containerId);
    if (!row) throw new CommandFailure(`container ${el.item.containerId.slice(0, 12)} is no longer listed on ${el.session.label}`);
    await tree.reveal(row, { select: true, focus: true, expand: false });
  });
}
