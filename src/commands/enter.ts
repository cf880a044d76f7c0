/**
 * "Enter Namespaces…" on a container, one of its namespaces, or one of its processes, as root with the
 * first shell found; "Enter Namespaces as…" asks first which of the container's shells and users (read
 * from its own root by the agent: enter.options); "Enter Some Namespaces…" asks which namespaces (a
 * multi-select; without mnt the shell is the node's own, in the node's files).
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import { NS_TYPES, type EnterOptions, type EnterPlan, type NsType } from '../../server/protocol';
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
  registerNodescopeCommand(
    context,
    'nodescope.enterNamespaces',
    async (target) => {
      const namespaces = await askNamespaces(target.container.name);
      if (namespaces) openTerminal(context, target, { namespaces });
      else context.nodes.log.info(`enter ${target.container.name}: cancelled at the namespace pick`);
    },
    { target: 'container' },
  );
}

function openTerminal(
  context: CommandContext,
  target: ContainerTarget,
  as: { shell?: string; user?: string; namespaces?: NsType[] },
): void {
  const { container, client, pid } = target;
  const who = as.user ? ` as ${as.user}` : '';
  const some = as.namespaces ? ` (${as.namespaces.join(', ')})` : '';
  openContainerTerminal(context, target, {
    verb: 'enter',
    id: 'nodescope.enter',
    suffix: `${who}${some}`,
    detail: as.shell ? ` with ${as.shell}` : '',
    plan: () => client.request('enter.plan', { container: container.id, pid, shell: as.shell, user: as.user, namespaces: as.namespaces }),
  });
}

/**
 * A terminal running a plan's argv on the container's node (enter, debug), logged as `verb` and named
 * for the container, what `suffix` adds and the node. A start that fails is said once, as the command `id`.
 */
export function openContainerTerminal(
  context: CommandContext,
  target: ContainerTarget,
  how: { verb: string; id: string; suffix: string; detail: string; plan: () => Promise<EnterPlan> },
): void {
  const { container, session } = target;
  const log = context.nodes.log;
  const what = `${how.verb} ${container.name} on ${session.label}${how.suffix}`;
  log.info(`${what}${how.detail}: opening a terminal`);
  const pty = enterTerminal(
    target.client,
    container,
    how.plan,
    // The terminal says it too; the notification is the wrapper's one line.
    (msg) => showFailure(context, how.id, new CommandFailure(`cannot ${how.verb} ${container.name}: ${msg}`)),
    (code) => log.info(`${what}: ${code === undefined ? 'closed before the shell ran' : `the shell exited with code ${code}`}`),
  );
  const terminal = vscode.window.createTerminal({
    name: `${container.name}${how.suffix} (${session.label})`,
    pty,
    iconPath: new vscode.ThemeIcon('vm-running'),
  });
  terminal.show();
}

/**
 * A multi-select of the eight namespace types, none picked: undefined when cancelled or none chosen
 * (the agent refuses an empty set too). Without mnt the shell is the node's.
 */
async function askNamespaces(name: string): Promise<NsType[] | undefined> {
  const about: Record<NsType, string> = {
    cgroup: 'cgroup root',
    ipc: 'System V IPC, POSIX message queues',
    mnt: "its files: without it, the node's files and shell",
    net: 'interfaces, routes, sockets',
    pid: 'process IDs (ps reads /proc: its own with mnt)',
    time: 'boot and monotonic clock offsets',
    user: 'user and group IDs',
    uts: 'hostname',
  };
  const picked = await vscode.window.showQuickPick(
    NS_TYPES.map((t) => ({ label: t, description: about[t] })),
    { title: `Enter ${name}: which namespaces`, placeHolder: 'Pick one or more', canPickMany: true, ignoreFocusOut: true },
  );
  return picked?.length ? picked.map((p) => p.label) : undefined;
}

/** Two quick picks: a shell of the container, then one of its users (root first). undefined = cancelled; no shell at all fails. */
async function askShellAndUser(name: string, o: EnterOptions): Promise<{ shell: string; user?: string } | undefined> {
  if (!o.shells.length)
    throw new CommandFailure(
      `${name} has no shell in its root; Debug Shell… brings one (a busybox of the node), or use the CLI with a command`,
    );
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
