/** One status bar item per node that is connected or trying to be: its state at a glance. */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';

export function connectionStatusItems(nodes: NodeRegistry): vscode.Disposable {
  const items = new Map<string, vscode.StatusBarItem>();
  const update = (): void => {
    for (const s of nodes.all) {
      let item = items.get(s.id);
      const show = s.state !== 'disconnected' || s.reason !== null;
      if (!show) {
        item?.dispose();
        items.delete(s.id);
        continue;
      }
      if (!item) {
        item = vscode.window.createStatusBarItem(`nodescope.node.${s.id}`, vscode.StatusBarAlignment.Left, 10);
        item.name = `Nodescope: ${s.label}`;
        item.command = 'workbench.view.extension.nodescope';
        items.set(s.id, item);
      }
      const icon = { connected: '$(vm-active)', connecting: '$(sync~spin)', reconnecting: '$(sync~spin)', disconnected: '$(vm-outline)' }[s.state];
      item.text = `${icon} ${s.label}`;
      item.tooltip = `Nodescope: ${s.label} — ${s.state}${s.reason ? `: ${s.reason}` : ''}`;
      item.backgroundColor = s.state === 'disconnected' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      item.show();
    }
  };
  const sub = nodes.onDidChange(update);
  update();
  return { dispose: () => (sub.dispose(), items.forEach((i) => i.dispose())) };
}
