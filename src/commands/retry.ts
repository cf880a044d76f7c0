/**
 * Retry, on a node that is stale, restarting or failed (from its row, the status bar or the palette):
 * a stale node reads the node again (or replaces an agent that is not answering), a failed or restarting
 * one connects now, counting its attempts from the first again (NodeSession.retry).
 */
import type * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import { failingAs } from './commandFailure';
import { registerNodescopeCommand } from './registerCommand';

export function registerRetryCommand(extension: vscode.ExtensionContext, nodes: NodeRegistry): void {
  registerNodescopeCommand(
    { extension, nodes },
    'nodescope.retry',
    async (s) => {
      // A failed node connects as Connect does: with progress, and its error said once.
      if (s.health.kind === 'failed') return nodes.connect(s);
      await failingAs(s.label, () => s.retry());
    },
    { target: 'node', which: (x) => ['stale', 'restarting', 'failed'].includes(x.health.kind) },
  );
}
