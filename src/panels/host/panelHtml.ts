/**
 * The one HTML page every panel loads: CSP `default-src 'none'` with a nonce for its script, theme colours
 * from VS Code's variables (media/panels/base.css), codicons, and the panel's own bundle and stylesheet
 * (dist/webview/<script>.js, media/panels/<script>.css when present).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as vscode from 'vscode';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Panels keep their own state (setState) and are re-posted the model when shown again; keeping hidden
    // pages alive would hold every graph's DOM in memory.
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, script: string, title: string): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p));
  const own = vscode.Uri.joinPath(extensionUri, 'media', 'panels', `${script}.css`);
  const ownCss = fs.existsSync(own.fsPath) ? `<link rel="stylesheet" href="${uri('media', 'panels', `${script}.css`)}">` : '';
  // style-src needs 'unsafe-inline' for the custom elements' and cytoscape's inline styles; scripts stay nonce-only.
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; font-src ${webview.cspSource}; script-src 'nonce-${nonce}'; img-src ${webview.cspSource} data: blob:;">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${uri('dist', 'webview', 'codicons', 'codicon.css')}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${uri('media', 'panels', 'base.css')}">${ownCss}
<title>${escapeHtml(title)}</title></head>
<body><main id="root"><p class="muted">Loading…</p></main><script nonce="${nonce}" src="${uri('dist', 'webview', `${script}.js`)}"></script></body></html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
