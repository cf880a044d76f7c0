/** "Open File in Container…": a file dialog over the container's own root (files/containerFileSystem.ts). */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import { ContainerFileSystem, containerFileUri, FILES_SCHEME } from '../files/containerFileSystem';
import type { NodeElement } from '../views/nodesView';
import { pickContainer } from './pick';
import { escapeControls } from '../../server/escapeControls';

export function registerFileCommands(context: vscode.ExtensionContext, nodes: NodeRegistry): void {
  context.subscriptions.push(
    vscode.workspace.registerFileSystemProvider(FILES_SCHEME, new ContainerFileSystem(nodes), { isReadonly: true, isCaseSensitive: true }),
    vscode.commands.registerCommand('nodescope.openFile', async (el?: NodeElement) => {
      const choice = await pickContainer(nodes, el);
      if (!choice) return;
      if (!choice.session.agent) {
        void vscode.window.showErrorMessage(`Nodescope: ${choice.session.label} is not connected`);
        return;
      }
      const picked = await vscode.window.showOpenDialog({
        title: `Open a file of ${choice.container.name} (read-only, as the container sees it)`,
        defaultUri: containerFileUri(choice.session.id, choice.container, '/'),
        canSelectFiles: true,
        canSelectFolders: false,
        canSelectMany: false,
        openLabel: 'Open',
      });
      if (!picked?.[0]) return;
      try {
        await vscode.window.showTextDocument(picked[0], { preview: true });
      } catch (err) {
        // VS Code words a provider's refusal as "cannot open <the whole URI>. Detail: <ours>. This is likely
        // caused by the extension…": the agent's own line (too large, a FIFO, gone) is what a person needs,
        // and the path (/<container name>/<file>, as the tab would have been titled) says whose file it was.
        const message = (err as Error).message ?? String(err);
        const detail = /Detail: ([\s\S]*)$/.exec(message)?.[1] ?? message;
        void vscode.window.showErrorMessage(`Nodescope: cannot open ${escapeControls(picked[0].path)}: ${escapeControls(detail.split('\n')[0])}`);
      }
    }),
  );
}
