/** Opens a node's overview panel. */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import type { NodeElement } from '../views/nodesView';
import { showOverview } from '../webviews/overviewPanel';
import { pickNode } from './pick';

export function registerPanelCommand(context: vscode.ExtensionContext, nodes: NodeRegistry): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('nodescope.openPanel', async (el?: NodeElement) => {
      const s = await pickNode(nodes, el, (x) => x.state === 'connected');
      if (s) showOverview(context, s);
    }),
  );
}
