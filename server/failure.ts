/**
 * A request the agent refuses or cannot answer: a JSON-RPC error code (protocol.ts ErrorCodes) and one
 * line a person can act on, as an AgentError (agentError.ts).
 *
 * Error messages quote what the client sent ("no container "x""), and what a client sends is unbounded:
 * a 50 MB name once came back whole in the error. Every echoed value goes through `echo`, and the message
 * as a whole is kept to one bounded line here, whoever built it.
 */
import { AgentError } from './agentError';
import { escapeControls } from './escapeControls';

/** The agent's refusal: `throw refuse(ErrorCodes.NotFound, \`no container "${echo(ref)}"\`)`. */
export function refuse(code: number, message: string): AgentError {
  return new AgentError(code, oneLine(message));
}

/** Longest echoed value, in UTF-16 units, before it is cut with an ellipsis. */
export const ECHO_MAX = 200;
/** Longest message: its head and its tail are kept (the tail often says what to do). */
const MESSAGE_MAX = 1000;

/** Cut at `n` units without splitting a surrogate pair. */
function head(s: string, n: number): string {
  const code = s.charCodeAt(n - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

/** A value from the client (or the node) as it may appear in a message: at most `max` characters, on one line. */
export function echo(value: string, max = ECHO_MAX): string {
  const cut = value.length > max ? `${head(value, max)}… (${value.length} characters)` : value;
  return escapeControls(cut);
}

/** A whole message on one line and at most MESSAGE_MAX characters, its middle cut when longer. */
export function oneLine(message: string): string {
  const flat = message.length > MESSAGE_MAX ? `${head(message, MESSAGE_MAX - 300)} … ${message.slice(-200)}` : message;
  // Controls, bidi overrides and line separators: a newline would break the one line, ESC would reach a terminal.
  return escapeControls(flat);
}
