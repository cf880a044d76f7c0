/**
 * "Debug Shell…" on a container (or one of its processes): a shell in all of its namespaces, its files at
 * `/`, with the node's static busybox on PATH (server/act/debug.ts), in a terminal as Enter opens one. For
 * containers without a shell or tools. The toolbox is the setting `nodescope.debugToolbox` when set (a
 * path on the node), else the node's busybox-static; the agent checks it and says what to install.
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import { openContainerTerminal } from './enter';
import { registerNodescopeCommand, type CommandContext } from './registerCommand';

export function registerDebugShellCommand(extension: vscode.ExtensionContext, nodes: NodeRegistry): void {
  const context: CommandContext = { extension, nodes };
  registerNodescopeCommand(
    context,
    'nodescope.debugShell',
    (target) => {
      const toolbox = vscode.workspace.getConfiguration('nodescope').get<string>('debugToolbox')?.trim() || undefined;
      openContainerTerminal(context, target, {
        verb: 'debug',
        id: 'nodescope.debugShell',
        suffix: ' (debug)',
        detail: toolbox ? ` with ${toolbox}` : '',
        plan: () => target.client.request('debug.plan', { container: target.container.id, pid: target.pid, toolbox }),
      });
    },
    { target: 'container' },
  );
}
