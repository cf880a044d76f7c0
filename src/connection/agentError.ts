/**
 * An error the agent answered with (its one-line message and JSON-RPC code), or a lost channel (-32099).
 * In a module of its own so that the in-process client can throw it without loading the JSON-RPC stack.
 */
export class AgentError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'AgentError';
  }
}
