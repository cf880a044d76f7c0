/**
 * How a command says it failed: one line, "Nodescope: " and what went wrong, never a stack trace. No
 * vscode import: the words are checked in unit tests, registerCommand.ts puts them on the screen.
 */
import { escapeControls } from '../../server/escapeControls';

/** A failure whose message is already the sentence a person reads (no "Error:", no stack). */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

/**
 * Runs `work`; a failure comes out as `<words>: <its message>`, so a command says what it was doing
 * ("cannot enter web-1: …") without a try/catch of its own.
 */
export async function failingAs<T>(words: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new CommandFailure(`${words}: ${messageOf(err)}`, { cause: err });
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The notification's line: the message's first line (an agent or ssh error can run to several, a stack
 * never belongs on screen) with control characters escaped, since the message may carry a name a
 * container chose (escaping twice changes nothing, server/escapeControls.ts).
 */
export function failureLine(err: unknown): string {
  const first = messageOf(err).split('\n')[0].trim();
  return `Nodescope: ${escapeControls(first || 'failed without saying why')}`;
}

/** Where a failure goes: the notification and the log (VS Code's, or a test's). */
export interface FailureSink {
  showError(line: string): void;
  log(level: 'warn' | 'error', text: string): void;
}

/**
 * Says a failure of command `id` once: its line as a notification, and in the log. A CommandFailure is
 * expected (the node refused, a name is taken) and logged as its line; anything else is a bug, and the
 * log gets its stack so it can be found.
 */
export function reportFailure(id: string, err: unknown, sink: FailureSink): void {
  const line = failureLine(err);
  sink.showError(line);
  if (err instanceof CommandFailure || !(err instanceof Error)) sink.log('warn', `${id}: ${line.slice('Nodescope: '.length)}`);
  else sink.log('error', `${id}: ${err.stack ?? err.message}`);
}

/** Runs a command's work, reporting what it throws; resolves either way, so VS Code adds no toast of its own. */
export async function runReported(id: string, work: () => unknown, sink: FailureSink): Promise<void> {
  try {
    await work();
  } catch (err) {
    reportFailure(id, err, sink);
  }
}
