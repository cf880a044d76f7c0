/** Connect, disconnect, refresh, add and remove a node, show the log. */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { hostBlockFor, listConfiguredHosts, parseSshCommandLine, readSshConfig } from '../connection/sshConfig';
import type { NodeSession } from '../model/nodeSession';
import type { NodeRegistry } from '../nodes/registry';
import { sshConfigFiles } from '../nodes/registry';
import type { NodeElement } from '../views/nodesView';
import { pickNode } from './pick';

export function registerNodeCommands(context: vscode.ExtensionContext, nodes: NodeRegistry): void {
  const reg = (id: string, fn: (el?: NodeElement) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  reg('nodescope.connect', async (el) => {
    const s = await pickNode(nodes, el, (x) => x.state === 'disconnected');
    if (s) await nodes.connect(s);
  });
  reg('nodescope.disconnect', async (el) => {
    const s = await pickNode(nodes, el, (x) => x.state !== 'disconnected');
    if (s) await s.disconnect();
  });
  reg('nodescope.refresh', async (el) => {
    const targets = el ? [el.session] : nodes.all.filter((s) => s.state === 'connected');
    nodes.reload();
    for (const s of targets) {
      await s.refresh().catch((err: Error) => vscode.window.showErrorMessage(`Nodescope: ${s.label}: ${err.message}`));
    }
  });
  reg('nodescope.showLog', () => nodes.log.show());
  reg('nodescope.addNode', () => addNode(nodes));
  reg('nodescope.removeNode', async (el) => {
    const s = await pickNode(nodes, el, () => true, true);
    if (s) await removeNode(nodes, s);
  });
}

/**
 * "Add Node…": a destination, then where to keep it. Nodescope's own setting (`nodescope.hosts`) is the
 * default, the first item that Enter takes; a Host block in the user's SSH config is the explicit second
 * choice, because that file is the user's and every other ssh tool reads it. The new node connects at once.
 */
async function addNode(nodes: NodeRegistry): Promise<void> {
  const input = await vscode.window.showInputBox({
    title: 'Nodescope: Add Node',
    prompt: 'user@host[:port], or a whole ssh command line',
    placeHolder: 'root@node1.example:22   or   ssh -p 2222 -J bastion admin@10.0.0.5',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        parseSshCommandLine(v);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  if (!input) return;
  const d = parseSshCommandLine(input);
  const configFile = sshConfigFiles()[0];
  const keep = { label: 'Keep in Nodescope\'s settings', description: 'nodescope.hosts', detail: 'Only Nodescope lists this node; your SSH config is not touched.' };
  const writeBlock = { label: `Add a Host block to ${configFile}`, description: 'edits your SSH config', detail: 'ssh and every other tool that reads the SSH config will know this host too.' };
  const choice = await vscode.window.showQuickPick([keep, writeBlock], { title: `Add ${d.user ? `${d.user}@` : ''}${d.host}: where to keep it`, ignoreFocusOut: true });
  if (!choice) return;
  if (d.ignored.length) void vscode.window.showWarningMessage(`Nodescope: not carried over from the ssh command: ${d.ignored.join(' ')}`);
  let id: string;
  if (choice === keep) {
    // A key or a jump host cannot be said as user@host:port: then the command line itself is kept.
    const plain = `${d.user ? `${d.user}@` : ''}${d.host}${d.port ? `:${d.port}` : ''}`;
    const dest = d.identityFile || d.jump ? input.trim() : plain;
    const cfg = vscode.workspace.getConfiguration('nodescope');
    await cfg.update('hosts', [...new Set([...cfg.get<string[]>('hosts', []), dest])], vscode.ConfigurationTarget.Global);
    nodes.log.info(`added ${dest} to the setting nodescope.hosts`);
    id = `ssh:${dest}`;
  } else {
    const alias = await writeHostBlock(nodes, configFile, d);
    if (!alias) return;
    id = `ssh:${alias}`;
  }
  nodes.reload();
  const session = nodes.get(id);
  if (session && session.state === 'disconnected') await nodes.connect(session);
}

/** Appends `Host <alias>` for the destination to the user's SSH config; the alias, or undefined when cancelled. */
async function writeHostBlock(nodes: NodeRegistry, configFile: string, d: ReturnType<typeof parseSshCommandLine>): Promise<string | undefined> {
  // ssh takes the first Host block that matches: a second block with a name already in use would be
  // silently ignored, so refuse the name here.
  let taken = new Set<string>();
  try {
    taken = new Set(listConfiguredHosts(readSshConfig(sshConfigFiles())));
  } catch (err) {
    nodes.log.warn(`cannot read the SSH config to check the alias: ${(err as Error).message}`);
  }
  const alias = await vscode.window.showInputBox({
    title: `Host alias in ${configFile}`,
    value: d.host.split('.')[0],
    ignoreFocusOut: true,
    validateInput: (v) => (taken.has(v) ? `Host ${v} is already in the SSH config; pick another name` : null),
  });
  if (!alias) return undefined;
  let block: string;
  try {
    block = hostBlockFor(alias, d);
  } catch (err) {
    void vscode.window.showErrorMessage(`Nodescope: ${(err as Error).message}`);
    return undefined;
  }
  fs.mkdirSync(path.dirname(configFile), { recursive: true, mode: 0o700 });
  const before = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : '';
  fs.writeFileSync(configFile, `${before}${before && !before.endsWith('\n') ? '\n' : ''}\n${block}\n`, { mode: 0o600 });
  nodes.log.info(`added Host ${alias} to ${configFile}`);
  // A name hidden earlier with Remove Node is wanted again now.
  const cfg = vscode.workspace.getConfiguration('nodescope');
  const hidden = cfg.inspect<string[]>('hiddenHosts')?.globalValue ?? [];
  if (hidden.includes(alias)) await cfg.update('hiddenHosts', hidden.filter((h) => h !== alias), vscode.ConfigurationTarget.Global);
  return alias;
}

/**
 * "Remove Node": undoes where the node came from. A line of `nodescope.hosts` is taken out (in the user's
 * or the workspace's settings, wherever it is); a Host of the SSH config is hidden through
 * `nodescope.hiddenHosts`, since the SSH config is the user's and other tools read it; This machine is
 * hidden through `nodescope.showThisMachine`. The reload that follows disconnects the node. Undo puts the
 * setting back as it was.
 */
async function removeNode(nodes: NodeRegistry, s: NodeSession): Promise<void> {
  const origin = nodes.origin(s.id);
  if (!origin) return;
  const cfg = vscode.workspace.getConfiguration('nodescope');
  const global = vscode.ConfigurationTarget.Global;
  if (origin.kind === 'setting') {
    const where = cfg.inspect<string[]>('hosts');
    const inWorkspace = where?.workspaceValue?.includes(origin.dest) ?? false;
    const before = (inWorkspace ? where?.workspaceValue : where?.globalValue) ?? [];
    const target = inWorkspace ? vscode.ConfigurationTarget.Workspace : global;
    return changeSetting(nodes, { key: 'hosts', target, before, after: before.filter((h) => h !== origin.dest) }, `removed ${s.label} (its line of the setting nodescope.hosts)`);
  }
  if (origin.kind === 'sshConfig') {
    const before = cfg.inspect<string[]>('hiddenHosts')?.globalValue ?? [];
    return changeSetting(nodes, { key: 'hiddenHosts', target: global, before, after: [...before, origin.alias] }, `${s.label} is no longer listed (added to the setting nodescope.hiddenHosts; your SSH config is unchanged)`);
  }
  const before = cfg.inspect<boolean>('showThisMachine')?.globalValue;
  return changeSetting(nodes, { key: 'showThisMachine', target: global, before, after: false }, 'This machine is no longer listed (the setting nodescope.showThisMachine is off)');
}

async function changeSetting(nodes: NodeRegistry, c: { key: string; target: vscode.ConfigurationTarget; before: unknown; after: unknown }, said: string): Promise<void> {
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
