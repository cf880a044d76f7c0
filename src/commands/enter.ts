/**
 * "Enter Namespaces…" on a container, one of its namespaces, or one of its processes, as root with the
 * first shell found; "Enter Namespaces as…" asks first which of the container's shells and users (read
 * from its own root by the agent: enter.options).
 */
import * as vscode from 'vscode';
import type { EnterOptions } from '../../server/protocol';
import type { AgentClient } from '../connection/agentClient';
import type { NodeRegistry } from '../nodes/registry';
import { enterTerminal } from '../terminal/enterTerminal';
import type { NodeElement } from '../views/nodesView';
import { pickContainer, type ContainerChoice } from './pick';

export function registerEnterCommand(context: vscode.ExtensionContext, nodes: NodeRegistry): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('nodescope.enter', async (el?: NodeElement) => {
      const choice = await pickContainer(nodes, el);
      const client = choice && connected(choice);
      if (client) openTerminal(nodes, client, choice, {});
    }),
    vscode.commands.registerCommand('nodescope.enterAs', async (el?: NodeElement) => {
      const choice = await pickContainer(nodes, el);
      const client = choice && connected(choice);
      if (!client) return;
      let options: EnterOptions;
      try {
        options = await client.request('enter.options', { container: choice.container.id, pid: choice.pid });
      } catch (err) {
        void vscode.window.showErrorMessage(`Nodescope: cannot enter ${choice.container.name}: ${(err as Error).message}`);
        return;
      }
      const as = await askShellAndUser(choice.container.name, options);
      if (as) openTerminal(nodes, client, choice, as);
      else nodes.log.info(`enter ${choice.container.name}: cancelled at the shell or user pick`);
    }),
  );
}

function connected(choice: ContainerChoice): AgentClient | undefined {
  const client = choice.session.agent;
  if (!client) void vscode.window.showErrorMessage(`Nodescope: ${choice.session.label} is not connected`);
  return client ?? undefined;
}

function openTerminal(nodes: NodeRegistry, client: AgentClient, choice: ContainerChoice, as: { shell?: string; user?: string }): void {
  const who = as.user ? ` as ${as.user}` : '';
  nodes.log.info(`enter ${choice.container.name} on ${choice.session.label}${who}${as.shell ? ` with ${as.shell}` : ''}: opening a terminal`);
  const pty = enterTerminal(
    client,
    choice.container,
    choice.pid,
    (msg) => void vscode.window.showErrorMessage(`Nodescope: cannot enter ${choice.container.name}: ${msg}`),
    as,
    (code) => nodes.log.info(`enter ${choice.container.name} on ${choice.session.label}${who}: ${code === undefined ? 'closed before the shell ran' : `the shell exited with code ${code}`}`),
  );
  const terminal = vscode.window.createTerminal({ name: `${choice.container.name}${who} (${choice.session.label})`, pty, iconPath: new vscode.ThemeIcon('vm-running') });
  terminal.show();
}

/** Two quick picks: a shell of the container, then one of its users (root first). undefined = cancelled. */
async function askShellAndUser(name: string, o: EnterOptions): Promise<{ shell: string; user?: string } | undefined> {
  if (!o.shells.length) {
    void vscode.window.showErrorMessage(`Nodescope: ${name} has no shell in its root; use Enter Namespaces with a command from the CLI instead`);
    return undefined;
  }
  const shell = await vscode.window.showQuickPick(
    o.shells.map((s, i) => ({ label: s, description: i === 0 ? 'default' : undefined })),
    { title: `Enter ${name}: shell`, placeHolder: `Shells in ${name}'s root`, ignoreFocusOut: true },
  );
  if (!shell) return undefined;
  const users = o.users.length ? o.users : [{ name: 'root', uid: 0, gid: 0, home: '/root', shell: '' }];
  const noPasswd = o.problems?.find((p) => p.source === '/etc/passwd');
  const user = await vscode.window.showQuickPick(
    users.map((u) => ({ label: u.name, description: `uid ${u.uid} · gid ${u.gid}`, detail: u.home || undefined })),
    { title: `Enter ${name}: user`, ignoreFocusOut: true, placeHolder: noPasswd ? `${name} has no readable /etc/passwd (${noPasswd.message}): root only` : `Users of ${name}'s /etc/passwd` },
  );
  // Without a passwd, root is nsenter's default: no --setuid to look up.
  return user ? { shell: shell.label, user: o.users.length ? user.label : undefined } : undefined;
}
