/**
 * Notices an agent that stops answering. The agent serves one request at a time on one thread, so an
 * agent blocked in the kernel (a FIFO's open, a stopped process) answers nothing at all, and its live
 * updates stop with it. Two things reveal that:
 *  - a request passes its deadline (agentClient.ts): the watchdog then asks at once whether the agent
 *    answers anything;
 *  - an agent nobody has asked anything for `pingIntervalMs` is asked too.
 * The question is `initialize` again: every agent version answers it, at once and without side effects
 * (a second one starts no second watch). No answer within `pingDeadlineMs` makes the agent unresponsive;
 * the session then kills it and starts another. A request waiting longer than `staleAfterMs` already
 * makes the data stale (the watch waits behind it): the session shows that before the verdict.
 *
 * Pings go out only when nothing is waiting: a long request (a layer walk) has its own deadline, and a
 * ping behind it would only measure that request. No vscode import.
 */
import type { AgentError } from '../../server/agentError';
import type { AgentConnection } from '../connection/agentClient';
import { ClientErrorCodes, type InitializeParams, type MethodName } from '../../server/protocol';

export interface WatchdogOptions {
  /** An idle agent is asked this often whether it still answers (0: only after a deadline). */
  pingIntervalMs: number;
  /** How long that question may wait for its answer. */
  pingDeadlineMs: number;
  /** A request unanswered this long means the data is no longer live. */
  staleAfterMs: number;
  /** What the ping sends: the session's own handshake, so the agent's watch stays as it was. */
  hello: InitializeParams;
}

export interface WatchdogEvents {
  /** The agent did not answer the ping: `why` is the first deadline of this silence. */
  unresponsive(why: string): void;
  /** `waiting()` changed between null and not null. */
  waitingChanged(): void;
  /** The agent answered a ping: it is alive at this moment (and so is its watch). */
  answered(): void;
}

export class AgentWatchdog {
  private timer: NodeJS.Timeout | null = null;
  private pinging = false;
  private lastPingAt = 0;
  /** The first deadline that passed in the current silence, for the verdict's message. */
  private firstMiss: string | null = null;
  private wasWaiting = false;
  private stopped = false;

  constructor(
    private readonly conn: AgentConnection,
    private readonly opts: WatchdogOptions,
    private readonly events: WatchdogEvents,
  ) {
    conn.onNoAnswer((err, method) => this.missed(err, method));
  }

  start(): void {
    this.lastPingAt = Date.now();
    // Often enough to show staleness about when it starts; a tick costs a few comparisons.
    const every = Math.max(100, Math.min(1000, Math.floor(this.opts.staleAfterMs / 2)));
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The oldest request that has waited longer than `staleAfterMs`, or null. */
  waiting(now = Date.now()): { method: MethodName; since: number } | null {
    const oldest = this.conn.oldestPending();
    return oldest && now - oldest.since >= this.opts.staleAfterMs ? oldest : null;
  }

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    const waiting = this.waiting(now) !== null;
    if (waiting !== this.wasWaiting) {
      this.wasWaiting = waiting;
      this.events.waitingChanged();
    }
    if (this.opts.pingIntervalMs <= 0 || this.pinging || this.conn.oldestPending()) return;
    if (now - Math.max(this.lastPingAt, this.conn.lastHeardAt) >= this.opts.pingIntervalMs) void this.ping();
  }

  private missed(err: AgentError, method: MethodName): void {
    if (this.stopped || err.code !== ClientErrorCodes.NoAnswer) return;
    if (this.pinging && method === 'initialize') return; // the ping's own deadline: ping() decides
    this.firstMiss ??= err.message;
    void this.ping();
  }

  private async ping(): Promise<void> {
    if (this.pinging || this.stopped) return;
    this.pinging = true;
    this.lastPingAt = Date.now();
    try {
      await this.conn.request('initialize', this.opts.hello, { timeoutMs: this.opts.pingDeadlineMs });
      this.firstMiss = null;
      if (!this.stopped) this.events.answered();
    } catch (err) {
      // A lost channel is the session's onClose to handle; only silence is this watchdog's verdict.
      if (this.stopped || (err as AgentError).code !== ClientErrorCodes.NoAnswer) return;
      const why = this.firstMiss ?? (err as Error).message;
      this.stop();
      this.events.unresponsive(why);
    } finally {
      this.pinging = false;
    }
  }
}
