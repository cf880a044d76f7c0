/**
 * A change to a node, the one way every command makes one (Set Limit, Launch, Stop and Remove): the
 * agent checks the request and says what would change without changing it (a dry run), the person sees
 * that and confirms, then the same request goes again for real. The CLI does the same with a terminal
 * question or --yes (src/cli.ts, dryRunThenApply). No vscode import: registerCommand.ts supplies the
 * modal, the notification and the log (confirmThenApply), unit tests supply their own.
 */
import type { ParamsOf, ResultOf } from '../../server/protocol';
import { failingAs } from './commandFailure';

/** The agent's requests that change a node and take `dryRun`. */
export type ChangeMethod = 'limit.set' | 'launch.start' | 'launch.stop';

/** The modal: its question, what the dry run said, and the one button that goes ahead. */
export interface Question {
  message: string;
  detail: string;
  button: string;
}

export interface Change<M extends ChangeMethod> {
  method: M;
  request: ParamsOf<M>;
  /** What the command was doing, for its failure line: "cannot set the memory limit of web-1". */
  failure: string;
  question: (plan: ResultOf<M>) => Question;
  /** What of the plan goes back with the request, so that what runs is what the modal showed. */
  pin?: (plan: ResultOf<M>) => Partial<ParamsOf<M>>;
  /** Once made: a line for the log and one for the notification. */
  said: (done: ResultOf<M>) => { log: string; notify: string };
}

/** The person and the record: ask (true = the button), tell, write to the log. */
export interface ChangeUi {
  ask(q: Question): Promise<boolean>;
  inform(line: string): void;
  log(line: string): void;
}

/** The part of an AgentClient a change uses. */
export interface ChangeClient {
  request<M extends ChangeMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
}

/** The change's result, or undefined when the person said no (then nothing was asked of the node but the dry run). */
export function dryRunConfirmApply<M extends ChangeMethod>(
  client: ChangeClient,
  change: Change<M>,
  ui: ChangeUi,
): Promise<ResultOf<M> | undefined> {
  return failingAs(change.failure, async () => {
    const plan = await client.request(change.method, { ...change.request, dryRun: true });
    if (!(await ui.ask(change.question(plan)))) return undefined;
    const done = await client.request(change.method, { ...change.request, ...change.pin?.(plan) });
    const said = change.said(done);
    ui.log(said.log);
    ui.inform(said.notify);
    return done;
  });
}
