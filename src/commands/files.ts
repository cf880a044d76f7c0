/** "Open File in Container…": a file dialog over the container's own root (files/containerFileSystem.ts). */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import { ContainerFileSystem, containerFileUri, FILES_SCHEME } from '../files/containerFileSystem';
import { escapeControls } from '../../server/escapeControls';
import { CommandFailure } from './commandFailure';
import { registerNodescopeCommand, type CommandContext, type ContainerTarget } from './registerCommand';

export function registerFileCommands(extension: vscode.ExtensionContext, nodes: NodeRegistry): void {
  const context: CommandContext = { extension, nodes };
  context.extension.subscriptions.push(
    vscode.workspace.registerFileSystemProvider(FILES_SCHEME, new ContainerFileSystem(context.nodes), {
      isReadonly: true,
      isCaseSensitive: true,
    }),
  );
  registerNodescopeCommand(context, 'nodescope.openFile', openFile, { target: 'container' });
}

async function openFile({ session, container }: ContainerTarget): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    title: `Open a file of ${container.name} (read-only, as the container sees it)`,
    defaultUri: containerFileUri(session.id, container, '/'),
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
    throw new CommandFailure(`cannot open ${escapeControls(picked[0].path)}: ${escapeControls(detail.split('\n')[0])}`);
  }
}
