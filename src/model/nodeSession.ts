/**
 * One node the user can connect to: its connection state, its agent client and its snapshot model.
 * Reconnects with exponential backoff after a drop (never after a disconnect the user asked for, and
 * never past `maxAttempts`; 0 turns it off). No vscode import.
 */
import { connectAgent, type AgentClient } from '../connection/agentClient';
import type { AgentTransport } from '../connection/transport';
import type { Snapshot } from '../../server/protocol';
import { NodeModel } from './nodeModel';

export type NodeState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

export interface SessionOptions {
  watchIntervalMs: number;
  maxReconnectAttempts: number;
  clientVersion: string;
  /** First retry delay; doubles each attempt up to 30 s. */
  baseDelayMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

export class NodeSession {
  readonly model = new NodeModel();
  private client: AgentClient | null = null;
  private stateValue: NodeState = 'disconnected';
  private reasonValue: string | null = null;
  private wanted = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** The connection attempt under way: a second Connect (a click while expanding) joins it. */
  private pending: Promise<void> | null = null;
  private readonly stateListeners: (() => void)[] = [];

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

  private tryConnect(reconnecting: boolean): Promise<void> {
    if (!this.pending) this.pending = this.attemptConnect(reconnecting).finally(() => (this.pending = null));
    return this.pending;
  }

  private async attemptConnect(reconnecting: boolean): Promise<void> {
    this.setState(reconnecting ? 'reconnecting' : 'connecting');
    let client: AgentClient | undefined;
    let snapshot: Snapshot;
    try {
      const transport = await this.open(reconnecting);
      if (!this.wanted) {
        // Disconnected while the transport was opening: do not leave an agent running for nobody.
        await transport.close().catch(() => undefined);
        return;
      }
      client = await connectAgent(transport, { watchIntervalMs: this.opts.watchIntervalMs, clientVersion: this.opts.clientVersion });
      snapshot = await client.request('snapshot', {});
    } catch (err) {
      // connectAgent closes its transport when the handshake fails; a failed first snapshot leaves the
      // agent running, so close it here.
      await client?.close().catch(() => undefined);
      const msg = (err as Error).message.split('\n')[0];
      this.opts.log?.('error', `${this.label}: ${msg}`);
      this.setState('disconnected', msg);
      if (reconnecting) this.scheduleRetry();
      throw err;
    }
    if (!this.wanted) {
      await client.close().catch(() => undefined);
      return;
    }
    this.model.setSnapshot(snapshot);
    this.client = client;
    this.attempt = 0;
    client.onChanged((n) => {
      // Out-of-order or early deltas: fetch a whole snapshot rather than show something wrong.
      if (!this.model.apply(n)) void this.refresh().catch(() => undefined);
    });
    client.onClose((reason) => {
      // A client we already let go of (Disconnect, then Connect again) closing late is no news.
      if (this.client !== client) return;
      this.client = null;
      if (!this.wanted) return this.setState('disconnected', null);
      this.opts.log?.('warn', `${this.label}: connection lost${reason ? `: ${reason}` : ''}`);
      this.setState('disconnected', `connection lost${reason ? `: ${reason}` : ''}`);
      this.scheduleRetry();
    });
    this.opts.log?.('info', `${this.label}: connected (agent ${client.info.agentVersion}, pid ${client.info.pid} on ${client.info.hostname})`);
    this.setState('connected', null);
  }

  private scheduleRetry(): void {
    if (!this.wanted || this.attempt >= this.opts.maxReconnectAttempts) return;
    const delay = Math.min(30_000, (this.opts.baseDelayMs ?? 1000) * 2 ** this.attempt);
    this.attempt++;
    this.opts.log?.('info', `${this.label}: reconnecting in ${Math.round(delay / 1000)} s (attempt ${this.attempt} of ${this.opts.maxReconnectAttempts})`);
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
    if (!this.client) throw new Error(`${this.label} is not connected`);
    this.model.setSnapshot(await this.client.request('snapshot', {}));
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    this.cancelRetry();
    const c = this.client;
    this.client = null;
    await c?.close();
    this.model.clear();
    this.setState('disconnected', null);
  }
}
