/**
 * The typed JSON-RPC client for an agent, over any transport. Used as-is by the extension, the CLI and
 * the tests. Starts with the version handshake; turns JSON-RPC errors into AgentError with the agent's
 * one-line message.
 *
 * Every request has a deadline (REQUEST_DEADLINES_MS, per method). The agent answers one request at a
 * time, so an agent blocked in the kernel (a FIFO opened for reading, a stopped process) answers nothing
 * at all: past its deadline a request fails with what it asked and, when the agent said one on stderr,
 * what it was stuck on ("snapshot: no answer in 30 s (agent stuck 10 s: reading mount table of pid
 * 123)"). The watchdog (src/model/agentWatchdog.ts) hears of it and decides whether to restart the agent.
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
  ClientErrorCodes,
  PROTOCOL_VERSION,
  type ChangedNotification,
  type InitializeResult,
  type MethodName,
  type ParamsOf,
  type ResultOf,
} from '../../server/protocol';
import { AgentError } from '../../server/agentError';
import { MAX_MESSAGE_BYTES, MessageSizeGuard } from './messageSizeGuard';
import { SnapshotMirror } from './snapshotChanges';
import type { AgentTransport } from './transport';

/** vscode-jsonrpc's own codes for a channel that broke, as opposed to an answer from the agent. */
const CHANNEL_LOST_CODES = new Set<number>([
  RpcErrorCodes.MessageWriteError,
  RpcErrorCodes.MessageReadError,
  RpcErrorCodes.PendingResponseRejected,
  RpcErrorCodes.ConnectionInactive,
]);

export { AgentError };

/**
 * How long each method may take before the client stops waiting. Reads of the node answer in well under
 * a second here and in a few seconds on a busy node; walks of a layer or a container's files take
 * longer; a launch builds a container (mounts, runc) and a stop waits for its processes to go.
 */
export const REQUEST_DEADLINES_MS: Readonly<Record<MethodName, number>> = {
  initialize: 20_000,
  snapshot: 30_000,
  'layer.scan': 60_000,
  whence: 30_000,
  pagecache: 60_000,
  'container.diff': 60_000,
  // Every layer of a stack walked: several layer scans in one request.
  'layers.report': 120_000,
  'layers.list': 30_000,
  // One directory page; the first reads the whole directory (up to 100,000 names per layer), later pages come from the agent's cache.
  'layers.explore': 30_000,
  'files.stat': 15_000,
  'files.list': 30_000,
  'files.read': 30_000,
  'layerFiles.stat': 15_000,
  'layerFiles.list': 30_000,
  'layerFiles.read': 30_000,
  'enter.options': 15_000,
  'enter.plan': 15_000,
  'debug.plan': 15_000,
  'limit.set': 30_000,
  // Past the agent's own deadline for them (server/act/launch.ts LAUNCH_MOST_MS, STOP_MOST_MS: every tool
  // they run killed at its timeout), so the agent's answer, cleanup said, comes before the client gives up.
  'launch.start': 210_000,
  'launch.stop': 230_000,
  // Past the agent's own (server/diagnose/diagnose.ts DIAGNOSE_MOST_MS): the engine's answer is awaited, the upper layer walked.
  diagnose: 60_000,
  shutdown: 5_000,
};

export interface RequestOptions {
  /** Overrides the method's deadline for this one request. */
  timeoutMs?: number;
}

export interface AgentClient {
  readonly info: InitializeResult;
  readonly transport: AgentTransport;
  request<M extends MethodName>(method: M, params: ParamsOf<M>, opts?: RequestOptions): Promise<ResultOf<M>>;
  onChanged(listener: (n: ChangedNotification) => void): void;
  onClose(listener: (reason: string | null) => void): void;
  close(): Promise<void>;
}

