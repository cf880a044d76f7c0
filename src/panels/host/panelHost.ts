/**
 * The extension side of one webview panel, whatever it shows. It owns the protocol of src/panels/protocol.ts:
 * posts wait until the page says `ready` (a post before that is lost), requests are checked and answered,
 * notifications are posted in order, and everything registered with {@link PanelHost.track} is disposed with
 * the panel (posting to a disposed webview throws).
 */
// Types only: the host's logic runs (and is unit-tested) with any object shaped like a WebviewPanel.
import type * as vscode from 'vscode';
import { parseFromPage, type PanelContract, type ParamsCheck, type ToPage } from '../protocol';

/** How a host answers each request of contract C: a params check (the page is less trusted) and a handler. */
export type RequestHandlers<C extends PanelContract> = {
  [M in keyof C['requests']]: {
    check: ParamsCheck;
    run: (params: C['requests'][M]['params']) => Promise<C['requests'][M]['result']> | C['requests'][M]['result'];
  };
};

export class PanelHost<C extends PanelContract> implements vscode.Disposable {
  private ready = false;
  private queue: ToPage[] = [];
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly readyListeners: (() => void)[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly handlers: RequestHandlers<C>,
    private readonly log?: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Runs `fn` when the page says ready: at once if it has, and again after a reload of the page. */
  onReady(fn: () => void): void {
    this.readyListeners.push(fn);
    if (this.ready) fn();
  }

  /** Posts a notification, or queues it until the page is ready. */
  notify<M extends keyof C['notifications'] & string>(method: M, params: C['notifications'][M]): void {
    this.post({ kind: 'notify', method, params });
  }

  /** Disposed with the panel: model listeners, timers, event subscriptions. */
  track(d: vscode.Disposable | (() => void)): void {
    const disposable = typeof d === 'function' ? { dispose: d } : d;
    if (this.disposed) disposable.dispose();
    else this.disposables.push(disposable);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.queue = [];
    for (const d of this.disposables.splice(0)) {
      try {
        d.dispose();
      } catch {
        // One listener failing to detach must not keep the others attached.
      }
    }
    this.panel.dispose();
  }

  private post(m: ToPage): void {
    if (this.disposed) return;
    if (!this.ready) {
      this.queue.push(m);
      return;
    }
    void this.panel.webview.postMessage(m);
  }

  private async receive(raw: unknown): Promise<void> {
    const m = parseFromPage(raw);
    if (typeof m === 'string') {
      this.log?.warn(`panel ${this.panel.viewType}: refused a message from the page: ${m}`);
      return;
    }
    if (m.kind === 'ready') {
      // A page that reloads (the webview was hidden and its context dropped) says ready again and gets
      // what its listeners post anew; nothing queued for the old page is replayed.
      const wasReady = this.ready;
      this.ready = true;
      if (!wasReady) for (const q of this.queue.splice(0)) void this.panel.webview.postMessage(q);
      for (const fn of [...this.readyListeners]) fn();
      return;
    }
    const h = Object.prototype.hasOwnProperty.call(this.handlers, m.method) ? this.handlers[m.method as keyof C['requests']] : undefined;
    if (!h) return this.post({ kind: 'response', id: m.id, error: `unknown request ${m.method}` });
    const bad = h.check(m.params);
    if (bad !== null) {
      this.log?.warn(`panel ${this.panel.viewType}: refused ${m.method}: ${bad}`);
      return this.post({ kind: 'response', id: m.id, error: `${m.method}: ${bad}` });
    }
    try {
      const result = await h.run(m.params);
      this.post({ kind: 'response', id: m.id, result });
    } catch (e) {
      this.post({ kind: 'response', id: m.id, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
