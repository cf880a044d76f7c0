/**
 * One node the user can connect to: its connection state, its agent client and its snapshot model.
 * Reconnects with exponential backoff after a drop (never after a disconnect the user asked for, and
 * never past `maxReconnectAttempts`; 0 turns it off). An agent that stops answering is noticed by the
 * watchdog (agentWatchdog.ts), killed and replaced the same way, and the new agent's handshake asks for
 * live updates again, so they resume by themselves. `health` says what a person should be told: live,
 * stale since when and why, restarting, or failed with the error (nodeHealth.ts). No vscode import.
 */
import { connectAgent, formatSeconds, type AgentClient, type AgentConnection } from '../connection/agentClient';
import type { AgentError } from '../../server/agentError';
import type { AgentTransport } from '../connection/transport';
import type { InitializeParams, MethodName, Problem, Snapshot } from '../../server/protocol';
import { ClientErrorCodes, PROTOCOL_VERSION } from '../../server/protocol';
import { NodeModel } from './nodeModel';
import { AgentWatchdog } from './agentWatchdog';
import type { NodeHealth } from './nodeHealth';

export type NodeState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

export interface SessionOptions {
  watchIntervalMs: number;
  maxReconnectAttempts: number;
  clientVersion: string;
  /** First retry delay; doubles each attempt up to 30 s. */
  baseDelayMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
  /** An idle agent is asked this often whether it still answers (default 15 s; 0: only after a deadline). */
  pingIntervalMs?: number;
  /** How long that question may wait (default 20 s: a watch pass on a busy node holds the agent a while). */
  pingDeadlineMs?: number;
  /** A request unanswered this long marks the data stale (default 5 s). */
  staleAfterMs?: number;
  /** A connection that stays up this long counts as recovered: retries are counted from 1 again (default 60 s). */
  stableAfterMs?: number;
  /** Per-method deadlines over the client's defaults (tests shorten them). */
  deadlines?: Partial<Record<MethodName, number>>;
}

export class NodeSession {
  readonly model = new NodeModel();
  private client: AgentConnection | null = null;
  private watchdog: AgentWatchdog | null = null;
  private stateValue: NodeState = 'disconnected';
  private reasonValue: string | null = null;
  private wanted = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  /** The connection attempt under way: a second Connect (a click while expanding) joins it. */
  private pending: Promise<void> | null = null;
  private readonly stateListeners: (() => void)[] = [];
  /** When the model was last known to match the node (ms since the epoch), or null without data. */
  private freshAt: number | null = null;
  /** Why the data is older than it should be while connected (a failed refresh or watch pass). */
  private staleWhy: string | null = null;
  /** Set from the watchdog's verdict until an agent answers again: the restarts replace a stuck agent. */
  private unresponsive = false;

  constructor(
    readonly id: string,
    readonly label: string,
    readonly kind: 'local' | 'ssh',
    private readonly open: (reconnecting: boolean) => Promise<AgentTransport>,
    private readonly opts: SessionOptions,
  ) {}

  get state(): NodeState {
    return this.stateValue;
  }
  /** Why the node is not connected, for people; null when connected or never tried. */
  get reason(): string | null {
    return this.reasonValue;
  }
  get agent(): AgentClient | null {
    return this.client;
  }

  /** What to tell a person about this node now (see nodeHealth.ts). */
  get health(): NodeHealth {
    const since = this.model.snapshot ? this.dataAsOf() : null;
    const restarting = this.stateValue === 'reconnecting' || (this.stateValue === 'disconnected' && this.retryTimer !== null);
    if (restarting) {
      return {
        kind: 'restarting',
        unresponsive: this.unresponsive,
        since,
        why: this.reasonValue ?? 'connection lost',
        attempt: this.attempt,
        maxAttempts: this.opts.maxReconnectAttempts,
      };
    }
    if (this.stateValue === 'connecting') return { kind: 'connecting' };
    if (this.stateValue === 'disconnected') return this.reasonValue ? { kind: 'failed', since, error: this.reasonValue } : { kind: 'off' };
    if (this.staleWhy) return { kind: 'stale', since, why: this.staleWhy };
    const waiting = this.watchdog?.waiting();
    if (waiting) {
      const stuck = this.client?.transport.agentStderr?.latestOf('stuck');
      const said = stuck && stuck.at >= waiting.since ? ` (agent ${stuck.text})` : '';
      return {
        kind: 'stale',
        since,
        why: `the agent has not answered ${waiting.method} for ${formatSeconds(Date.now() - waiting.since)}${said}`,
      };
    }
    return { kind: 'live' };
  }

