/**
 * Node panels: a kind of panel (namespace graph, security matrix, …) shown for one node, optionally about one
 * subject in it (a container). One place opens them, reveals an existing one instead of opening a twin, feeds
 * them the node's snapshot as changes, and brings them back after a window reload (WebviewPanelSerializer).
 *
 * A new panel is a folder src/panels/<name>/ with contract.ts (pure), host.ts (a NodePanelKind) and
 * web/main.ts (its page, a webpack entry of its own), registered in src/panels/host/allPanels.ts.
 */
import * as vscode from 'vscode';
import type { NodeSession } from '../../model/nodeSession';
import type { NodeRegistry } from '../../nodes/registry';
import type { NodePanelContract, NodePanelRequests, PersistedPanelState } from '../nodePanelContract';
import { baseRequests } from './baseRequests';
import { PanelHost, type RequestHandlers } from './panelHost';
import { panelHtml, webviewOptions } from './panelHtml';
import { feedSnapshot } from './snapshotFeed';

export interface NodePanelContext<C extends NodePanelContract> {
  session: NodeSession;
  subject: string | null;
  nodes: NodeRegistry;
  host: PanelHost<C>;
  extension: vscode.ExtensionContext;
}

export interface NodePanelKind<C extends NodePanelContract> {
  /** `nodescope.<name>`; also listed under activationEvents as onWebviewPanel:<viewType> (for restore). */
  viewType: string;
  /** The page's bundle: dist/webview/<script>.js, stylesheet media/panels/<script>.css if any. */
  script: string;
  /** Tab title, given the node's label and the subject (a container's name when there is one). */
  title(nodeLabel: string, subject: string | null, session: NodeSession): string;
  /** Codicon-style icon file in media/ for the tab. */
  icon?: string;
  /** Post the snapshot then its changes (notifications `snapshot` / `delta`). */
  feedsSnapshot: boolean;
  /**
   * The page shows live cgroup numbers (usage, PSI, …): post them as they move (`counters`, containerCounters.ts).
   * Without it the page's rows carry every counter as null (unknown) and a pass where only counters moved posts nothing.
   */
  liveCounters?: boolean;
  /** Answers to the page's requests. Called once per panel. */
  handlers(ctx: NodePanelContext<C>): KindHandlers<C>;
  /** Anything else to wire when the panel opens (timers, extra listeners: use ctx.host.track). */
  opened?(ctx: NodePanelContext<C>): void;
}

/** A kind's own request handlers: the base requests (baseRequests.ts) are answered for every kind, and a kind may override them. */
export type KindHandlers<C extends NodePanelContract> = Omit<RequestHandlers<C>, keyof NodePanelRequests> &
  Partial<Pick<RequestHandlers<C>, keyof NodePanelRequests>>;

/** Opens (or reveals) the kind's panel for a node. */
export type OpenNodePanel = (session: NodeSession, subject?: string | null) => void;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kinds of different contracts share one registry
type AnyKind = NodePanelKind<any>;

export class NodePanels implements vscode.Disposable {
  private readonly open = new Map<string, PanelHost<NodePanelContract>>();
  /** Openers by the kind's short name (its script), for pages that link to other panels. */
  private readonly openers = new Map<string, OpenNodePanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly nodes: NodeRegistry,
    private readonly log?: vscode.LogOutputChannel,
  ) {}

  /** Registers a kind (and its serializer) and returns the function that opens it. */
  register(kind: AnyKind): OpenNodePanel {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(kind.viewType, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.restore(kind, panel, state),
      }),
    );
    const opener: OpenNodePanel = (session, subject = null) => {
      const existing = this.open.get(key(kind, session.id, subject));
      if (existing && !existing.isDisposed) return existing.panel.reveal();
      const panel = vscode.window.createWebviewPanel(
        kind.viewType,
        kind.title(session.label, subject, session),
        vscode.ViewColumn.Active,
        webviewOptions(this.context.extensionUri),
      );
      this.attach(kind, panel, session, subject);
    };
    this.openers.set(kind.script, opener);
    return opener;
  }

  /** The short names (scripts) of the kinds registered so far: what a page may link to with openPanel. */
  kinds(): string[] {
    return [...this.openers.keys()];
  }

  dispose(): void {
    for (const h of this.open.values()) h.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private restore(kind: AnyKind, panel: vscode.WebviewPanel, state: unknown): void {
    const s = parseState(state);
    const session = s ? this.nodes.get(s.nodeId) : undefined;
    panel.webview.options = webviewOptions(this.context.extensionUri);
    if (!s || !session) {
      // The node is gone from the list (removed, or its SSH config entry deleted): say so in the panel.
      panel.webview.html = `<!DOCTYPE html><html><body><p>Nodescope: the node this panel showed is no longer in the Nodes view. Close this tab.</p></body></html>`;
      return;
    }
    if (session.state === 'disconnected') void session.connect().catch(() => undefined);
    this.attach(kind, panel, session, s.subject);
  }

  private attach(kind: AnyKind, panel: vscode.WebviewPanel, session: NodeSession, subject: string | null): void {
    const k = key(kind, session.id, subject);
    // The host is built before its handlers (they close over it), so its handler table is filled in after.
    const handlers = {} as RequestHandlers<NodePanelContract>;
    const host = new PanelHost<NodePanelContract>(panel, handlers, this.log);
    const ctx: NodePanelContext<NodePanelContract> = { session, subject, nodes: this.nodes, host, extension: this.context };
    const openOther = (name: string, s: NodeSession, subj: string | null) => {
      const open = this.openers.get(name);
      open?.(s, subj);
      return open !== undefined;
    };
    // The kind's own handlers may override a base one (a panel with its own export, say).
    Object.assign(handlers, baseRequests(session, openOther), kind.handlers(ctx));
    if (kind.icon) panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', kind.icon);
    panel.webview.html = panelHtml(panel.webview, this.context.extensionUri, kind.script, kind.title(session.label, subject, session));
    this.open.set(k, host);
    host.track(() => {
      if (this.open.get(k) === host) this.open.delete(k);
    });

    host.onReady(() => host.notify('init', { nodeId: session.id, nodeLabel: session.label, subject }));
    const connection = () =>
      host.notify('connection', {
        connected: session.state === 'connected',
        reason: session.state === 'connected' ? null : session.reason,
      });
    host.onReady(connection);
    host.track(session.onDidChangeState(connection));
    if (kind.feedsSnapshot) feedSnapshot(host, session.model, { counters: kind.liveCounters === true });
    kind.opened?.(ctx);
  }
}

function key(kind: AnyKind, nodeId: string, subject: string | null): string {
  return `${kind.viewType}\u0000${nodeId}\u0000${subject ?? ''}`;
}

function parseState(state: unknown): PersistedPanelState | null {
  if (typeof state !== 'object' || state === null) return null;
  const o = state as Record<string, unknown>;
  if (typeof o.nodeId !== 'string' || o.nodeId.length > 1024) return null;
  const subject = typeof o.subject === 'string' && o.subject.length <= 1024 ? o.subject : null;
  return { nodeId: o.nodeId, subject, view: o.view };
}
