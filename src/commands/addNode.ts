/**
 * "Add Node…": a destination typed as user@host[:port] or a whole ssh command line, kept in Nodescope's
 * settings or as a Host block of the user's SSH config.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { listConfiguredHosts, parseSshCommandLine, readSshConfig } from '../connection/sshConfig';
import { withHostBlock } from '../connection/sshConfigWrite';
import type { NodeRegistry } from '../nodes/registry';
import { sshConfigFiles } from '../nodes/registry';

/**
 * "Add Node…": a destination, then where to keep it. Nodescope's own setting (`nodescope.hosts`) is the
 * default, the first item that Enter takes; a Host block in the user's SSH config is the explicit second
 * choice, because that file is the user's and every other ssh tool reads it. The new node connects at once.
 */
export async function addNode(nodes: NodeRegistry): Promise<void> {
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
  const keep = {
    label: "Keep in Nodescope's settings",
    description: 'nodescope.hosts',
    detail: 'Only Nodescope lists this node; your SSH config is not touched.',
  };
  const writeBlock = {
    label: `Add a Host block to ${configFile}`,
    description: 'edits your SSH config',
    detail: 'ssh and every other tool that reads the SSH config will know this host too.',
  };
  const choice = await vscode.window.showQuickPick([keep, writeBlock], {
    title: `Add ${d.user ? `${d.user}@` : ''}${d.host}: where to keep it`,
    ignoreFocusOut: true,
  });
  if (!choice) return;
  if (d.ignored.length) void vscode.window.showWarningMessage(`Nodescope: not carried over from the ssh command: ${d.ignored.join(' ')}`);
  let id: string;
  if (choice === keep) {
    // A key, a jump host or a ProxyCommand cannot be said as user@host:port: then the command line itself is kept.
    const plain = `${d.user ? `${d.user}@` : ''}${d.host}${d.port ? `:${d.port}` : ''}`;
    const dest = d.identityFile || d.jump || d.proxyCommand ? input.trim() : plain;
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

/**
 * Adds `Host <alias>` for the destination after the user's SSH config, whose own text, comments and
 * indents stay as they were (src/connection/sshConfigWrite.ts); the alias, or undefined when cancelled.
 */
async function writeHostBlock(
  nodes: NodeRegistry,
  configFile: string,
  d: ReturnType<typeof parseSshCommandLine>,
): Promise<string | undefined> {
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
  const before = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : '';
  let after: string;
  try {
    after = withHostBlock(before, alias, d);
  } catch (err) {
    void vscode.window.showErrorMessage(`Nodescope: ${(err as Error).message}`);
    return undefined;
  }
  fs.mkdirSync(path.dirname(configFile), { recursive: true, mode: 0o700 });
  fs.writeFileSync(configFile, after, { mode: 0o600 });
  nodes.log.info(`added Host ${alias} to ${configFile}`);
  // A name hidden earlier with Remove Node is wanted again now.
  const cfg = vscode.workspace.getConfiguration('nodescope');
  const hidden = cfg.inspect<string[]>('hiddenHosts')?.globalValue ?? [];
  if (hidden.includes(alias))
    await cfg.update(
      'hiddenHosts',
      hidden.filter((h) => h !== alias),
      vscode.ConfigurationTarget.Global,
    );
  return alias;
}