  /**
   * When the data last matched the node. With live updates on, every answer from the agent counts: its
   * watch runs between requests on the same thread, so an agent that answered at T had nothing newer.
   */
  private dataAsOf(): number | null {
    const heard = this.client && this.opts.watchIntervalMs > 0 && !this.staleWhy ? this.client.lastHeardAt : 0;
    return this.freshAt === null ? null : Math.max(this.freshAt, heard);
  }

  /** Returns the unsubscribe function (panels come and go; the session stays). */
  onDidChangeState(l: () => void): () => void {
    this.stateListeners.push(l);
    return () => {
      const i = this.stateListeners.indexOf(l);
      if (i >= 0) this.stateListeners.splice(i, 1);
    };
  }

  private setState(s: NodeState, reason: string | null = this.reasonValue): void {
    this.stateValue = s;
    this.reasonValue = reason;
    this.fire();
  }

  private fire(): void {
    this.stateListeners.forEach((l) => l());
  }

  /** Connects and loads the first snapshot; throws with a one-line message when it cannot. */
  async connect(): Promise<void> {
    this.wanted = true;
    this.attempt = 0;
    this.cancelRetry();
    if (this.client) return;
    await this.tryConnect(false);
  }

  /**
   * The Retry a person clicks: on a node whose data is stale, read it again (or, when the agent is not
   * answering, replace it now); on a failed or restarting node, connect now, counting attempts from 1.
   */
  async retry(): Promise<void> {
    const client = this.client;
    if (client && this.watchdog?.waiting()) return this.replaceUnresponsive(client, 'Retry asked for a new agent');
    if (client) return this.refresh();
    return this.connect();
  }

  private tryConnect(reconnecting: boolean): Promise<void> {
    if (!this.pending) this.pending = this.attemptConnect(reconnecting).finally(() => (this.pending = null));
    return this.pending;
  }

  private hello(): InitializeParams {
    return { clientVersion: this.opts.clientVersion, protocolVersion: PROTOCOL_VERSION, watchIntervalMs: this.opts.watchIntervalMs };
  }

  private async attemptConnect(reconnecting: boolean): Promise<void> {
    this.setState(reconnecting ? 'reconnecting' : 'connecting');
    let client: AgentConnection | undefined;
    let snapshot: Snapshot;
    try {
      const transport = await this.open(reconnecting);
      if (!this.wanted) {
        // Disconnected while the transport was opening: do not leave an agent running for nobody.
        await transport.close().catch(() => undefined);
        return;
      }
      client = await connectAgent(transport, {
        watchIntervalMs: this.opts.watchIntervalMs,
        clientVersion: this.opts.clientVersion,
        deadlines: this.opts.deadlines,
      });
      snapshot = await client.request('snapshot', {});
    } catch (err) {
      // connectAgent closes its transport when the handshake fails; a failed first snapshot leaves the
      // agent running, so end it here (killed when it did not answer: a stuck agent reads no EOF).
      if ((err as AgentError).code === ClientErrorCodes.NoAnswer) await client?.kill().catch(() => undefined);
      else await client?.close().catch(() => undefined);
      const msg = (err as Error).message.split('\n')[0];
      this.opts.log?.('error', `${this.label}: ${msg}`);
      if (reconnecting) this.retryOrGiveUp(msg);
      else this.setState('disconnected', msg);
      throw err;
    }
    if (!this.wanted) {
      await client.close().catch(() => undefined);
      return;
    }
    this.model.setSnapshot(snapshot);
    this.freshAt = Date.now();
    this.staleWhy = null;
    this.unresponsive = false;
    this.client = client;
    this.watch(client);
    // Retries count from 1 again only once this connection has held: an agent that dies each time soon
    // after it starts (a crash on some node state) must not be restarted forever.
    this.stableTimer = setTimeout(() => (this.attempt = 0), this.opts.stableAfterMs ?? 60_000);
    this.stableTimer.unref();
    this.opts.log?.(
      'info',
      `${this.label}: connected (agent ${client.info.agentVersion}, pid ${client.info.pid} on ${client.info.hostname})`,
    );
    this.setState('connected', null);
  }

