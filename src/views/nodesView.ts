/**
 * The Nodes view: a thin adapter from row shapes (tree/*.ts, one module per kind) to VS Code TreeItems.
 * Expanding a disconnected SSH node connects it; expanding a layer asks the agent to scan it, once.
 * Each node's snapshot is indexed once per change (tree/snapshotIndex.ts); hovers are made on hover.
 */
import * as vscode from 'vscode';
import type { NodeSession } from '../model/nodeSession';
import { describeHealth, type NodeHealth } from '../model/nodeHealth';
import type { NodeRegistry } from '../nodes/registry';
import { plural } from '../../server/units';
import { escapeControls } from '../../server/escapeControls';
import type { ScanState, TreeItemShape } from './tree/item';
import { nodeChildren } from './tree/node';
import { containerSections, containersOf, runtimeGroups } from './tree/container';
import { sectionChildren } from './tree/section';
import { namespacesOfType, namespaceTypes } from './tree/namespace';
import { layerParts, layerUsers, nodeLayers } from './tree/layer';
import { problemItems } from './tree/problem';
import { SnapshotIndex } from './tree/snapshotIndex';
import { tooltipOf } from './tree/tooltip';
import type { NodeElement } from './nodeElement';

function nodeIcon(kind: NodeHealth['kind']): vscode.ThemeIcon {
  switch (kind) {
    case 'live':
      return new vscode.ThemeIcon('vm-active');
    case 'stale':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
    case 'connecting':
    case 'restarting':
      return new vscode.ThemeIcon('loading~spin');
    case 'off':
      return new vscode.ThemeIcon('vm');
  }
}

export type { NodeElement } from './nodeElement';

