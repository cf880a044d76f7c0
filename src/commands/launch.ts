/**
 * "Launch Test Container from Its Image…" on a container: a name, options typed as on the command line
 * (`--memory 64m --pids 50 --read-only`…, one parser for both), a command, then a modal with what the
 * agent's dry run says it will start. "Stop and Remove Test Container" on one Nodescope launched. Only
 * the modals' buttons change the node.
 */
import * as vscode from 'vscode';
import type { NodeRegistry } from '../nodes/registry';
import type { LaunchParams } from '../../server/protocol';
import { OptionError, splitWords, takeContainerOptions, type ContainerOptions } from '../cli/containerOptions';
import { renderLaunch } from '../cli/render';
import { pinLaunch } from '../cli/launchPin';
import { checkedBy } from './inputCheck';
import { confirmThenApply, registerNodescopeCommand, type CommandContext, type ContainerTarget } from './registerCommand';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** The options box's words as launch options; a string is what is wrong with them. */
function optionsOf(text: string): ContainerOptions | string {
  try {
    const { options, rest } = takeContainerOptions(text.split(/\s+/).filter(Boolean), 'launch');
    if (options.name !== undefined) return 'the name has its own box';
    return rest.length
      ? `not an option here: ${rest[0]} (use --memory, --pids, --cpus, --read-only, --tmpfs, --share-ns, --hostname, --cap-drop, --cap-add, --user-ns, --env)`
      : options;
  } catch (err) {
    return err instanceof OptionError ? err.message : String(err);
  }
}

async function ask(choice: ContainerTarget): Promise<LaunchParams | undefined> {
  const from = choice.container.name;
  const title = `Launch a test container from ${from}'s image`;
  const name = await vscode.window.showInputBox({
    title,
    ignoreFocusOut: true,
    prompt: "Its name (runc's id and its hostname)",
    value: `${from.replace(/[^A-Za-z0-9_.-]/g, '-')}-test`,
    validateInput: (v) => (NAME.test(v) ? null : 'letters, digits, _ . - (at most 63), starting with a letter or digit'),
  });
  if (name === undefined) return undefined;
  const optionsText = await vscode.window.showInputBox({
    title,
    ignoreFocusOut: true,
    prompt: 'Options as on the command line, e.g. --memory 64m --pids 50 --cpus 0.5 --read-only --tmpfs /tmp:16m (empty: no limits)',
    validateInput: (v) => {
      const o = optionsOf(v);
      return typeof o === 'string' ? o : null;
    },
  });
  if (optionsText === undefined) return undefined;
  const command = await vscode.window.showInputBox({
    title,
    ignoreFocusOut: true,
    prompt: `The command, quoted as in a shell: sh -c 'sleep 600' (empty: what ${from} runs)`,
    validateInput: checkedBy(splitWords),
  });
  if (command === undefined) return undefined;
  const words = splitWords(command);
  return { from: choice.container.id, name, ...(optionsOf(optionsText) as ContainerOptions), command: words.length ? words : undefined };
}

export function registerLaunchCommands(extension: vscode.ExtensionContext, nodes: NodeRegistry): void {
  const context: CommandContext = { extension, nodes };
  registerNodescopeCommand(context, 'nodescope.launch', (target) => launch(context, target), { target: 'container' });
  registerNodescopeCommand(context, 'nodescope.stopLaunched', (target) => stopLaunched(context, target), { target: 'container' });
}

async function launch(context: CommandContext, target: ContainerTarget): Promise<void> {
  const params = await ask(target);
  if (!params) return;
  const from = target.container.name;
  const on = target.session.label;
  await confirmThenApply(context, target, {
    method: 'launch.start',
    request: params,
    failure: `cannot launch from ${from}`,
    question: (plan) => ({ message: `Launch ${plan.name} from ${from}'s image on ${on}?`, detail: renderLaunch(plan), button: 'Launch' }),
    // What runs is what the modal showed: the plan's name, command and layers go back with the request.
    pin: (plan) => pinLaunch(plan, params),
    said: (done) => ({
      log: `launch ${done.name} on ${on} from ${done.from.name}: pid ${done.pid}, ${done.command.join(' ')}`,
      notify: `${done.name} started (pid ${done.pid}) on ${on}`,
    }),
  });
}

async function stopLaunched(context: CommandContext, target: ContainerTarget): Promise<void> {
  const name = target.container.name;
  // The agent's dry run checks first that it is one Nodescope launched.
  await confirmThenApply(context, target, {
    method: 'launch.stop',
    request: { container: name },
    failure: `cannot stop ${name}`,
    question: () => ({
      message: `Stop and remove ${name}?`,
      detail: 'Its process is killed; its writable layer, overlay, cgroups and bundle are removed.',
      button: 'Stop and Remove',
    }),
    said: () => ({ log: `stop ${name} on ${target.session.label}: removed`, notify: `${name} stopped and removed` }),
  });
}
