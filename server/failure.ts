/** A request the agent refuses or cannot answer: a JSON-RPC error code and one line a person can act on. */
export class AgentFailure extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}
