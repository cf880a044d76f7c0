/**
 * What the Nodes view hands a command: the node, and the row's shape (undefined for the node's own row).
 * Panels hand commands the same: `containerElement` makes the argument a command of the container's
 * menu takes (`vscode.commands.executeCommand('nodescope.enter', containerElement(session, id))`).
 * No vscode import.
 */
import type { NodeSession } from '../model/nodeSession';
import type { TreeItemShape } from './tree/item';

export interface NodeElement {
  session: NodeSession;
  item?: TreeItemShape;
  /** The element this one was listed under (undefined for a node). */
  parent?: NodeElement;
}

/** A container of `session` as if its row had been clicked: for commands run from a panel. */
export function containerElement(session: NodeSession, containerId: string): NodeElement {
  return {
    session,
    item: { id: `${session.id}/c/${containerId}`, kind: 'container', label: '', contextValue: 'container', expandable: false, containerId },
  };
}
