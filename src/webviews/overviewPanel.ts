/**
 * The node overview panel's host side: one panel per node, fed from the node's model. The browser code
 * (src/webview-ui/panel.ts → dist/webview/panel.js) only renders what it is posted and posts intents back.
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { NodeSession } from '../model/nodeSession';
import type { FromWebview, ToWebview } from './messages';

const panels = new Map<string, vscode.WebviewPanel>();

export function showOverview(context: vscode.ExtensionContext, session: NodeSession): void {
  const existing = panels.get(session.id);
  if (existing) return existing.reveal();
  const panel = vscode.window.createWebviewPanel('nodescope.overview', `Nodescope: ${session.label}`, vscode.ViewColumn.Active, {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(context.extensionUri, 'media')],
  });
  panels.set(session.id, panel);
  panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'nodescope.svg');
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview', 'panel.js'));
  const css = panel.webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'media', 'panel.css'));
  panel.webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${panel.webview.cspSource}; script-src 'nonce-${nonce}'; img-src ${panel.webview.cspSource} data:;">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><link rel="stylesheet" href="${css}"><title>Nodescope</title></head>
<body><main id="root"><p class="muted">Loading ${escapeHtml(session.label)}…</p></main><script nonce="${nonce}" src="${script}"></script></body></html>`;

  let ready = false;
  const post = (m: ToWebview) => void panel.webview.postMessage(m);
  const push = (): void => {
    if (!ready) return;
    const snap = session.model.snapshot;
    if (snap && session.state === 'connected') post({ type: 'snapshot', node: session.label, snapshot: snap });
    else post({ type: 'disconnected', node: session.label, reason: session.reason });
  };
  // Both listeners go with the panel: posting to a disposed webview throws.
  const unsubscribe = [session.model.onDidChange(push), session.onDidChangeState(push)];
  panel.webview.onDidReceiveMessage((m: FromWebview) => {
    if (m.type === 'ready') {
      ready = true;
      push();
    } else if (m.type === 'enter' || m.type === 'inspect') {
      const desc = { containerId: m.containerId };
      void vscode.commands.executeCommand(`nodescope.${m.type}`, { session, desc: { ...desc, id: m.containerId, kind: 'container', label: '', expandable: false } });
    }
  });
  panel.onDidDispose(() => {
    unsubscribe.forEach((u) => u());
    panels.delete(session.id);
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
