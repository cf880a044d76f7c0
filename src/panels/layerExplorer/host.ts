/**
 * "Explore Layers": dive's view of a container's layers, on any engine's running container. One panel per
 * container (subject = container id), from a container's or a layer's context menu, the palette, or another
 * panel's "Explore Layers". The host forwards the page's requests to the agent for this container only.
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../../nodes/registry';
import type { NodeSession } from '../../model/nodeSession';
import type { AgentClient } from '../../connection/agentClient';
import { registerNodescopeCommand } from '../../commands/registerCommand';
import { containerFileUri } from '../../files/containerFileSystem';
import type { NodePanelKind, NodePanels } from '../host/nodePanels';
import { check, type ParamsCheck } from '../protocol';
import type { FileAction, LayerExplorerContract } from './contract';

/** The deepest stack the explorer names a layer of (overlayfs allows 500 lowers; engines stop far below). */
const MAX_LAYER = 999;

const fileAction: ParamsCheck = check.object({ layer: check.integer(0, MAX_LAYER), merged: check.boolean(), path: check.string(4096) });

function agentOf(session: NodeSession): AgentClient {
  const client = session.agent;
  if (!client) throw new Error(`${session.label} is not connected`);
  return client;
}

function subjectOf(subject: string | null): string {
  if (!subject) throw new Error('this panel names no container');
  return subject;
}

function fileUri(session: NodeSession, containerId: string, a: FileAction): vscode.Uri {
  if (!a.path.startsWith('/') || a.path.split('/').some((s) => s === '.' || s === '..'))
    throw new Error(`not an absolute path: ${a.path.slice(0, 200)}`);
  const name = session.model.container(containerId)?.name ?? containerId.slice(0, 12);
  return containerFileUri(session.id, { id: containerId, name }, a.path, { layer: a.layer, merged: a.merged });
}

export const layerExplorerKind: NodePanelKind<LayerExplorerContract> = {
  viewType: 'nodescope.layerExplorer',
  script: 'layerExplorer',
  title: (node, subject, session) =>
    `Layers of ${subject ? (session.model.container(subject)?.name ?? subject.slice(0, 12)) : '?'} · ${node}`,
  icon: 'nodescope.svg',
  feedsSnapshot: false,
  handlers: ({ session, subject }) => ({
    report: {
      check: check.none(),
      run: () => agentOf(session).request('layers.report', { target: subjectOf(subject), top: 50 }),
    },
    explore: {
      check: check.object({
        layer: check.integer(0, MAX_LAYER),
        path: check.string(4096),
        merged: check.boolean(),
        offset: check.integer(0, 10_000_000),
        limit: check.integer(1, 5000),
        changesOnly: check.boolean(),
        pattern: check.string(1024),
      }),
      run: (p) =>
        agentOf(session).request('layers.explore', {
          target: subjectOf(subject),
          layer: p.layer,
          path: p.path,
          merged: p.merged,
          offset: p.offset,
          limit: p.limit,
          changesOnly: p.changesOnly,
          ...(p.pattern ? { pattern: p.pattern } : {}),
        }),
    },
    openFile: {
      check: fileAction,
      run: async (a) => {
        await vscode.window.showTextDocument(fileUri(session, subjectOf(subject), a), {
          preview: true,
          viewColumn: vscode.ViewColumn.Beside,
        });
        return null;
      },
    },
    compareBelow: {
      check: fileAction,
      run: async (a) => {
        await vscode.commands.executeCommand('nodescope.compareWithLayerBelow', fileUri(session, subjectOf(subject), a));
        return null;
      },
    },
  }),
};

export function registerLayerExplorerPanel(context: vscode.ExtensionContext, nodes: NodeRegistry, panels: NodePanels): void {
  const open = panels.register(layerExplorerKind);
  registerNodescopeCommand(
    { extension: context, nodes },
    'nodescope.exploreLayers',
    ({ session, container }) => open(session, container.id),
    { target: 'container' },
  );
}
