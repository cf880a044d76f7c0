/**
 * Copy id, Inspect (the raw JSON in a read-only editor), "which layer provides a path" (whence), and
 * a container's changes against its image (diff); the last two in the CLI's words (src/cli/render.ts,
 * which has no vscode import), so the editor and the terminal say the same thing.
 * Read-only documents come from a TextDocumentContentProvider: untitled documents would be editable.
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import { renderDiff, renderWhence } from '../cli/render';
import { copyTextOf, inspectOf } from '../views/tree/itemTargets';
import { SnapshotIndex } from '../views/tree/snapshotIndex';
import { pickContainer } from './pick';
import { registerNodescopeCommand, type CommandContext } from './registerCommand';

const SCHEME = 'nodescope-inspect';

export function registerItemCommands(extension: vscode.ExtensionContext, nodes: NodeRegistry): void {
  const context: CommandContext = { extension, nodes };
  const docs = new Map<string, string>();
  const provider: vscode.TextDocumentContentProvider = { provideTextDocumentContent: (uri) => docs.get(uri.toString()) ?? '' };
  let seq = 0;
  const showText = async (name: string, text: string, language: string): Promise<void> => {
    const uri = vscode.Uri.from({
      scheme: SCHEME,
      path: `/${name.replace(/[^\w.:-]+/g, '_')}.${language === 'json' ? 'json' : 'txt'}`,
      query: String(++seq),
    });
    docs.set(uri.toString(), text);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(doc, { preview: true });
  };
  const show = (name: string, value: unknown): Promise<void> => showText(name, `${JSON.stringify(value, null, 2)}\n`, 'json');
  context.extension.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider));

  // Copy and Inspect read the node's last snapshot only: they work on a node that is not answering too.
  registerNodescopeCommand(context, 'nodescope.copyId', async (el) => {
    const text = (el?.item && copyTextOf(el.item)) ?? (await pickContainer(nodes, el))?.container.id;
    if (text) await vscode.env.clipboard.writeText(text);
  });
  registerNodescopeCommand(context, 'nodescope.inspect', async (el) => {
    const snap = el?.session.model.snapshot;
    const record = el?.item && snap ? inspectOf(el.item, new SnapshotIndex(snap)) : undefined;
    if (record) return show(record.name, record.value);
    const choice = await pickContainer(nodes, el);
    if (choice) await show(choice.container.name, choice.container);
  });
  registerNodescopeCommand(
    context,
    'nodescope.diff',
    async ({ client, container }) => {
      const d = await client.request('container.diff', { container: container.id });
      // The lines docker diff prints (A added, C changed, D deleted), for any engine's overlay container.
      await showText(`changes ${container.name}`, `${renderDiff(d)}\n`, 'plaintext');
    },
    { target: 'container' },
  );
  registerNodescopeCommand(
    context,
    'nodescope.whence',
    async ({ client, container }) => {
      const p = await vscode.window.showInputBox({
        title: `Which layer provides… (${container.name})`,
        prompt: 'An absolute path inside the container',
        value: '/etc/passwd',
        validateInput: (v) => (v.startsWith('/') ? null : 'the path must be absolute'),
      });
      if (!p) return;
      // The CLI's words (renderWhence): which layer provides, deleted or hides the path, and where it still is.
      const w = await client.request('whence', { container: container.id, path: p });
      await showText(`whence ${container.name} ${p}`, `${renderWhence(w, container.name)}\n`, 'plaintext');
    },
    { target: 'container' },
  );
}
