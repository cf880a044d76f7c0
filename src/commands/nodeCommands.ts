/** Connect, disconnect, refresh, add a node, show the log. */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { hostBlockFor, listConfiguredHosts, parseSshCommandLine, readSshConfig } from '../connection/sshConfig';
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
}

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
  const writeBlock = `Add a Host block to ${configFile}`;
  const keep = 'Keep in Nodescope settings only';
  const choice = await vscode.window.showQuickPick([writeBlock, keep], { title: `Add ${d.user ? `${d.user}@` : ''}${d.host}` });
  if (!choice) return;
  if (d.ignored.length) void vscode.window.showWarningMessage(`Nodescope: not carried over from the ssh command: ${d.ignored.join(' ')}`);
  if (choice === keep) {
    // A key or a jump host cannot be said as user@host:port: then the command line itself is kept.
    const plain = `${d.user ? `${d.user}@` : ''}${d.host}${d.port ? `:${d.port}` : ''}`;
    const dest = d.identityFile || d.jump ? input.trim() : plain;
    const cfg = vscode.workspace.getConfiguration('nodescope');
    await cfg.update('hosts', [...new Set([...cfg.get<string[]>('hosts', []), dest])], vscode.ConfigurationTarget.Global);
  } else {
    // ssh takes the first Host block that matches: a second block with a name already in use would be
    // silently ignored, so refuse the name here.
    let taken = new Set<string>();
    try {
      taken = new Set(listConfiguredHosts(readSshConfig(sshConfigFiles())));
    } catch (err) {
      nodes.log.warn(`cannot read the SSH config to check the alias: ${(err as Error).message}`);
    }
    const alias = await vscode.window.showInputBox({
      title: 'Host alias',
      value: d.host.split('.')[0],
      ignoreFocusOut: true,
      validateInput: (v) => (taken.has(v) ? `Host ${v} is already in the SSH config; pick another name` : null),
    });
    if (!alias) return;
    let block: string;
    try {
      block = hostBlockFor(alias, d);
    } catch (err) {
      void vscode.window.showErrorMessage(`Nodescope: ${(err as Error).message}`);
      return;
    }
    fs.mkdirSync(path.dirname(configFile), { recursive: true, mode: 0o700 });
    const before = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : '';
    fs.writeFileSync(configFile, `${before}${before && !before.endsWith('\n') ? '\n' : ''}\n${block}\n`, { mode: 0o600 });
    nodes.log.info(`added Host ${alias} to ${configFile}`);
  }
  nodes.reload();
}
