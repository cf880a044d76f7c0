/**
 * Layer files in the editor: "Open File in Layer…" (one layer's own files, or the merged view up to a
 * layer), "Compare with Layer Below" and "Compare with Image" (vscode.diff between two versions of a
 * file). Each command takes the file from the explorer's or the editor's context menu, else the active
 * Nodescope editor, else asks: a container, then a file of it.
 *
 * Below: the same path in the merged view up to the layer under the one that serves the file, i.e. the
 * file as it was before that layer changed it. Image: the merged view of the image's layers alone (no
 * writable layer, no Docker init layer), i.e. the file as the image has it.
 *
 * package.json's menus match the scheme as `resourceScheme =~ /^nodescope-f[i]les$/`, not `== nodescope-files`:
 * in code-server (VS Code 1.139 web, remote extension host) a when clause holding the word "file" anywhere
 * never matched an editor of this scheme (measured: `=~ /^nodescope-fil/` matched, `=~ /^nodescope-file/`
 * did not; its context key said "nodescope-files"), presumably rewritten for remote `file` resources.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { LayerFileStat } from '../../server/protocol';
import type { NodeRegistry } from '../nodes/registry';
import { escapeControls } from '../../server/escapeControls';
import { pickContainer } from '../commands/pick';
import { containerFileUri, FILES_SCHEME, inView, parseFileUri } from './containerFileSystem';
import { viewLabel, type LayerViewRef } from './containerFileUri';
import { LayerDecorations } from './layerDecorations';

type TreeElement = Parameters<typeof pickContainer>[1];

/** The line a person reads when a command cannot go on. */
function tell(message: string): void {
  void vscode.window.showInformationMessage(`Nodescope: ${escapeControls(message)}`);
}

/** The agent's refusal without VS Code's wording around it (see commands/files.ts). */
function reason(err: unknown): string {
  const message = (err as Error).message ?? String(err);
  return escapeControls((/Detail: ([\s\S]*)$/.exec(message)?.[1] ?? message).split('\n')[0]);
}

/** A layer view of the container, picked: every layer twice, its own files and the merged view up to it. */
async function pickView(layers: { index: number; role: string; path: string }[]): Promise<LayerViewRef | undefined> {
  const items = layers.flatMap((l) => {
    const what = l.role === 'upper' ? 'the writable layer' : `image layer · ${path.basename(path.dirname(l.path))}`;
    return [
      {
        label: `$(layers) Up to layer ${l.index}`,
        description: `merged view of layer ${l.index} and those below · ${what}`,
        view: { layer: l.index, merged: true },
      },
      {
        label: `$(file) Layer ${l.index} alone`,
        description: `what layer ${l.index} holds itself, whiteouts too · ${what}`,
        view: { layer: l.index, merged: false },
      },
    ];
  });
  return (
    await vscode.window.showQuickPick(items, { placeHolder: 'Which layer view? (layer 0 is the top-most)', matchOnDescription: true })
  )?.view;
}

/** A file picked in a view of a container picked (or the row's). */
async function pickFile(nodes: NodeRegistry, el: TreeElement, askView: boolean): Promise<vscode.Uri | undefined> {
  const choice = await pickContainer(nodes, el);
  if (!choice) return undefined;
  if (!choice.session.agent) {
    tell(`${choice.session.label} is not connected`);
    return undefined;
  }
  const layers = (choice.container.rootfs?.layers ?? []).filter((l) => l.role !== 'data');
  if (!layers.length) {
    tell(`${choice.container.name}'s root is not an overlay: it has no layers`);
    return undefined;
  }
  const view = askView ? await pickView(layers) : { layer: 0, merged: true };
  if (!view) return undefined;
  const picked = await vscode.window.showOpenDialog({
    title: `Open a file of ${choice.container.name}, ${viewLabel(view)} (read-only)`,
    defaultUri: containerFileUri(choice.session.id, choice.container, '/', view),
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    openLabel: 'Open',
  });
  return picked?.[0];
}

