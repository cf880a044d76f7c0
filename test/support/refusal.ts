/** The AgentFailure a synchronous agent call is refused with; fails the test when it is answered instead. */
import { AgentFailure } from '../../server/failure';

export function refusal(fn: () => unknown): AgentFailure {
  try {
    fn();
  } catch (e) {
    if (e instanceof AgentFailure) return e;
    throw e;
  }
  throw new Error('the request was answered, not refused');
}
