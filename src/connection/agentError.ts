/**
 * An error the agent answered with (its one-line message and JSON-RPC code), a lost channel
 * (CHANNEL_LOST), or a request the agent did not answer within its deadline (NO_ANSWER).
 * In a module of its own so that the in-process client can throw it without loading the JSON-RPC stack.
 */
export class AgentError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'AgentError';
  }
}

/** The channel to the agent closed or broke: nothing more will be answered on it. */
export const CHANNEL_LOST = -32099;
/** The agent did not answer within the request's deadline; it may still be working, or be stuck. */
export const NO_ANSWER = -32098;
