/**
 * "Launch Test Container from Its Image…" on a container: a name, options typed as on the command line
 * (`--memory 64m --pids 50 --read-only`…, one parser for both), a command, then a modal with what the
 * agent's dry run says it will start. "Stop and Remove Test Container" on one Nodescope launched. Only
 * the modals' buttons change the node.
 */
import * as vscode from 'vscode';
import type { LaunchParams } from '../../server/protocol';
import { OptionError, splitWords, takeContainerOptions, type ContainerOptions } from '../cli/containerOptions';
import { renderLaunch } from '../cli/render';
import type { NodeRegistry } from '../nodes/registry';
import type { NodeElement } from '../views/nodesView';
import { pickContainer, type ContainerChoice } from './pick';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** The options box's words as launch options; a string is what is wrong with them. */
function optionsOf(text: string): ContainerOptions | string {
  try {
    const { options, rest } = takeContainerOptions(text.split(/\s+/).filter(Boolean), 'launch');
    if (options.name !== undefined) return 'the name has its own box';
    return rest.length ? `not an option here: ${rest[0]} (use --memory, --pids, --cpus, --read-only, --tmpfs)` : options;
  } catch (err) {
    return err instanceof OptionError ? err.message : String(err);
  }
}

async function ask(choice: ContainerChoice): Promise<LaunchParams | undefined> {
  const from = choice.container.name;
  const title = `Launch a test container from ${from}'s image`;
  const name = await vscode.window.showInputBox({
    title,
    ignoreFocusOut: true,
    prompt: 'Its name (runc\'s id and its hostname)',
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
    validateInput: (v) => {
      try {
        splitWords(v);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  if (command === undefined) return undefined;
  const words = splitWords(command);
  return { from: choice.container.id, name, ...(optionsOf(optionsText) as ContainerOptions), command: words.length ? words : undefined };
}

export function registerLaunchCommands(context: vscode.ExtensionContext, nodes: NodeRegistry): void {
  const connected = async (el?: NodeElement): Promise<ContainerChoice | undefined> => {
    const choice = await pickContainer(nodes, el);
    if (choice && !choice.session.agent) void vscode.window.showErrorMessage(`Nodescope: ${choice.session.label} is not connected`);
    return choice?.session.agent ? choice : undefined;
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('nodescope.launch', async (el?: NodeElement) => {
      const choice = await connected(el);
      const params = choice && (await ask(choice));
      if (!choice || !params) return;
      const client = choice.session.agent!;
      try {
        const plan = await client.request('launch.start', { ...params, dryRun: true });
        const ok = await vscode.window.showWarningMessage(`Launch ${plan.name} from ${choice.container.name}'s image on ${choice.session.label}?`, { modal: true, detail: renderLaunch(plan) }, 'Launch');
        if (ok !== 'Launch') return;
        // What runs is what the modal showed: the plan's name, command and layers go back with the request.
        const done = await client.request('launch.start', { ...params, name: plan.name, command: plan.command, lowerdirs: plan.lowerdirs });
        nodes.log.info(`launch ${done.name} on ${choice.session.label} from ${done.from.name}: pid ${done.pid}, ${done.command.join(' ')}`);
        void vscode.window.showInformationMessage(`Nodescope: ${done.name} started (pid ${done.pid}) on ${choice.session.label}`);
        await choice.session.refresh().catch(() => undefined);
      } catch (err) {
        void vscode.window.showErrorMessage(`Nodescope: cannot launch from ${choice.container.name}: ${(err as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('nodescope.stopLaunched', async (el?: NodeElement) => {
      const choice = await connected(el);
      if (!choice) return;
      const name = choice.container.name;
      try {
        // The agent checks first that it is one Nodescope launched.
        await choice.session.agent!.request('launch.stop', { container: name, dryRun: true });
        const ok = await vscode.window.showWarningMessage(`Stop and remove ${name}?`, { modal: true, detail: 'Its process is killed; its writable layer, overlay, cgroups and bundle are removed.' }, 'Stop and Remove');
        if (ok !== 'Stop and Remove') return;
        await choice.session.agent!.request('launch.stop', { container: name });
        nodes.log.info(`stop ${name} on ${choice.session.label}: removed`);
        void vscode.window.showInformationMessage(`Nodescope: ${name} stopped and removed`);
        await choice.session.refresh().catch(() => undefined);
      } catch (err) {
        void vscode.window.showErrorMessage(`Nodescope: cannot stop ${name}: ${(err as Error).message}`);
      }
    }),
  );
}