export class NodesView implements vscode.TreeDataProvider<NodeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<NodeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Per node: layer path → scan. */
  private readonly scans = new Map<string, Map<string, ScanState>>();
  private readonly roots = new Map<string, NodeElement>();
  /** Per node: its snapshot indexed, dropped whenever the model changes (deltas change it in place). */
  private readonly indexes = new Map<string, SnapshotIndex>();
  /**
   * Elements by id, reused across getChildren calls: VS Code refreshes exactly the element object it was
   * given, so a targeted refresh needs the same object that the tree holds.
   */
  private readonly elements = new Map<string, NodeElement>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly nodes: NodeRegistry) {
    this.subscriptions = [
      nodes.onDidChange((session) => {
        if (session && session.state !== 'connected') this.scans.delete(session.id);
        if (session) this.indexes.delete(session.id);
        else this.indexes.clear();
        this.changed.fire(session ? this.rootOf(session) : undefined);
      }),
      // The agent reports changes every few seconds; refresh only what they touch, so the rest of the
      // tree (and whatever the user is clicking) stays put.
      nodes.onDidChangeModel(({ session, change }) => {
        this.indexes.delete(session.id);
        for (const id of change.removed) this.forget(`${session.id}|${session.id}/c/${id}`);
        if (change.full) {
          this.forget(`${session.id}|`);
          // A new full snapshot (Refresh) rescans too: the upper layers change as containers write.
          this.scans.delete(session.id);
        }
        if (change.full || change.added.length || change.removed.length) return this.changed.fire(this.rootOf(session));
        const fire = (id: string) => {
          const el = this.elements.get(`${session.id}|${id}`);
          if (el) this.changed.fire(el);
        };
        for (const id of change.containers) fire(`${session.id}/c/${id}`);
        if (change.namespaces) fire(`${session.id}/namespaces`);
        if (change.layers) fire(`${session.id}/layers`);
      }),
    ];
  }

  private rootOf(session: NodeSession): NodeElement {
    let el = this.roots.get(session.id);
    if (!el) this.roots.set(session.id, (el = { session }));
    return el;
  }

  /** Drops cached elements under a key prefix (a removed container, or a whole node on a full refresh). */
  private forget(prefix: string): void {
    for (const key of [...this.elements.keys()]) if (key.startsWith(prefix)) this.elements.delete(key);
  }

  private element(session: NodeSession, item: TreeItemShape, parent: NodeElement): NodeElement {
    const key = `${session.id}|${item.id}`;
    const el = this.elements.get(key);
    if (el) {
      el.item = item;
      el.parent = parent;
      return el;
    }
    const created = { session, item, parent };
    this.elements.set(key, created);
    return created;
  }

  private scansOf(session: NodeSession): Map<string, ScanState> {
    let m = this.scans.get(session.id);
    if (!m) this.scans.set(session.id, (m = new Map<string, ScanState>()));
    return m;
  }

  /** The node's snapshot, indexed once until its model changes again; undefined before the first one. */
  private indexOf(session: NodeSession): SnapshotIndex | undefined {
    const snap = session.model.snapshot;
    if (!snap) return undefined;
    let ix = this.indexes.get(session.id);
    if (ix?.snapshot !== snap) this.indexes.set(session.id, (ix = new SnapshotIndex(snap)));
    return ix;
  }

  getTreeItem(el: NodeElement): vscode.TreeItem {
    if (!el.item) return this.nodeItem(el.session);
    const d = el.item;
    // Labels carry names a container chose (process names, files, hostnames): control characters are
    // shown escaped, as the CLI shows them, never handed to the page raw.
    const item = new vscode.TreeItem(
      escapeControls(d.label),
      d.expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `${el.session.id}|${d.id}`;
    item.description = d.description === undefined ? undefined : escapeControls(d.description);
    if (d.icon) item.iconPath = new vscode.ThemeIcon(d.icon);
    item.contextValue = d.contextValue;
    return item;
  }

  /** The hover, made only for the row hovered (VS Code asks when `tooltip` is unset). */
  resolveTreeItem(item: vscode.TreeItem, el: NodeElement): vscode.TreeItem {
    const ix = el.item && this.indexOf(el.session);
    const tooltip = ix && tooltipOf(el.item!, ix);
    if (tooltip) item.tooltip = new vscode.MarkdownString(tooltip);
    return item;
  }

  /**
   * A node's row says what state it is really in (nodeHealth.ts): live, or stale since when (its data
   * stays listed, marked), restarting its agent, or failed with the error and a Retry.
   */
  private nodeItem(s: NodeSession): vscode.TreeItem {
    const item = new vscode.TreeItem(
      s.label,
      s.kind === 'local' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = s.id;
    const snap = s.model.snapshot;
    const health = s.health;
    const words = describeHealth(health);
    // "hostname": a bare `vm` beside the node's own label read as a mystery word.
    const facts = snap ? `hostname ${snap.host.hostname} · ${plural(snap.containers.length, 'container')}` : null;
    // The state comes first: a narrow sidebar cuts the end of a description off.
    item.description =
      health.kind === 'live' && facts ? facts : health.kind === 'stale' && facts ? `${words.short} · ${facts}` : words.short;
    const about = snap
      ? `kernel ${snap.host.kernel} (${snap.host.arch}), cgroup ${snap.host.cgroupVersion}, ${plural(snap.host.processCount, 'process', 'processes')}${s.agent ? `\n\nagent ${s.agent.info.agentVersion} (pid ${s.agent.info.pid}) as uid ${s.agent.info.uid}` : ''}`
      : '';
    item.tooltip = new vscode.MarkdownString(
      health.kind === 'live' && snap
        ? `**${s.label}** — the node's hostname is \`${snap.host.hostname}\`\n\n${about}`
        : `**${s.label}**: ${words.detail}${about ? `\n\n${about}` : ''}`,
    );
    item.iconPath = nodeIcon(health.kind);
    // The kind of row, then how it is: menus match `^node\.connected` and the suffix (Retry).
    const suffix = health.kind === 'stale' || health.kind === 'failed' || health.kind === 'restarting' ? `.${health.kind}` : '';
    item.contextValue = `node.${s.state === 'connected' ? 'connected' : 'disconnected'}.${s.kind}${suffix}`;
    return item;
  }

  /** What VS Code needs to reveal a row: the element it was listed under (a node's row has none). */
  getParent(el: NodeElement): NodeElement | undefined {
    return el.item ? (el.parent ?? this.rootOf(el.session)) : undefined;
  }

  /**
   * The container's own row of the tree (the element VS Code holds), found by listing node → Containers →
   * its engine's group as the tree lists them; undefined when the node no longer lists it.
   */
  containerRow(session: NodeSession, containerId: string): NodeElement | undefined {
    const containers = this.childrenOf(this.rootOf(session)).find((el) => el.item?.kind === 'containers');
    for (const group of containers ? this.childrenOf(containers) : [])
      for (const row of this.childrenOf(group)) if (row.item?.kind === 'container' && row.item.containerId === containerId) return row;
    return undefined;
  }

  getChildren(el?: NodeElement): NodeElement[] {
    // VS Code shows an empty subtree when this throws: say what went wrong in the log instead.
    try {
      return this.childrenOf(el);
    } catch (err) {
      this.nodes.log.error(`tree: children of ${el?.item?.id ?? el?.session.id ?? 'root'}: ${(err as Error).stack ?? err}`);
      return [];
    }
  }

  private childrenOf(el?: NodeElement): NodeElement[] {
    if (!el) return this.nodes.all.map((s) => this.rootOf(s));
    const s = el.session;
    const ix = this.indexOf(s);
    if (!el.item) {
      if (s.state === 'disconnected' && !s.reason) void this.nodes.connect(s);
      // Data kept through a restart or a failure stays listed: the node's row says it is stale.
      return ix ? nodeChildren(s.id, ix).map((item) => this.element(s, item, el)) : [];
    }
    if (!ix) return [];
    const d = el.item;
    const wrap = (items: TreeItemShape[]): NodeElement[] => items.map((item) => this.element(s, item, el));
    switch (d.kind) {
      case 'containers':
        return wrap(runtimeGroups(s.id, ix));
      case 'runtime':
        return wrap(containersOf(s.id, ix, d.runtime));
      case 'container': {
        const c = ix.container(d.containerId);
        return c ? wrap(containerSections(s.id, c)) : [];
      }
      case 'section': {
        const c = ix.container(d.containerId);
        if (!c) return [];
        const items = wrap(sectionChildren(s.id, ix, c, d.section, this.scansOf(s)));
        // Whiteout and opaque counts belong on the layer rows as soon as the Layers section opens.
        if (d.section === 'layers') void this.scanInTurn(items);
        return items;
      }
      case 'nodeNamespaces':
        return wrap(namespaceTypes(s.id, ix));
      case 'nsType':
        return wrap(namespacesOfType(s.id, ix, d.nsType));
      case 'nodeLayers':
        return wrap(nodeLayers(s.id, ix, this.scansOf(s)));
      case 'problems':
        return wrap(problemItems(d.id, ix.snapshot.problems));
      case 'layer': {
        const path = d.ref.path;
        const scan = this.scansOf(s).get(path);
        if (!scan) void this.scan(el, path);
        const users = d.containerId ? [] : layerUsers(d.id, ix, path);
        return wrap([...users, ...layerParts(d.id, scan)]);
      }
      default:
        return [];
    }
  }

  /**
   * Scans the layers listed one after another, not all at once: a scan walks a whole layer directory and
   * the node is someone's production machine. All are marked first, so the refreshes each finished scan
   * causes (which list the section again) do not start a second round.
   */
  private async scanInTurn(layers: NodeElement[]): Promise<void> {
    const scans = layers.length ? this.scansOf(layers[0].session) : undefined;
    const todo = layers.flatMap((el) =>
      el.item?.kind === 'layer' && el.item.verified && !scans!.has(el.item.ref.path) ? [{ el, path: el.item.ref.path }] : [],
    );
    for (const { path } of todo) scans!.set(path, 'loading');
    for (const { el, path } of todo) await this.scan(el, path);
  }

  private async scan(el: NodeElement, layerPath: string): Promise<void> {
    const scans = this.scansOf(el.session);
    const client = el.session.agent;
    if (!client) return void scans.delete(layerPath);
    scans.set(layerPath, 'loading');
    try {
      scans.set(layerPath, await client.request('layer.scan', { path: layerPath }));
    } catch (err) {
      scans.set(layerPath, { error: (err as Error).message });
    }
    // The parent lists the layer with its scan counts: refreshing it recomputes the layer's row too.
    this.changed.fire(el.parent ?? el);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }
}
