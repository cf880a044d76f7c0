/**
 * The requests every node panel answers the same way: save an export, run a container's action, open
 * another panel. Actions run the commands the tree's context menu runs, so a panel never has its own
 * copy of "enter" or "inspect".
 */
import * as vscode from 'vscode';
import type { NodeSession } from '../../model/nodeSession';
import { containerElement } from '../../views/nodeElement';
import type { ContainerAction, NodePanelRequests, PanelLink } from '../nodePanelContract';
import { check } from '../protocol';
import type { RequestHandlers } from './panelHost';

/** Exports bigger than this are refused: a page that posts more is broken. */
const MAX_EXPORT_CHARS = 64 * 1024 * 1024;

const ACTION_COMMANDS: Record<ContainerAction, string> = {
  enter: 'nodescope.enter',
  inspect: 'nodescope.inspect',
  reveal: 'nodescope.revealInTree',
  exploreLayers: 'nodescope.exploreLayers',
  diagnose: 'nodescope.diagnose',
};
const PANELS: PanelLink[] = ['overview', 'namespaceGraph', 'layerGraph', 'resources', 'security'];

/** The argument the tree's container commands take (a container row of the Nodes view). */
export function containerArgument(session: NodeSession, containerId: string): unknown {
  return containerElement(session, containerId);
}

export function baseRequests(
  session: NodeSession,
  openPanel: (panel: PanelLink, session: NodeSession, subject: string | null) => boolean,
): RequestHandlers<{ requests: NodePanelRequests; notifications: Record<string, never> }> {
  return {
    saveFile: {
      check: check.object({
        name: check.string(255),
        text: check.optionalString(MAX_EXPORT_CHARS),
        base64: check.optionalString(MAX_EXPORT_CHARS),
      }),
      run: async ({ name, text, base64 }) => {
        const safeName = name.replace(/[/\\\u0000-\u001f]/g, '_');
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(defaultFolder(), safeName),
          saveLabel: 'Export',
        });
        if (!target) return { saved: false };
        const bytes = base64 !== undefined ? Buffer.from(base64, 'base64') : Buffer.from(text ?? '', 'utf8');
        await vscode.workspace.fs.writeFile(target, bytes);
        void vscode.window.showInformationMessage(`Nodescope: saved ${target.fsPath}`);
        return { saved: true };
      },
    },
    containerAction: {
      check: check.object({ action: check.oneOf(...(Object.keys(ACTION_COMMANDS) as ContainerAction[])), containerId: check.string(256) }),
      run: async ({ action, containerId }) => {
        if (!session.model.container(containerId))
          throw new Error(`container ${containerId.slice(0, 12)} is no longer on ${session.label}`);
        const command = ACTION_COMMANDS[action];
        if (!(await vscode.commands.getCommands(true)).includes(command))
          throw new Error(`${action} is not available in this version of Nodescope`);
        await vscode.commands.executeCommand(command, containerArgument(session, containerId));
        return null;
      },
    },
    openPanel: {
      check: check.object({ panel: check.oneOf(...PANELS), subject: check.optionalString(256) }),
      run: ({ panel, subject }) => {
        if (!openPanel(panel, session, subject ?? null))
          throw new Error(`the ${panel} panel is not available in this version of Nodescope`);
        return null;
      },
    },
  };
}

function defaultFolder(): vscode.Uri {
  return vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(process.env.HOME ?? '/');
}
