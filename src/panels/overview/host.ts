/**
 * The node overview: header facts, the containers table with limits next to usage, and links to the
 * other panels. Command `nodescope.openPanel` ("Open Overview") from the palette, the view and a node's
 * context menu.
 */
import type * as vscode from 'vscode';
import type { NodeRegistry } from '../../nodes/registry';
import { registerNodescopeCommand } from '../../commands/registerCommand';
import type { PanelLink } from '../nodePanelContract';
import type { NodePanelKind, NodePanels } from '../host/nodePanels';
import { check } from '../protocol';
import type { OverviewContract } from './contract';

export function overviewKind(panels: NodePanels): NodePanelKind<OverviewContract> {
  return {
    viewType: 'nodescope.overview',
    script: 'overview',
    title: (node) => `Overview: ${node}`,
    icon: 'nodescope.svg',
    feedsSnapshot: true,
    liveCounters: true, // the containers table's memory and pids usage, the facts line's "as of"
    handlers: () => ({
      availablePanels: { check: check.none(), run: () => panels.kinds().filter((k): k is PanelLink => k !== 'overview') },
    }),
  };
}

export function registerOverviewPanel(context: vscode.ExtensionContext, nodes: NodeRegistry, panels: NodePanels): void {
  const open = panels.register(overviewKind(panels));
  registerNodescopeCommand({ extension: context, nodes }, 'nodescope.openPanel', (session) => open(session), { target: 'node' });
}
