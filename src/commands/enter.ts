/** "Enter Namespaces…" on a container, one of its namespaces, or one of its processes. */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import { enterTerminal } from '../terminal/enterTerminal';
import type { NodeElement } from '../views/nodesView';
import { pickContainer } from './pick';

export function registerEnterCommand(context: vscode.ExtensionContext, nodes: NodeRegistry): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('nodescope.enter', async (el?: NodeElement) => {
      const choice = await pickContainer(nodes, el);
      if (!choice) return;
      const client = choice.session.agent;
      if (!client) {
        void vscode.window.showErrorMessage(`Nodescope: ${choice.session.label} is not connected`);
        return;
      }
      const pty = enterTerminal(client, choice.container, choice.pid, (msg) => void vscode.window.showErrorMessage(`Nodescope: cannot enter ${choice.container.name}: ${msg}`));
      const terminal = vscode.window.createTerminal({ name: `${choice.container.name} (${choice.session.label})`, pty, iconPath: new vscode.ThemeIcon('vm-running') });
      terminal.show();
    }),
  );
}
