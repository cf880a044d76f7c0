/**
 * The layer sharing graph: containers → their layer stacks, a layer shared by several containers drawn
 * once. Command `nodescope.showLayerGraph` from the palette, the view's title bar, and the context menu
 * of a node (the whole node) or a container (the node's graph with that container's stack selected).
 */
import type * as vscode from 'vscode';
import type { AgentClient } from '../../connection/agentClient';
import type { NodeRegistry } from '../../nodes/registry';
import type { NodeSession } from '../../model/nodeSession';
import { registerNodescopeCommand } from '../../commands/registerCommand';
import { pickNode } from '../../commands/pick';
import { containerOf } from '../../views/tree/itemTargets';
import type { NodePanelKind, NodePanels } from '../host/nodePanels';
import { check } from '../protocol';
import type { LayerFacts, LayerGraphContract } from './contract';

const layerGraphKind: NodePanelKind<LayerGraphContract> = {
  viewType: 'nodescope.layerGraph',
  script: 'layerGraph',
  title: (node, subject, session) =>
    `Layers: ${node}${subject ? ` · ${session.model.container(subject)?.name ?? subject.slice(0, 12)}` : ''}`,
  icon: 'nodescope.svg',
  feedsSnapshot: true,
  liveCounters: true, // the details pane's page cache charged to each user's memory cgroup
  handlers: ({ session }) => ({
    layerFacts: {
      check: check.object({ path: check.string(4096), containerId: check.string(256) }),
      run: ({ path, containerId }) => layerFacts(session, path, containerId),
    },
  }),
};

/**
 * One layer's whiteouts, opaque dirs and page cache, from walks of the stack of a container that uses it
 * (the agent walks by container: a layer directory alone is not something the page may name).
 */
async function layerFacts(session: NodeSession, path: string, containerId: string): Promise<LayerFacts> {
  const client: AgentClient | null = session.agent;
  if (!client) throw new Error(`${session.label} is not connected`);
  const c = session.model.container(containerId);
  if (!c) throw new Error(`container ${containerId.slice(0, 12)} is no longer on ${session.label}`);
  if (!c.rootfs?.layers.some((l) => l.hostPath === path || (l.hostPath === undefined && l.path === path)))
    throw new Error(`${c.name} does not use the layer ${path}`);
  const [report, cache] = await Promise.all([
    client.request('layers.report', { target: c.id }),
    client.request('pagecache', { target: c.id, top: 1 }),
  ]);
  const layer = report.layers.find((l) => l.path === path);
  if (!layer) throw new Error(`the agent's report of ${c.name} has no layer ${path}`);
  const cached = cache.layers.find((l) => (l.layer.hostPath ?? l.layer.path) === path);
  return {
    path,
    containerId: c.id,
    origin: layer.origin,
    createdBy: layer.createdBy,
    files: layer.files,
    bytes: layer.bytes + layer.symlinkBytes,
    whiteouts: layer.whiteouts,
    opaqueDirs: layer.opaqueDirs,
    residentBytes: cached ? cached.residentBytes : null,
    method: cached ? cache.method : null,
    truncated: report.truncated || Boolean(cached?.truncated),
    problems: [...report.problems, ...cache.problems].map((p) => `${p.source}: ${p.message}`).slice(0, 20),
  };
}

export function registerLayerGraphPanel(context: vscode.ExtensionContext, nodes: NodeRegistry, panels: NodePanels): void {
  const open = panels.register(layerGraphKind);
  registerNodescopeCommand({ extension: context, nodes }, 'nodescope.showLayerGraph', async (el) => {
    const of = el?.item && containerOf(el.item);
    if (el && of) return open(el.session, of.containerId);
    const session = await pickNode(nodes, el, (s) => s.state === 'connected');
    if (session) open(session);
  });
}
