/**
 * Retry, on a node that is stale, restarting or failed (from its row, the status bar or the palette):
 * a stale node reads the node again (or replaces an agent that is not answering), a failed or restarting
 * one connects now, counting its attempts from the first again (NodeSession.retry).
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import type { NodeElement } from '../views/nodesView';
import { pickNode } from './pick';

export function registerRetryCommand(context: vscode.ExtensionContext, nodes: NodeRegistry): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('nodescope.retry', async (el?: NodeElement) => {
      const s = await pickNode(nodes, el, (x) => ['stale', 'restarting', 'failed'].includes(x.health.kind));
      if (!s) return;
      // A failed node connects as Connect does: with progress, and its error said once.
      if (s.health.kind === 'failed') return void (await nodes.connect(s));
      await s.retry().catch((err: Error) => vscode.window.showErrorMessage(`Nodescope: ${s.label}: ${err.message.split('\n')[0]}`));
    }),
  );
}
