/**
 * Copy id, Inspect (the raw JSON in a read-only editor), "which layer provides a path" (whence), and
 * a container's changes against its image (diff); the last two in the CLI's words (src/cli/render.ts,
 * which has no vscode import), so the editor and the terminal say the same thing.
 * Read-only documents come from a TextDocumentContentProvider: untitled documents would be editable.
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import type { NodeElement } from '../views/nodesView';
import { pickContainer } from './pick';
import { renderDiff, renderWhence } from '../cli/render';

const SCHEME = 'nodescope-inspect';

export function registerItemCommands(context: vscode.ExtensionContext, nodes: NodeRegistry): void {
  const docs = new Map<string, string>();
  const provider: vscode.TextDocumentContentProvider = { provideTextDocumentContent: (uri) => docs.get(uri.toString()) ?? '' };
  let seq = 0;
  const showText = async (name: string, text: string, language: string): Promise<void> => {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${name.replace(/[^\w.:-]+/g, '_')}.${language === 'json' ? 'json' : 'txt'}`, query: String(++seq) });
    docs.set(uri.toString(), text);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(doc, { preview: true });
  };
  const show = (name: string, value: unknown): Promise<void> => showText(name, `${JSON.stringify(value, null, 2)}\n`, 'json');
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider),
    vscode.commands.registerCommand('nodescope.copyId', async (el?: NodeElement) => {
      const text = el?.desc?.copyText ?? (await pickContainer(nodes, el))?.container.id;
      if (text) await vscode.env.clipboard.writeText(text);
    }),
    vscode.commands.registerCommand('nodescope.inspect', async (el?: NodeElement) => {
      if (el?.desc?.inspect !== undefined) return show(el.desc.label, el.desc.inspect);
      const choice = await pickContainer(nodes, el);
      if (choice) await show(choice.container.name, choice.container);
    }),
    vscode.commands.registerCommand('nodescope.diff', async (el?: NodeElement) => {
      const choice = await pickContainer(nodes, el);
      const client = choice?.session.agent;
      if (!choice || !client) return;
      try {
        const d = await client.request('container.diff', { container: choice.container.id });
        // The lines docker diff prints (A added, C changed, D deleted), for any engine's overlay container.
        await showText(`changes ${choice.container.name}`, `${renderDiff(d)}\n`, 'plaintext');
      } catch (err) {
        void vscode.window.showErrorMessage(`Nodescope: ${(err as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('nodescope.whence', async (el?: NodeElement) => {
      const choice = await pickContainer(nodes, el);
      const client = choice?.session.agent;
      if (!choice || !client) return;
      const p = await vscode.window.showInputBox({ title: `Which layer provides… (${choice.container.name})`, prompt: 'An absolute path inside the container', value: '/etc/passwd', validateInput: (v) => (v.startsWith('/') ? null : 'the path must be absolute') });
      if (!p) return;
      try {
        // The CLI's words (renderWhence): which layer provides, deleted or hides the path, and where it still is.
        const w = await client.request('whence', { container: choice.container.id, path: p });
        await showText(`whence ${choice.container.name} ${p}`, `${renderWhence(w, choice.container.name)}\n`, 'plaintext');
      } catch (err) {
        void vscode.window.showErrorMessage(`Nodescope: ${(err as Error).message}`);
      }
    }),
  );
}
