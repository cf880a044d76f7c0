/**
 * The typed JSON-RPC client for an agent, over any transport. Used as-is by the extension, the CLI and
 * the tests. Starts with the version handshake; turns JSON-RPC errors into AgentError with the agent's
 * one-line message.
 */
import {
  createMessageConnection,
  ErrorCodes as RpcErrorCodes,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  CHANGED_NOTIFICATION,
  PROTOCOL_VERSION,
  type ChangedNotification,
  type InitializeResult,
  type MethodName,
  type ParamsOf,
  type ResultOf,
} from '../../server/protocol';
import { AgentError } from './agentError';
import type { AgentTransport } from './transport';

/** vscode-jsonrpc's own codes for a channel that broke, as opposed to an answer from the agent. */
const CHANNEL_LOST = new Set<number>([
  RpcErrorCodes.MessageWriteError,
  RpcErrorCodes.MessageReadError,
  RpcErrorCodes.PendingResponseRejected,
  RpcErrorCodes.ConnectionInactive,
]);

export { AgentError };

export interface AgentClient {
  readonly info: InitializeResult;
  readonly transport: AgentTransport;
  request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  onChanged(listener: (n: ChangedNotification) => void): void;
  onClose(listener: (reason: string | null) => void): void;
  close(): Promise<void>;
}

export async function connectAgent(
  transport: AgentTransport,
  opts: { watchIntervalMs?: number; clientVersion?: string } = {},
): Promise<AgentClient> {
  const connection: MessageConnection = createMessageConnection(new StreamMessageReader(transport.reader), new StreamMessageWriter(transport.writer));
  const changed: ((n: ChangedNotification) => void)[] = [];
  const closed: ((reason: string | null) => void)[] = [];
  let closing = false;
  let closeReason: string | null | undefined;
  let markClosed: () => void = () => undefined;
  const closedOnce = new Promise<void>((r) => (markClosed = r));
  connection.onNotification(CHANGED_NOTIFICATION, (n: ChangedNotification) => changed.forEach((l) => l(n)));
  transport.onClose((reason) => {
    closeReason = closing ? null : reason;
    markClosed();
    connection.dispose();
    closed.forEach((l) => l(closeReason ?? null));
  });
  connection.listen();

  const call = async <M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> => {
    if (closeReason !== undefined) throw new AgentError(-32099, `agent on ${transport.description} is not connected${closeReason ? `: ${closeReason}` : ''}`);
    try {
      return (await connection.sendRequest(method, params)) as ResultOf<M>;
    } catch (err) {
      const lost = !(err instanceof ResponseError) || CHANNEL_LOST.has(err.code);
      if (!lost) throw new AgentError(err.code, err.message);
      // The stream can end a moment before the transport learns why (the process's exit, sudo's
      // complaint on stderr): wait briefly for that, so the person reads the reason, not "disposed".
      await Promise.race([closedOnce, new Promise((r) => setTimeout(r, 2000).unref())]);
      throw new AgentError(-32099, `agent on ${transport.description} stopped answering${closeReason ? `: ${closeReason}` : ''}`);
    }
  };

  let info: InitializeResult;
  try {
    info = await call('initialize', {
      clientVersion: opts.clientVersion ?? 'dev',
      protocolVersion: PROTOCOL_VERSION,
      watchIntervalMs: opts.watchIntervalMs,
    });
  } catch (err) {
    await transport.close().catch(() => undefined);
    throw err;
  }

  return {
    info,
    transport,
    request: call,
    onChanged: (l) => void changed.push(l),
    onClose: (l) => {
      if (closeReason !== undefined) l(closeReason);
      else closed.push(l);
    },
    async close() {
      if (closeReason !== undefined) return;
      closing = true;
      // Closing the channel is the shutdown: the agent exits on stdin EOF. (Waiting for a `shutdown`
      // reply instead cost every CLI run up to half a second, since the agent exits as it answers.)
      await transport.close();
    },
  };
}
