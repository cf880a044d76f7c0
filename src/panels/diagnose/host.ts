/**
 * "Diagnose": why a container is broken, one panel per container (subject = container id), from a
 * container's context menu, the palette, or another panel's container menu. The host asks the agent for
 * this container only; the page names nothing else.
 */
import type * as vscode from 'vscode';
import type { NodeRegistry } from '../../nodes/registry';
import { registerNodescopeCommand } from '../../commands/registerCommand';
import type { NodePanelKind, NodePanels } from '../host/nodePanels';
import { check } from '../protocol';
import type { DiagnoseContract } from './contract';

export const diagnoseKind: NodePanelKind<DiagnoseContract> = {
  viewType: 'nodescope.diagnose',
  script: 'diagnose',
  title: (node, subject, session) =>
    `Diagnose ${subject ? (session.model.container(subject)?.name ?? subject.slice(0, 12)) : '?'} · ${node}`,
  icon: 'nodescope.svg',
  feedsSnapshot: false,
  handlers: ({ session, subject }) => ({
    report: {
      check: check.none(),
      run: () => {
        const client = session.agent;
        if (!client) throw new Error(`${session.label} is not connected`);
        if (!subject) throw new Error('this panel names no container');
        return client.request('diagnose', { container: subject });
      },
    },
  }),
};

export function registerDiagnosePanel(context: vscode.ExtensionContext, nodes: NodeRegistry, panels: NodePanels): void {
  const open = panels.register(diagnoseKind);
  registerNodescopeCommand({ extension: context, nodes }, 'nodescope.diagnose', ({ session, container }) => open(session, container.id), {
    target: 'container',
  });
}
