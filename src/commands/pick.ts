/**
 * The "else ask" half of every command: a command run from the palette has no tree element, so it asks
 * for a node or a container with a quick pick. Commands from the context menu skip the question.
 */
import * as vscode from 'vscode';
import type { ContainerInfo } from '../../server/protocol';
import type { NodeSession } from '../model/nodeSession';
import type { NodeRegistry } from '../nodes/registry';
import type { NodeElement } from '../views/nodeElement';
import { containerOf } from '../views/tree/itemTargets';
import { shortId } from '../model/format/container';

/** `ask`: ask even when one node fits (for a command that takes the node away, a lone node is not consent). */
export async function pickNode(
  nodes: NodeRegistry,
  el: NodeElement | undefined,
  which: (s: NodeSession) => boolean,
  ask = false,
): Promise<NodeSession | undefined> {
  if (el) return el.session;
  const candidates = nodes.all.filter(which);
  if (!candidates.length) {
    void vscode.window.showInformationMessage('Nodescope: no node fits; add one with "Nodescope: Add Node…"');
    return undefined;
  }
  if (candidates.length === 1 && !ask) return candidates[0];
  const picked = await vscode.window.showQuickPick(
    candidates.map((s) => ({ label: s.label, description: s.state, session: s })),
    { placeHolder: 'Pick a node' },
  );
  return picked?.session;
}

export interface ContainerChoice {
  session: NodeSession;
  container: ContainerInfo;
  pid?: number;
}

/** The row's container (and process), else one picked from the containers of the connected nodes. */
export async function pickContainer(nodes: NodeRegistry, el: NodeElement | undefined): Promise<ContainerChoice | undefined> {
  const of = el?.item && containerOf(el.item);
  if (el && of) {
    const container = el.session.model.container(of.containerId);
    if (container) return { session: el.session, container, pid: of.pid };
  }
  const items = nodes.all
    .filter((s) => s.state === 'connected')
    .flatMap((session) =>
      (session.model.snapshot?.containers ?? []).map((container) => ({
        label: container.name,
        description: `${container.runtime} · ${shortId(container.id)}`,
        detail: session.label,
        choice: { session, container },
      })),
    );
  if (!items.length) {
    void vscode.window.showInformationMessage('Nodescope: no containers on the connected nodes');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Pick a container', matchOnDescription: true, matchOnDetail: true }))
    ?.choice;
}
