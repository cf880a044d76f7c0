/**
 * One status bar item per node that is connected or trying to be: its real state at a glance (live,
 * stale since when, restarting, failed), in nodeHealth.ts's words. On a node that is not live, a click
 * is Retry; otherwise it opens the Nodes view.
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import { describeHealth, type NodeHealth } from '../model/nodeHealth';

const ICONS: Record<NodeHealth['kind'], string> = {
  live: '$(vm-active)',
  stale: '$(warning)',
  restarting: '$(sync~spin)',
  connecting: '$(sync~spin)',
  failed: '$(error)',
  off: '$(vm-outline)',
};

export function connectionStatusItems(nodes: NodeRegistry): vscode.Disposable {
  const items = new Map<string, vscode.StatusBarItem>();
  const update = (): void => {
    for (const s of nodes.all) {
      let item = items.get(s.id);
      const health = s.health;
      if (health.kind === 'off') {
        item?.dispose();
        items.delete(s.id);
        continue;
      }
      if (!item) {
        item = vscode.window.createStatusBarItem(`nodescope.node.${s.id}`, vscode.StatusBarAlignment.Left, 10);
        item.name = `Nodescope: ${s.label}`;
        items.set(s.id, item);
      }
      const words = describeHealth(health);
      // The error itself can be long: the bar says "failed", the tooltip says what failed.
      const short = health.kind === 'failed' ? 'failed' : words.short;
      item.text = `${ICONS[health.kind]} ${s.label}${health.kind === 'live' || health.kind === 'connecting' ? '' : `: ${short}`}`;
      item.tooltip = `Nodescope: ${s.label} — ${words.detail}`;
      item.backgroundColor =
        words.level === 'error'
          ? new vscode.ThemeColor('statusBarItem.errorBackground')
          : health.kind === 'stale' || health.kind === 'restarting'
            ? new vscode.ThemeColor('statusBarItem.warningBackground')
            : undefined;
      item.command =
        health.kind === 'stale' || health.kind === 'restarting' || health.kind === 'failed'
          ? { command: 'nodescope.retry', title: 'Retry', arguments: [{ session: s }] }
          : 'workbench.view.extension.nodescope';
      item.show();
    }
    for (const [id, item] of items) {
      if (nodes.get(id)) continue;
      item.dispose();
      items.delete(id);
    }
  };
  const sub = nodes.onDidChange(update);
  update();
  return { dispose: () => (sub.dispose(), items.forEach((i) => i.dispose())) };
}
