/**
 * "Nodescope: Show Live Resources": one panel per node, or per container when opened from a container's
 * context menu (the page then starts with that container selected). The samples are kept here, per node
 * (history.ts), so a page that reloads gets its charts back.
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../../nodes/registry';
import type { NodeSession } from '../../model/nodeSession';
import type { NodeElement } from '../../views/nodeElement';
import { pickNode } from '../../commands/pick';
import { registerNodescopeCommand } from '../../commands/registerCommand';
import type { NodePanelContext, NodePanelKind, NodePanels } from '../host/nodePanels';
import type { ResourcesContract } from './contract';
import { NodeResourceHistory } from './history';

/** One history per node session, for the extension's life. */
const histories = new WeakMap<NodeSession, NodeResourceHistory>();

function historyOf(session: NodeSession): NodeResourceHistory {
  let h = histories.get(session);
  if (!h) {
    const interval = vscode.workspace.getConfiguration('nodescope').get<number>('watchIntervalMs', 2000);
    h = new NodeResourceHistory(session, interval > 0 ? interval : 2000);
    histories.set(session, h);
  }
  return h;
}

export const resourcesKind: NodePanelKind<ResourcesContract> = {
  viewType: 'nodescope.resources',
  script: 'resources',
  title: (nodeLabel, subject, session) => {
    const name = subject ? session.model.container(subject)?.name : undefined;
    return name ? `Resources · ${name} · ${nodeLabel}` : `Resources · ${nodeLabel}`;
  },
  feedsSnapshot: false,
  handlers: () => ({}),
  opened: (ctx: NodePanelContext<ResourcesContract>) => {
    const history = historyOf(ctx.session);
    ctx.host.onReady(() =>
      ctx.host.notify('history', { intervalMs: history.intervalMs, capacity: history.ring.capacity, samples: history.ring.toArray() }),
    );
    ctx.host.track(history.subscribe((s) => ctx.host.notify('sample', s)));
  },
};

export function registerResourcesPanel(context: vscode.ExtensionContext, nodes: NodeRegistry, panels: NodePanels): void {
  const open = panels.register(resourcesKind);
  // A container's row opens the panel about that container; a node's row or the palette, the node's.
  registerNodescopeCommand({ extension: context, nodes }, 'nodescope.showResources', async (el: NodeElement | undefined) => {
    if (el?.item?.kind === 'container') return open(el.session, el.item.containerId);
    const session = await pickNode(nodes, el, (s) => s.state === 'connected');
    if (session) open(session);
  });
}
