/** The AgentError a synchronous agent call is refused with; fails the test when it is answered instead. */
import { AgentError } from '../../server/agentError';

export function refusal(fn: () => unknown): AgentError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AgentError) return e;
    throw e;
  }
  throw new Error('the request was answered, not refused');
}

/** The AgentError an agent call answered later (a promise: launch, stop) is refused with, thrown or rejected. */
export async function refusalLater(fn: () => unknown): Promise<AgentError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AgentError) return e;
    throw e;
  }
  throw new Error('the request was answered, not refused');
}