/** What a watchdog needs to know of a connection beyond its requests (connectAgent's clients only). */
export interface AgentConnection extends AgentClient {
  /** The oldest request still waiting for its answer (and within its deadline), or null when idle. */
  oldestPending(): { method: MethodName; since: number } | null;
  /** When the agent last answered or sent a notification (ms since the epoch). */
  readonly lastHeardAt: number;
  /** Called when a request passes its deadline, with the error its caller got. */
  onNoAnswer(listener: (err: AgentError, method: MethodName) => void): void;
  /**
   * Ends an agent that may not be reading its channel any more: kills its process (the pid it gave at
   * the handshake, as root through the transport), then closes the channel. Closing alone is not enough:
   * a stuck agent never reads the end of its stdin, and over SSH it would outlive the channel.
   */
  kill(): Promise<void>;
}

export interface ConnectOptions {
  watchIntervalMs?: number;
  clientVersion?: string;
  /** Per-method deadlines over REQUEST_DEADLINES_MS (tests shorten them). */
  deadlines?: Partial<Record<MethodName, number>>;
  /** One message's body at most (MAX_MESSAGE_BYTES; tests lower it): a larger one closes the channel. */
  maxMessageBytes?: number;
}

/** "30 s", "2.5 s": how long, for people. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(1))} s`;
}

export async function connectAgent(transport: AgentTransport, opts: ConnectOptions = {}): Promise<AgentConnection> {
  // A message over the bound is not read: the channel is closed, and every request fails saying why.
  let refused: string | null = null;
  const guard = new MessageSizeGuard(opts.maxMessageBytes ?? MAX_MESSAGE_BYTES, (why) => {
    // What follows is read and dropped (the agent is not left blocked on a full pipe) until it closes.
    refused = why;
    void transport.close().catch(() => undefined);
  });
  // pipe() does not carry a source's error on: the reader hears of it as it did without the guard.
  transport.reader.on('error', (err) => guard.destroy(err));
  const connection: MessageConnection = createMessageConnection(
    new StreamMessageReader(transport.reader.pipe(guard)),
    new StreamMessageWriter(transport.writer),
  );
  const changed: ((n: ChangedNotification) => void)[] = [];
  const closed: ((reason: string | null) => void)[] = [];
  const noAnswer: ((err: AgentError, method: MethodName) => void)[] = [];
  const pending = new Set<{ method: MethodName; since: number }>();
  const deadlines = { ...REQUEST_DEADLINES_MS, ...opts.deadlines };
  let lastHeardAt = Date.now();
  let closing = false;
  let closeReason: string | null | undefined;
  let markClosed: () => void = () => undefined;
  const closedOnce = new Promise<void>((r) => (markClosed = r));
  // The agent sends keyed changes against the last snapshot it answered: the copy applies them, and
  // listeners get the whole lists they always got (snapshotChanges.ts).
  const mirror = new SnapshotMirror();
  connection.onNotification(CHANGED_NOTIFICATION, (n: ChangedNotification) => {
    lastHeardAt = Date.now();
    const whole = mirror.apply(n);
    changed.forEach((l) => l(whole));
  });
  transport.onClose((reason) => {
    closeReason = refused ?? (closing ? null : reason);
    markClosed();
    connection.dispose();
    closed.forEach((l) => l(closeReason ?? null));
  });
  connection.listen();

  /** The deadline's error: the method, how long, and what the agent last said it was stuck on. */
  const noAnswerError = (method: MethodName, ms: number): AgentError => {
    const stuck = transport.agentStderr?.latestOf('stuck');
    // Only a line said since the agent last answered is about this silence.
    const why = stuck && stuck.at >= lastHeardAt ? ` (agent ${stuck.text})` : '';
    return new AgentError(ClientErrorCodes.NoAnswer, `${method}: no answer in ${formatSeconds(ms)}${why}`);
  };

  const call = async <M extends MethodName>(method: M, params: ParamsOf<M>, ro?: RequestOptions): Promise<ResultOf<M>> => {
    if (closeReason !== undefined)
      throw new AgentError(
        ClientErrorCodes.ChannelLost,
        `agent on ${transport.description} is not connected${closeReason ? `: ${closeReason}` : ''}`,
      );
    const ms = ro?.timeoutMs ?? deadlines[method];
    const entry = { method, since: Date.now() };
    pending.add(entry);
    let timer: NodeJS.Timeout | undefined;
    // The answer may still come after the deadline: it is then dropped (race keeps it handled).
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(noAnswerError(method, ms)), ms);
    });
    try {
      const result = (await Promise.race([connection.sendRequest(method, params), expired])) as ResultOf<M>;
      lastHeardAt = Date.now();
      if (method === 'snapshot') mirror.reset(result as ResultOf<'snapshot'>);
      return result;
    } catch (err) {
      if (err instanceof AgentError) {
        // A snapshot answered after its deadline is the agent's base, unseen here: no copy until the next.
        if (method === 'snapshot') mirror.reset(null);
        pending.delete(entry);
        noAnswer.forEach((l) => l(err, method));
        throw err;
      }
      const lost = !(err instanceof ResponseError) || CHANNEL_LOST_CODES.has(err.code);
      if (!lost) {
        lastHeardAt = Date.now();
        throw new AgentError(err.code, err.message);
      }
      // The stream can end a moment before the transport learns why (the process's exit, sudo's
      // complaint on stderr): wait briefly for that, so the person reads the reason, not "disposed".
      await Promise.race([closedOnce, new Promise((r) => setTimeout(r, 2000).unref())]);
      throw new AgentError(
        ClientErrorCodes.ChannelLost,
        `agent on ${transport.description} stopped answering${closeReason ? `: ${closeReason}` : ''}`,
      );
    } finally {
      clearTimeout(timer);
      pending.delete(entry);
    }
  };

  let info: InitializeResult;
  try {
    info = await call('initialize', {
      clientVersion: opts.clientVersion ?? 'dev',
      protocolVersion: PROTOCOL_VERSION,
      watchIntervalMs: opts.watchIntervalMs,
      keyedChanges: true,
    });
  } catch (err) {
    await transport.close().catch(() => undefined);
    throw err;
  }

  const close = async (): Promise<void> => {
    if (closeReason !== undefined) return;
    closing = true;
    // Closing the channel is the shutdown: the agent exits on stdin EOF. (Waiting for a `shutdown`
    // reply instead cost every CLI run up to half a second, since the agent exits as it answers.)
    await transport.close();
  };

  return {
    info,
    transport,
    request: call,
    onChanged: (l) => void changed.push(l),
    onClose: (l) => {
      if (closeReason !== undefined) l(closeReason);
      else closed.push(l);
    },
    close,
    oldestPending() {
      let oldest: { method: MethodName; since: number } | null = null;
      for (const p of pending) if (!oldest || p.since < oldest.since) oldest = p;
      return oldest ? { ...oldest } : null;
    },
    get lastHeardAt() {
      return lastHeardAt;
    },
    onNoAnswer: (l) => void noAnswer.push(l),
    async kill() {
      if (closeReason !== undefined) return;
      closing = true;
      await killAgentProcess(transport, info.pid).catch(() => undefined);
      await close();
    },
  };
}

/**
 * SIGKILL to the agent's pid on its node, as root. The pid is checked to still be an agent (its command
 * line names agent.js) in the same shell command, so a pid reused since would not be hit. SIGKILL ends
 * a stopped process and one blocked in an interruptible wait (a FIFO's open) alike.
 */
async function killAgentProcess(transport: AgentTransport, pid: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 1) return;
  const script = 'grep -q agent.js "/proc/$1/cmdline" 2>/dev/null && kill -KILL "$1"';
  const ch = await withDeadline(transport.exec(['sh', '-c', script, 'nodescope-kill', String(pid)]), 5000);
  ch.stdin.end();
  ch.stdout.resume();
  ch.stderr.resume();
  await withDeadline(new Promise<void>((r) => ch.onExit(() => r())), 5000).catch(() => ch.kill());
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${formatSeconds(ms)}`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
