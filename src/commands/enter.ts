/**
 * "Enter Namespaces…" on a container, one of its namespaces, or one of its processes, as root with the
 * first shell found; "Enter Namespaces as…" asks first which of the container's shells and users (read
 * from its own root by the agent: enter.options).
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import type { EnterOptions } from '../../server/protocol';
import { enterTerminal } from '../terminal/enterTerminal';
import { CommandFailure, failingAs } from './commandFailure';
import { registerNodescopeCommand, showFailure, type CommandContext, type ContainerTarget } from './registerCommand';

export function registerEnterCommand(extension: vscode.ExtensionContext, nodes: NodeRegistry): void {
  const context: CommandContext = { extension, nodes };
  registerNodescopeCommand(context, 'nodescope.enter', (target) => openTerminal(context, target, {}), { target: 'container' });
  registerNodescopeCommand(
    context,
    'nodescope.enterAs',
    async (target) => {
      const name = target.container.name;
      const options = await failingAs(`cannot enter ${name}`, () =>
        target.client.request('enter.options', { container: target.container.id, pid: target.pid }),
      );
      const as = await askShellAndUser(name, options);
      if (as) openTerminal(context, target, as);
      else context.nodes.log.info(`enter ${name}: cancelled at the shell or user pick`);
    },
    { target: 'container' },
  );
}

function openTerminal(context: CommandContext, target: ContainerTarget, as: { shell?: string; user?: string }): void {
  const { container, session } = target;
  const log = context.nodes.log;
  const who = as.user ? ` as ${as.user}` : '';
  log.info(`enter ${container.name} on ${session.label}${who}${as.shell ? ` with ${as.shell}` : ''}: opening a terminal`);
  const pty = enterTerminal(
    target.client,
    container,
    target.pid,
    // The terminal says it too; the notification is the wrapper's one line.
    (msg) => showFailure(context, 'nodescope.enter', new CommandFailure(`cannot enter ${container.name}: ${msg}`)),
    as,
    (code) =>
      log.info(
        `enter ${container.name} on ${session.label}${who}: ${code === undefined ? 'closed before the shell ran' : `the shell exited with code ${code}`}`,
      ),
  );
  const terminal = vscode.window.createTerminal({
    name: `${container.name}${who} (${session.label})`,
    pty,
    iconPath: new vscode.ThemeIcon('vm-running'),
  });
  terminal.show();
}

/** Two quick picks: a shell of the container, then one of its users (root first). undefined = cancelled; no shell at all fails. */
async function askShellAndUser(name: string, o: EnterOptions): Promise<{ shell: string; user?: string } | undefined> {
  if (!o.shells.length)
    throw new CommandFailure(`${name} has no shell in its root; use Enter Namespaces with a command from the CLI instead`);
  const shell = await vscode.window.showQuickPick(
    o.shells.map((s, i) => ({ label: s, description: i === 0 ? 'default' : undefined })),
    { title: `Enter ${name}: shell`, placeHolder: `Shells in ${name}'s root`, ignoreFocusOut: true },
  );
  if (!shell) return undefined;
  const users = o.users.length ? o.users : [{ name: 'root', uid: 0, gid: 0, home: '/root', shell: '' }];
  const noPasswd = o.problems?.find((p) => p.source === '/etc/passwd');
  const user = await vscode.window.showQuickPick(
    users.map((u) => ({ label: u.name, description: `uid ${u.uid} · gid ${u.gid}`, detail: u.home || undefined })),
    {
      title: `Enter ${name}: user`,
      ignoreFocusOut: true,
      placeHolder: noPasswd ? `${name} has no readable /etc/passwd (${noPasswd.message}): root only` : `Users of ${name}'s /etc/passwd`,
    },
  );
  // Without a passwd, root is nsenter's default: no --setuid to look up.
  return user ? { shell: shell.label, user: o.users.length ? user.label : undefined } : undefined;
}
