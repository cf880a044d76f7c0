/**
 * The one error class of Nodescope's requests, on both sides of the channel: what the agent refuses or
 * fails with (made by `refuse` in failure.ts, which keeps its message to one bounded line), what the
 * client turns the agent's answer into, and the client's own when the channel is lost or a deadline
 * passes. `code` is one of protocol.ts's ErrorCodes (the agent's) or ClientErrorCodes (the client's).
 *
 * In a module of its own, importing nothing: the in-process client and the agent throw it without
 * loading the JSON-RPC stack.
 */
export class AgentError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}
