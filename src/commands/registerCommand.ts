/**
 * One way to write a Nodescope command. A command file holds only its verb; this module does the rest,
 * the same for every command:
 *
 * - **what it acts on**: `target: 'container'` hands the handler the row's container (or, from the
 *   palette, one picked from the connected nodes) with its node's agent, and refuses with "<node> is not
 *   connected" when there is none; `target: 'node'` hands it the row's node, or one picked among those
 *   `which` accepts (connected ones by default); without a target the handler gets the row as it is;
 * - **how it fails**: whatever the handler throws is one line, "Nodescope: …", as an error notification
 *   and in the log, never a stack trace on screen (commandFailure.ts; `failingAs` adds what the command
 *   was doing). Cancelling is returning: a person who pressed Escape is told nothing;
 * - **how it changes a node**: `confirmThenApply` runs the agent's dry run, shows it in a modal, and
 *   only the modal's button makes the change (confirmFlow.ts).
 *
 * @example A command of a container's menu:
 * ```ts
 * registerNodescopeCommand(context, 'nodescope.exploreLayers', ({ session, client, container }) => showLayers(session, client, container), { target: 'container' });
 * ```
 * @example A command of a node's menu that needs it connected (the default `which`):
 * ```ts
 * registerNodescopeCommand(context, 'nodescope.showNamespaceGraph', (session) => showGraph(context.extension, session), { target: 'node' });
 * ```
 * Add the command, its menus and its `when` clauses to package.json as for any command.
 */
import * as vscode from 'vscode';
import type { ContainerInfo, ResultOf } from '../../server/protocol';
import type { AgentClient } from '../connection/agentClient';
import type { NodeSession } from '../model/nodeSession';
import type { NodeRegistry } from '../nodes/registry';
import type { NodeElement } from '../views/nodeElement';
import { CommandFailure, reportFailure, runReported, type FailureSink } from './commandFailure';
import { dryRunConfirmApply, type Change, type ChangeMethod } from './confirmFlow';
import { pickContainer, pickNode } from './pick';

/** What every command is registered with: the extension's context (subscriptions, its URI) and the nodes. */
export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly nodes: NodeRegistry;
}

/** A container whose node's agent answers, as `target: 'container'` hands it to a handler. */
export interface ContainerTarget {
  session: NodeSession;
  client: AgentClient;
  container: ContainerInfo;
  /** The process, when the command came from a process's row. */
  pid?: number;
}

export interface ContainerCommand {
  target: 'container';
}

export interface NodeCommand {
  target: 'node';
  /** Which nodes the palette offers (default: connected ones). A row's own node is taken as it is. */
  which?: (s: NodeSession) => boolean;
  /** Ask even when one node fits: for a command that takes the node away, a lone node is not consent. */
  ask?: boolean;
}

/** Registers `id` with the handler wrapped: target resolved, failures said once, disposed with the extension. */
export function registerNodescopeCommand(
  context: CommandContext,
  id: string,
  handler: (target: ContainerTarget) => unknown,
  options: ContainerCommand,
): void;
export function registerNodescopeCommand(
  context: CommandContext,
  id: string,
  handler: (session: NodeSession) => unknown,
  options: NodeCommand,
): void;
export function registerNodescopeCommand(
  context: CommandContext,
  id: string,
  handler: (el: NodeElement | undefined) => unknown,
  options?: { target?: undefined },
): void;
export function registerNodescopeCommand(
  context: CommandContext,
  id: string,
  handler: ((target: ContainerTarget) => unknown) | ((session: NodeSession) => unknown) | ((el: NodeElement | undefined) => unknown),
  options: ContainerCommand | NodeCommand | { target?: undefined } = {},
): void {
  const { nodes } = context;
  const run = async (el?: NodeElement): Promise<unknown> => {
    switch (options.target) {
      case 'container': {
        const choice = await pickContainer(nodes, el);
        if (!choice) return;
        const client = choice.session.agent;
        if (!client) throw new CommandFailure(`${choice.session.label} is not connected`);
        return (handler as (t: ContainerTarget) => unknown)({ ...choice, client });
      }
      case 'node': {
        const session = await pickNode(nodes, el, options.which ?? ((s) => s.state === 'connected'), options.ask);
        return session && (handler as (s: NodeSession) => unknown)(session);
      }
      default:
        return (handler as (el: NodeElement | undefined) => unknown)(el);
    }
  };
  context.extension.subscriptions.push(
    vscode.commands.registerCommand(id, (el?: NodeElement) => runReported(id, () => run(el), failureSink(nodes))),
  );
}

function failureSink(nodes: NodeRegistry): FailureSink {
  return {
    showError: (line) => void vscode.window.showErrorMessage(line),
    log: (level, text) => nodes.log[level](text),
  };
}

/** Says a failure that comes after the handler returned (a terminal that could not start), as the wrapper would. */
export function showFailure(context: CommandContext, id: string, err: unknown): void {
  reportFailure(id, err, failureSink(context.nodes));
}

/**
 * Dry run, modal, change (confirmFlow.ts) on the target's node; then the node is read again so the tree
 * shows the change at once. undefined when the person did not press the button.
 */
export async function confirmThenApply<M extends ChangeMethod>(
  context: CommandContext,
  target: ContainerTarget,
  change: Change<M>,
): Promise<ResultOf<M> | undefined> {
  const done = await dryRunConfirmApply(target.client, change, {
    ask: async (q) => (await vscode.window.showWarningMessage(q.message, { modal: true, detail: q.detail }, q.button)) === q.button,
    inform: (line) => void vscode.window.showInformationMessage(`Nodescope: ${line}`),
    log: (line) => context.nodes.log.info(line),
  });
  if (done !== undefined) await target.session.refresh().catch(() => undefined);
  return done;
}
