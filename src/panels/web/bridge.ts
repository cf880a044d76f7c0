/**
 * The page's side of src/panels/protocol.ts: `request` returns a promise the host's response settles,
 * `on` receives notifications, `ready()` is said once every listener is in place (the host queues until then).
 * The page's persisted state (setState) carries the node and subject, so the panel comes back after a reload.
 */
import type { FromPage, PanelContract, ToPage } from '../protocol';
import type { NodePanelContract, NodePanelInit, PersistedPanelState } from '../nodePanelContract';

interface VsCodeApi {
  postMessage(m: FromPage): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export class Bridge<C extends PanelContract> {
  private readonly api: VsCodeApi;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, ((p: unknown) => void)[]>();

  constructor(api: VsCodeApi = acquireVsCodeApi()) {
    this.api = api;
    window.addEventListener('message', (e: MessageEvent<ToPage>) => this.receive(e.data));
  }

  request<M extends keyof C['requests'] & string>(method: M, params: C['requests'][M]['params']): Promise<C['requests'][M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve, reject });
      this.api.postMessage({ kind: 'request', id, method, params });
    });
  }

  on<M extends keyof C['notifications'] & string>(method: M, fn: (params: C['notifications'][M]) => void): void {
    const list = this.listeners.get(method) ?? [];
    list.push(fn as (p: unknown) => void);
    this.listeners.set(method, list);
  }

  ready(): void {
    this.api.postMessage({ kind: 'ready' });
  }

  get state(): unknown {
    return this.api.getState();
  }

  setState(s: unknown): void {
    this.api.setState(s);
  }

  private receive(m: ToPage): void {
    if (typeof m !== 'object' || m === null) return;
    if (m.kind === 'response') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    } else if (m.kind === 'notify') {
      for (const fn of this.listeners.get(m.method) ?? []) fn(m.params);
    }
  }
}

/**
 * A node panel's bridge: remembers the node and subject from `init` in the page state (with the page's own
 * view state under `view`), which is what the serializer reads after a window reload.
 */
export class NodePanelBridge<C extends NodePanelContract> extends Bridge<C> {
  private initValue: NodePanelInit | null = null;

  constructor(api?: VsCodeApi) {
    super(api);
    this.on('init', (init) => {
      this.initValue = init;
      const prev = this.persisted();
      this.setState({
        nodeId: init.nodeId,
        subject: init.subject,
        view: prev?.nodeId === init.nodeId ? prev.view : undefined,
      } satisfies PersistedPanelState);
    });
  }

  get init(): NodePanelInit | null {
    return this.initValue;
  }

  /** The page's own view state from before a reload (filters, selection), if any. */
  get viewState(): unknown {
    return this.persisted()?.view;
  }

  saveView(view: unknown): void {
    const prev = this.persisted();
    this.setState({
      nodeId: prev?.nodeId ?? this.initValue?.nodeId ?? '',
      subject: prev?.subject ?? this.initValue?.subject ?? null,
      view,
    } satisfies PersistedPanelState);
  }

  private persisted(): PersistedPanelState | null {
    const s = this.state;
    return typeof s === 'object' && s !== null ? (s as PersistedPanelState) : null;
  }
}
