/**
 * Nodescope's activation: wiring only. Nothing touches a node here except connecting "This machine",
 * which users expect to see populated as soon as they open the view.
 */
import * as vscode from 'vscode';
import { NodeRegistry, LOCAL_ID } from './nodes/registry';
import { NodesView } from './views/nodesView';
import { connectionStatusItems } from './views/statusBar';
import { registerNodeCommands } from './commands/nodeCommands';
import { registerItemCommands } from './commands/itemCommands';
import { registerEnterCommand } from './commands/enter';
import { registerDebugShellCommand } from './commands/debugShell';
import { registerFileCommands } from './commands/files';
import { registerLayerFileCommands } from './files/compareCommands';
import { registerLimitCommand } from './commands/limit';
import { registerLaunchCommands } from './commands/launch';
import { registerRetryCommand } from './commands/retry';
import { registerPanels } from './panels/host/allPanels';
import { registerRevealInTreeCommand } from './commands/revealInTree';

export function activate(context: vscode.ExtensionContext): { nodes: NodeRegistry } {
  const log = vscode.window.createOutputChannel('Nodescope', { log: true });
  const nodes = new NodeRegistry(context, log);
  const view = new NodesView(nodes);
  const tree = vscode.window.createTreeView('nodescope.nodes', { treeDataProvider: view, showCollapseAll: true });
  context.subscriptions.push(
    log,
    nodes,
    view,
    tree,
    connectionStatusItems(nodes),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('nodescope')) nodes.reload();
    }),
  );
  registerNodeCommands(context, nodes);
  registerItemCommands(context, nodes);
  registerEnterCommand(context, nodes);
  registerDebugShellCommand(context, nodes);
  registerFileCommands(context, nodes);
  registerLayerFileCommands(context, nodes);
  registerLimitCommand(context, nodes);
  registerLaunchCommands(context, nodes);
  registerRetryCommand(context, nodes);
  registerPanels(context, nodes, log);
  registerRevealInTreeCommand(context, nodes, view, tree);
  log.info(`Nodescope ${(context.extension.packageJSON as { version: string }).version} activated`);
  const local = nodes.get(LOCAL_ID);
  if (local) void nodes.connect(local);
  return { nodes };
}

export function deactivate(): void {
  // Sessions are disposed with the context's subscriptions: every agent channel closes, agents exit.
}
