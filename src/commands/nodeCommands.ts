/** Connect, disconnect, refresh, add and remove a node, show the log. */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import { addNode } from './addNode';
import { failingAs } from './commandFailure';
import { removeNode } from './removeNode';
import { registerNodescopeCommand, showFailure, type CommandContext } from './registerCommand';

export function registerNodeCommands(extension: vscode.ExtensionContext, nodes: NodeRegistry): void {
  const context: CommandContext = { extension, nodes };
  registerNodescopeCommand(context, 'nodescope.connect', (s) => nodes.connect(s), {
    target: 'node',
    which: (x) => x.state === 'disconnected',
  });
  registerNodescopeCommand(context, 'nodescope.disconnect', (s) => s.disconnect(), {
    target: 'node',
    which: (x) => x.state !== 'disconnected',
  });
  // From a node's row: that node; from the title bar or the palette: every connected one.
  registerNodescopeCommand(context, 'nodescope.refresh', async (el) => {
    const targets = el ? [el.session] : nodes.all.filter((s) => s.state === 'connected');
    nodes.reload();
    // One node that fails is said, and the others are still read.
    for (const s of targets)
      await failingAs(s.label, () => s.refresh()).catch((err: unknown) => showFailure(context, 'nodescope.refresh', err));
  });
  registerNodescopeCommand(context, 'nodescope.showLog', () => nodes.log.show());
  registerNodescopeCommand(context, 'nodescope.addNode', () => addNode(nodes));
  registerNodescopeCommand(context, 'nodescope.removeNode', (s) => removeNode(nodes, s), { target: 'node', which: () => true, ask: true });
}
