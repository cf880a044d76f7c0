/**
 * The agent's methods run inside this process: for the CLI run as root on the node it inspects. Starting
 * a second Node.js for the agent and passing megabytes of snapshot through JSON-RPC was most of a local
 * `nodescope snapshot`'s wall time; here the CLI calls the very same AgentMethods the agent serves, and
 * gets the same answers and the same one-line errors (the very AgentError the agent would answer with).
 *
 * Only as root on Linux: otherwise the agent runs as a child through sudo (localTransport.ts). The
 * extension never uses this: its host process must not run as root nor block on a snapshot.
 */
import { Readable, Writable } from 'stream';
import { AgentMethods } from '../../server/methods';
import { AgentError } from '../../server/agentError';
import { ClientErrorCodes, ErrorCodes, type MethodName, type ParamsOf, type ResultOf } from '../../server/protocol';
import type { AgentClient } from './agentClient';
import { localExec } from './localTransport';

/** Whether this process may serve the agent's methods itself: root on Linux, unless told not to. */
export function canRunAgentInProcess(env: NodeJS.ProcessEnv = process.env): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && env.NODESCOPE_IN_PROCESS !== '0';
}

export function inProcessAgent(clientVersion: string): AgentClient {
  const methods = new AgentMethods();
  const info = methods.initializeResult(clientVersion);
  const closed: ((reason: string | null) => void)[] = [];
  let open = true;
  return {
    info,
    transport: {
      // No channel to read or write: requests are plain calls.
      reader: Readable.from([]),
      writer: new Writable({ write: (_chunk, _enc, done) => done() }),
      description: 'this machine',
      onClose: (l) => void closed.push(l),
      exec: (argv, opts) => Promise.resolve(localExec(argv, opts)),
      close: async () => undefined,
    },
    async request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
      if (!open) throw new AgentError(ClientErrorCodes.ChannelLost, 'agent on this machine is not connected');
      try {
        // Awaited here: a launch's refusal comes as a rejected promise, and is read as a thrown one.
        return await methods.dispatch(method, params);
      } catch (err) {
        if (err instanceof AgentError) throw err;
        // As the agent answers an unexpected failure: one line, the method named.
        throw new AgentError(ErrorCodes.InternalError, `${method} failed: ${(err as Error).message}`);
      }
    },
    onChanged: () => undefined,
    onClose: (l) => void closed.push(l),
    async close() {
      if (!open) return;
      open = false;
      closed.forEach((l) => l(null));
    },
  };
}