/** The file a compare command is about: its argument, the active Nodescope editor's, else one picked. */
async function fileToCompare(nodes: NodeRegistry, arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri && arg.scheme === FILES_SCHEME) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (!arg && active?.scheme === FILES_SCHEME) return active;
  return pickFile(nodes, arg as TreeElement, false);
}

async function statOf(nodes: NodeRegistry, uri: vscode.Uri, view: LayerViewRef): Promise<LayerFileStat> {
  const ref = parseFileUri(uri);
  const client = nodes.get(ref.nodeId)?.agent;
  if (!client) throw new Error(`${nodes.get(ref.nodeId)?.label ?? ref.nodeId} is not connected`);
  return client.request('layerFiles.stat', { target: ref.containerId, ...view, path: ref.file ?? '/' });
}

/** The view a URI shows: its own, or the container's whole stack for the container's own view. */
function viewOfUri(uri: vscode.Uri): LayerViewRef {
  return parseFileUri(uri).view ?? { layer: 0, merged: true };
}

/** vscode.diff of the file as `left` shows it against `right`, once the left side exists. */
async function diff(nodes: NodeRegistry, right: vscode.Uri, left: LayerViewRef, missing: string): Promise<void> {
  const leftUri = inView(right, left);
  try {
    await statOf(nodes, leftUri, left);
  } catch (err) {
    if (/no such file/.test((err as Error).message)) return tell(missing);
    throw err;
  }
  const name = path.posix.basename(parseFileUri(right).file ?? '/');
  const rightView = parseFileUri(right).view;
  const title = `${name} (${viewLabel(left)}) ↔ ${name} (${rightView ? viewLabel(rightView) : 'as the container sees it'})`;
  await vscode.commands.executeCommand('vscode.diff', leftUri, right, title, { preview: true });
}

async function compareWithLayerBelow(nodes: NodeRegistry, uri: vscode.Uri): Promise<void> {
  const st = await statOf(nodes, uri, viewOfUri(uri));
  const file = parseFileUri(uri).file ?? '/';
  const served = st.marks.layer;
  if (served >= st.bottomLayer) return tell(`${file} comes from layer ${served}, the bottom one: no layer below to compare with`);
  await diff(nodes, uri, { layer: served + 1, merged: true }, `${file} is added by layer ${served}: the layers below do not have it`);
}

async function compareWithImage(nodes: NodeRegistry, uri: vscode.Uri): Promise<void> {
  const st = await statOf(nodes, uri, viewOfUri(uri));
  const file = parseFileUri(uri).file ?? '/';
  if (st.imageLayer === null) return tell(`no image layer is known under ${file}: nothing to compare with`);
  await diff(nodes, uri, { layer: st.imageLayer, merged: true }, `${file} is not in the image: the container added it`);
}

/** Runs a command's body with its failure as one line. */
function oneLine(run: () => Promise<void>): Promise<void> {
  return run().catch((err: unknown) => void vscode.window.showErrorMessage(`Nodescope: ${reason(err)}`));
}

export function registerLayerFileCommands(context: vscode.ExtensionContext, nodes: NodeRegistry): void {
  context.subscriptions.push(
    vscode.window.registerFileDecorationProvider(new LayerDecorations(nodes)),
    vscode.commands.registerCommand('nodescope.openLayerFile', (el?: TreeElement) =>
      oneLine(async () => {
        const picked = await pickFile(nodes, el, true);
        if (!picked) return;
        try {
          await vscode.window.showTextDocument(picked, { preview: true });
        } catch (err) {
          throw new Error(`cannot open ${picked.path}: ${reason(err)}`, { cause: err });
        }
      }),
    ),
    vscode.commands.registerCommand('nodescope.compareWithLayerBelow', (arg?: unknown) =>
      oneLine(async () => {
        const uri = await fileToCompare(nodes, arg);
        if (uri) await compareWithLayerBelow(nodes, uri);
      }),
    ),
    vscode.commands.registerCommand('nodescope.compareWithImage', (arg?: unknown) =>
      oneLine(async () => {
        const uri = await fileToCompare(nodes, arg);
        if (uri) await compareWithImage(nodes, uri);
      }),
    ),
  );
}
