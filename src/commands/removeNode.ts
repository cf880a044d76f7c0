/** "Remove Node": takes a node out of the list by undoing where it came from; Undo puts it back. */
import * as vscode from 'vscode';
import type { NodeSession } from '../model/nodeSession';
import type { NodeRegistry } from '../nodes/registry';

/**
 * "Remove Node": undoes where the node came from. A line of `nodescope.hosts` is taken out (in the user's
 * or the workspace's settings, wherever it is); a Host of the SSH config is hidden through
 * `nodescope.hiddenHosts`, since the SSH config is the user's and other tools read it; This machine is
 * hidden through `nodescope.showThisMachine`. The reload that follows disconnects the node. Undo puts the
 * setting back as it was.
 */
export async function removeNode(nodes: NodeRegistry, s: NodeSession): Promise<void> {
  const origin = nodes.origin(s.id);
  if (!origin) return;
  const cfg = vscode.workspace.getConfiguration('nodescope');
  const global = vscode.ConfigurationTarget.Global;
  if (origin.kind === 'setting') {
    const where = cfg.inspect<string[]>('hosts');
    const inWorkspace = where?.workspaceValue?.includes(origin.dest) ?? false;
    const before = (inWorkspace ? where?.workspaceValue : where?.globalValue) ?? [];
    const target = inWorkspace ? vscode.ConfigurationTarget.Workspace : global;
    return changeSetting(
      nodes,
      { key: 'hosts', target, before, after: before.filter((h) => h !== origin.dest) },
      `removed ${s.label} (its line of the setting nodescope.hosts)`,
    );
  }
  if (origin.kind === 'sshConfig') {
    const before = cfg.inspect<string[]>('hiddenHosts')?.globalValue ?? [];
    return changeSetting(
      nodes,
      { key: 'hiddenHosts', target: global, before, after: [...before, origin.alias] },
      `${s.label} is no longer listed (added to the setting nodescope.hiddenHosts; your SSH config is unchanged)`,
    );
  }
  const before = cfg.inspect<boolean>('showThisMachine')?.globalValue;
  return changeSetting(
    nodes,
    { key: 'showThisMachine', target: global, before, after: false },
    'This machine is no longer listed (the setting nodescope.showThisMachine is off)',
  );
}

async function changeSetting(
  nodes: NodeRegistry,
  c: { key: string; target: vscode.ConfigurationTarget; before: unknown; after: unknown },
  said: string,
): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('nodescope');
  await cfg.update(c.key, c.after, c.target);
  nodes.reload();
  nodes.log.info(said);
  if ((await vscode.window.showInformationMessage(`Nodescope: ${said}`, 'Undo')) === 'Undo') {
    await cfg.update(c.key, c.before, c.target);
    nodes.reload();
    nodes.log.info(`undone: ${said}`);
  }
}