  /** Listens to a new agent: its deltas, its close, what it says on stderr, and the watchdog. */
  private watch(client: AgentConnection): void {
    client.onChanged((n) => {
      if (this.client !== client) return;
      // Out-of-order or early deltas: fetch a whole snapshot rather than show something wrong.
      if (!this.model.apply(n)) return void this.refresh().catch(() => undefined);
      // A pass that failed comes as a change holding only the problem: the state last sent stands, stale.
      const failed = (n as { problems?: Problem[] }).problems?.find((p) => p.source === 'watch');
      if (failed) return this.watchFailed(client, failed.message);
      this.freshAt = Date.now();
      if (this.staleWhy) {
        this.staleWhy = null;
        this.fire();
      }
    });
    client.onClose((reason) => {
      // A client we already let go of (Disconnect, then Connect again) closing late is no news.
      if (this.client !== client) return;
      this.drop();
      if (!this.wanted) return this.setState('disconnected', null);
      this.opts.log?.('warn', `${this.label}: connection lost${reason ? `: ${reason}` : ''}`);
      this.retryOrGiveUp(`connection lost${reason ? `: ${reason}` : ''}`);
    });
    // Agents that say a failed pass only on stderr are heard there (the same words: said once).
    client.transport.agentStderr?.onNote((note) => note.kind === 'watch' && this.watchFailed(client, note.text));
    this.watchdog = new AgentWatchdog(
      client,
      {
        pingIntervalMs: this.opts.pingIntervalMs ?? 15_000,
        pingDeadlineMs: this.opts.pingDeadlineMs ?? 20_000,
        staleAfterMs: this.opts.staleAfterMs ?? 5_000,
        hello: this.hello(),
      },
      {
        unresponsive: (why) => void this.replaceUnresponsive(client, why),
        waitingChanged: () => this.client === client && this.fire(),
        answered: () => undefined,
      },
    );
    this.watchdog.start();
  }

  /** A live-update pass failed on the agent: the data stays as it was, marked stale until new data comes. */
  private watchFailed(client: AgentConnection, message: string): void {
    if (this.client !== client || this.opts.watchIntervalMs <= 0) return;
    const why = `live updates failed: ${message.replace(/^watch: /, '')}`;
    if (this.staleWhy === why) return;
    this.opts.log?.('warn', `${this.label}: ${why}`);
    this.staleWhy = why;
    this.fire();
  }

  /** Lets go of the current client: its watchdog stops, and what the data is as of is kept. */
  private drop(): void {
    this.freshAt = this.model.snapshot ? this.dataAsOf() : null;
    this.watchdog?.stop();
    this.watchdog = null;
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.stableTimer = null;
    this.client = null;
  }

  /** The watchdog's verdict (or Retry on a silent agent): kill this agent, start another. */
  private async replaceUnresponsive(client: AgentConnection, why: string): Promise<void> {
    if (this.client !== client) return;
    this.drop();
    this.unresponsive = true;
    this.opts.log?.('warn', `${this.label}: agent pid ${client.info.pid} stopped answering (${why}); killing it and starting another`);
    this.setState('reconnecting', `unresponsive: ${why}`);
    await client.kill().catch(() => undefined);
    if (!this.wanted) return;
    this.retryOrGiveUp(`unresponsive: ${why}`);
  }

  /**
   * After a failure: wait and try again, or, with the attempts used up, stop and say so (the node shows
   * "failed" with the reason and a Retry). The state changes once, after the retry is set, so whoever
   * reads `health` at that change sees "restarting", never a "failed" that is not.
   */
  private retryOrGiveUp(reason: string): void {
    const before = this.attempt;
    this.scheduleRetry();
    if (this.wanted && !this.retryTimer && this.opts.maxReconnectAttempts > 0) {
      reason = `${reason} (gave up after ${before} ${before === 1 ? 'retry' : 'retries'})`;
      this.opts.log?.('error', `${this.label}: ${reason}; Retry connects again`);
    }
    this.setState('disconnected', reason);
  }

  private scheduleRetry(): void {
    if (!this.wanted || this.attempt >= this.opts.maxReconnectAttempts) return;
    const delay = Math.min(30_000, (this.opts.baseDelayMs ?? 1000) * 2 ** this.attempt);
    this.attempt++;
    this.opts.log?.(
      'info',
      `${this.label}: reconnecting in ${Math.round(delay / 1000)} s (attempt ${this.attempt} of ${this.opts.maxReconnectAttempts})`,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.tryConnect(true).catch(() => undefined);
    }, delay);
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  async refresh(): Promise<void> {
    const client = this.client;
    if (!client) throw new Error(`${this.label} is not connected${this.reasonValue ? ` (${this.reasonValue})` : ''}`);
    let snapshot: Snapshot;
    try {
      snapshot = await client.request('snapshot', {});
    } catch (err) {
      if (this.client === client) {
        // The tree keeps what it had, marked: never old data shown as live.
        this.staleWhy = `refresh failed: ${(err as Error).message.split('\n')[0]}`;
        this.fire();
      }
      throw err;
    }
    if (this.client !== client) return;
    this.model.setSnapshot(snapshot);
    this.freshAt = Date.now();
    if (this.staleWhy) {
      this.staleWhy = null;
      this.fire();
    }
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    this.unresponsive = false;
    this.cancelRetry();
    const c = this.client;
    // An agent that is not answering reads no end of its channel either: kill it rather than close.
    const silent = this.watchdog?.waiting() != null;
    this.drop();
    this.freshAt = null;
    this.staleWhy = null;
    await (silent ? c?.kill() : c?.close());
    this.model.clear();
    this.setState('disconnected', null);
  }
}
