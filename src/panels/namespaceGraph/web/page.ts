/**
 * The namespace graph page's DOM logic: toolbar (search, type filter, exports), the details pane and the
 * view state kept across reloads. It draws through a {@link GraphView}, so tests run it in happy-dom with a
 * headless graph; main.ts wires it to cytoscape on a canvas.
 */
import { NS_TYPES, type NsType } from '../../../../server/protocol';
import { escapeControls } from '../../../../server/escapeControls';
import type { Graph, GraphNode } from '../../../model/graph/graphModel';
import { buildNamespaceGraph } from '../../../model/graph/namespaceGraph';
import type { ContainerAction } from '../../nodePanelContract';
import type { NodePanelBridge } from '../../web/bridge';
import { ContainerMenu } from '../../web/containerMenu';
import { el, icon } from '../../web/dom';
import type { SnapshotStore } from '../../web/snapshotStore';
import type { NamespaceGraphContract } from '../contract';
import { holderText, processNodeId, toViewGraph } from './elements';
import type { GraphView, Viewport } from './graphView';
import type { Palette } from './graphStyle';
import { drawnId, search, type Match } from './search';
import { toSvg } from './svgExport';

/** What a reload brings back (bridge.saveView). */
export interface NamespaceGraphView {
  hidden: NsType[];
  selected: string | null;
  expanded: string[];
  query: string;
  viewport: Viewport | null;
}

/** Pids a process group's details list before "…". */
const SHOWN_PIDS = 40;

function parseView(v: unknown): NamespaceGraphView {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Partial<Record<keyof NamespaceGraphView, unknown>>;
  const strings = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string').slice(0, 10_000) : []);
  const vp = o.viewport as Viewport | null | undefined;
  const finite = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
  return {
    hidden: strings(o.hidden).filter((t): t is NsType => (NS_TYPES as readonly string[]).includes(t)),
    selected: typeof o.selected === 'string' ? o.selected : null,
    expanded: strings(o.expanded),
    query: typeof o.query === 'string' ? o.query.slice(0, 256) : '',
    viewport:
      vp && finite(vp.zoom) && vp.zoom > 0 && finite(vp.pan?.x) && finite(vp.pan?.y)
        ? { zoom: vp.zoom, pan: { x: vp.pan.x, y: vp.pan.y } }
        : null,
  };
}

/** A field the user can type in (vscode-textfield, or a plain input in tests): both have `value`. */
type ValueElement = HTMLElement & { value: string };
type CheckElement = HTMLElement & { checked: boolean };

export class NamespaceGraphPage {
  private graph: Graph | null = null;
  private byId = new Map<string, GraphNode>();
  private readonly state: NamespaceGraphView;
  private matches: Match[] = [];
  private matchIndex = 0;
  /** Updates run one after another: a layout is async, and a delta must not overtake the snapshot. */
  private queue: Promise<void> = Promise.resolve();
  private restoredViewport = false;
  private view!: GraphView;
  /** Right-click on a container node, or its details' "More Actions": the tree's container menu. */
  readonly menu: ContainerMenu;

  readonly search: ValueElement;
  readonly count: HTMLElement;
  readonly details: HTMLElement;
  readonly status: HTMLElement;
  readonly typeBoxes = new Map<NsType, CheckElement>();

  constructor(
    private readonly root: HTMLElement,
    graphHost: HTMLElement,
    private readonly bridge: NodePanelBridge<NamespaceGraphContract>,
    private readonly store: SnapshotStore,
    private readonly palette: () => Palette,
  ) {
    this.state = parseView(bridge.viewState);
    this.menu = new ContainerMenu(bridge, { self: 'namespaceGraph', report: (m) => (this.status.textContent = m) });
    this.search = el('vscode-textfield' as 'input', {
      class: 'ng-search',
      placeholder: 'Name, id prefix, inode or pid',
      'aria-label': 'Search the graph',
    });
    this.search.value = this.state.query;
    this.search.addEventListener('input', () => this.onQuery(false));
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.onQuery(true);
    });
    this.count = el('span', { class: 'ng-count muted', 'aria-live': 'polite' });
    const types = el('div', { class: 'ng-types', role: 'group', 'aria-label': 'Namespace types shown' });
    for (const t of NS_TYPES) {
      const box = el('vscode-checkbox' as 'input', { class: `ng-type ng-type-${t}`, 'data-type': t }) as unknown as CheckElement;
      box.append(t);
      box.checked = !this.state.hidden.includes(t);
      box.addEventListener('change', () => this.onFilter());
      this.typeBoxes.set(t, box);
      types.append(box);
    }
    const button = (label: string, codicon: string, run: () => void, cls = '') => {
      const b = el(
        'vscode-button' as 'button',
        { class: `ng-button ${cls}`.trim(), secondary: '', title: label },
        icon(codicon),
        ` ${label}`,
      );
      b.addEventListener('click', run);
      return b;
    };
    const toolbar = el(
      'header',
      { class: 'ng-toolbar' },
      el('div', { class: 'ng-find' }, this.search, this.count),
      types,
      el(
        'div',
        { class: 'ng-actions' },
        button('Fit', 'screen-full', () => this.view.fit(), 'ng-fit'),
        button('SVG', 'export', () => void this.exportSvg(), 'ng-export-svg'),
        button('PNG', 'file-media', () => void this.exportPng(), 'ng-export-png'),
        button('JSON', 'json', () => void this.exportJson(), 'ng-export-json'),
      ),
    );
    this.details = el('aside', { class: 'ng-details details', 'aria-label': 'Details' });
    this.status = el('div', { class: 'ng-status muted' });
    const legend = el(
      'footer',
      { class: 'ng-legend muted' },
      el('span', { class: 'ng-key ng-key-container' }, 'container'),
      el('span', { class: 'ng-key ng-key-group' }, 'host processes'),
      el('span', { class: 'ng-key ng-key-host' }, 'host namespace'),
      el('span', { class: 'ng-key ng-key-shared' }, 'shared by containers'),
      el('span', { class: 'ng-key ng-key-hidden' }, 'hidden (fd / bind mount)'),
      el('span', { class: 'ng-key ng-key-owner' }, 'owner →'),
      el('span', { class: 'ng-key ng-key-parent' }, 'parent →'),
      this.status,
    );
    root.replaceChildren(toolbar, el('div', { class: 'ng-body' }, graphHost, this.details), legend);
    this.renderDetails();
  }

  /** Draws through `view` from now on (made after the page is laid out: cytoscape measures its container). */
  attach(view: GraphView): void {
    this.view = view;
    view.onSelect((id) => {
      this.state.selected = id;
      this.save();
      this.renderDetails();
    });
    view.onViewport((v) => {
      this.state.viewport = v;
      this.save();
    });
    view.onContext((id, x, y) => {
      const node = this.modelOf(id);
      if (node?.kind !== 'container' || !node.containerId) return;
      this.state.selected = id;
      this.view.select(id, false);
      this.save();
      this.renderDetails();
      this.menu.open(node.containerId, node.label, x, y);
    });
    this.store.onChange(() => this.enqueue(() => this.update()));
  }

  /** Resolves when every update posted so far is drawn (tests, bench). */
  settled(): Promise<void> {
    return this.queue;
  }

  private enqueue(fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn).catch((e: unknown) => {
      this.status.textContent = `Could not draw the graph: ${e instanceof Error ? e.message : String(e)}`;
    });
  }

  private async update(): Promise<void> {
    const s = this.store.snapshot;
    this.root.classList.toggle('ng-disconnected', !this.store.connected);
    if (!this.store.connected)
      this.status.textContent = `Not connected${this.store.reason ? `: ${this.store.reason}` : ''}. The graph shows the last snapshot.`;
    if (!s) return;
    this.graph = buildNamespaceGraph(s);
    this.byId = new Map(this.graph.nodes.map((n) => [n.id, n]));
    const vg = toViewGraph(this.graph, new Set(this.state.expanded), s);
    this.view.setHiddenTypes(new Set(this.state.hidden));
    const laidOut = await this.view.setGraph(vg);
    if (this.store.connected) this.status.textContent = `${this.counts()} · snapshot ${s.takenAt}`;
    if (laidOut && !this.restoredViewport) {
      this.restoredViewport = true;
      if (this.state.viewport) this.view.setViewport(this.state.viewport);
    }
    if (this.state.selected && !this.view.has(this.state.selected)) this.state.selected = null;
    // After a new layout the selection is centred again (the layout fitted the whole graph).
    this.view.select(this.state.selected, laidOut);
    if (this.state.query && !this.matches.length) this.matches = search(this.graph, s, this.state.query);
    this.showCount();
    this.renderDetails();
  }

  private counts(): string {
    let ns = 0;
    let containers = 0;
    for (const n of this.graph?.nodes ?? []) {
      if (n.kind === 'namespace') ns++;
      else if (n.kind === 'container') containers++;
    }
    return `${ns} namespaces, ${containers} containers`;
  }

  private onFilter(): void {
    this.state.hidden = NS_TYPES.filter((t) => !this.typeBoxes.get(t)!.checked);
    this.view.setHiddenTypes(new Set(this.state.hidden));
    this.save();
  }

  /** Typing finds the first match; Enter steps to the next one. */
  private onQuery(next: boolean): void {
    const q = this.search.value.slice(0, 256);
    if (q !== this.state.query || !next) {
      this.state.query = q;
      this.matches = this.graph ? search(this.graph, this.store.snapshot, q) : [];
      this.matchIndex = 0;
    } else if (this.matches.length) {
      this.matchIndex = (this.matchIndex + 1) % this.matches.length;
    }
    this.showCount();
    const m = this.matches[this.matchIndex];
    if (m) this.selectMatch(m);
    this.save();
  }

  private selectMatch(m: Match): void {
    const id = drawnId(m, new Set(this.state.expanded));
    // A match of a hidden type is shown again: the user asked for it.
    const node = this.byId.get(m.id);
    if (node?.type && this.state.hidden.includes(node.type)) {
      this.typeBoxes.get(node.type)!.checked = true;
      this.onFilter();
    }
    this.state.selected = id;
    this.view.select(id, true);
    this.renderDetails();
  }

  private showCount(): void {
    const q = this.state.query.trim();
    const m = this.matches[this.matchIndex];
    this.count.textContent = !q ? '' : this.matches.length ? `${this.matchIndex + 1} of ${this.matches.length} (${m.why})` : 'no match';
  }

  private save(): void {
    this.bridge.saveView({ ...this.state });
  }

  /** The model node behind a drawn one (an expanded process stands for its group). */
  private modelOf(id: string): GraphNode | undefined {
    const direct = this.byId.get(id);
    if (direct) return direct;
    const pid = /^process:(\d+)$/.exec(id)?.[1];
    if (pid) return this.graph?.nodes.find((n) => n.kind === 'process' && n.pids?.includes(Number(pid)));
    return undefined;
  }

  private renderDetails(): void {
    const id = this.state.selected;
    const node = id ? this.modelOf(id) : undefined;
    if (!node || !this.graph) {
      this.details.replaceChildren(
        el('h3', {}, 'Details'),
        el(
          'p',
          { class: 'muted' },
          this.graph
            ? 'Select a node, or search by container name, id prefix, namespace inode or pid.'
            : 'Waiting for the node’s snapshot…',
        ),
      );
      return;
    }
    if (node.kind === 'namespace') this.details.replaceChildren(...this.namespaceDetails(node));
    else if (node.kind === 'container') this.details.replaceChildren(...this.containerDetails(node));
    else this.details.replaceChildren(...this.groupDetails(node, id!));
  }

  private row(list: HTMLElement, term: string, ...value: (Node | string)[]): void {
    list.append(el('dt', {}, term), el('dd', { 'data-field': term.toLowerCase() }, ...value));
  }

  /** A link that selects and centres another node. */
  private link(id: string, text: string): HTMLElement {
    const b = el('button', { class: 'link', 'data-node': id }, text);
    b.addEventListener('click', () => {
      this.state.selected = id;
      this.view.select(id, true);
      this.save();
      this.renderDetails();
    });
    return b;
  }

  private namespaceDetails(n: GraphNode): Node[] {
    const g = this.graph!;
    const dl = el('dl');
    const owner = g.edges.find((e) => e.source === n.id && e.kind === 'owner');
    const parent = g.edges.find((e) => e.source === n.id && e.kind === 'parent');
    const members = g.edges.filter((e) => e.target === n.id && e.kind === 'member').map((e) => this.byId.get(e.source)!);
    const containers = members.filter((m) => m.kind === 'container');
    const groups = members.filter((m) => m.kind === 'process');
    this.row(dl, 'Type', n.type!);
    this.row(dl, 'Inode', String(n.inode));
    const marks = [
      n.host ? 'host namespace' : '',
      n.shared ? `shared by ${n.shared} containers` : '',
      n.hidden ? 'hidden: no process in it' : '',
    ].filter(Boolean);
    if (marks.length) this.row(dl, 'Marks', marks.join(' · '));
    this.row(
      dl,
      'Owner',
      owner ? this.link(owner.target, this.byId.get(owner.target)?.label ?? owner.target) : n.type === 'user' ? 'none (top)' : 'unknown',
    );
    if (n.type === 'pid' || n.type === 'user')
      this.row(dl, 'Parent', parent ? this.link(parent.target, this.byId.get(parent.target)?.label ?? parent.target) : 'none (top)');
    this.row(
      dl,
      'Holders',
      n.holders?.length
        ? el('ul', {}, ...n.holders.map((h) => el('li', {}, holderText(h))))
        : n.hidden
          ? 'child namespaces only'
          : 'its processes',
    );
    this.row(dl, 'Processes', String(n.processes ?? 0));
    const clist = el('ul', { class: 'ng-containers' });
    for (const c of containers)
      clist.append(el('li', {}, this.link(c.id, escapeControls(c.label)), ' ', ...this.actions(c.containerId!, true)));
    for (const p of groups) clist.append(el('li', {}, this.link(p.id, escapeControls(p.label))));
    this.row(dl, 'Containers', containers.length || groups.length ? clist : 'none');
    return [el('h3', {}, icon('symbol-namespace'), ` ${n.label}`), dl];
  }

  private containerDetails(n: GraphNode): Node[] {
    const g = this.graph!;
    const dl = el('dl');
    this.row(dl, 'Id', el('code', {}, escapeControls(n.containerId ?? '')));
    this.row(dl, 'Runtime', n.runtime ?? '');
    const c = this.store.snapshot?.containers.find((x) => x.id === n.containerId);
    if (c) this.row(dl, 'Processes', String(c.pids.length));
    if (n.sharesHost?.length) this.row(dl, 'Shares with host', n.sharesHost.join(', '));
    const table = el('table', { class: 'ng-ns-table' }, el('tr', {}, el('th', {}, 'type'), el('th', {}, 'inode'), el('th', {}, '')));
    const targets = g.edges.filter((e) => e.source === n.id && e.kind === 'member').map((e) => this.byId.get(e.target)!);
    targets.sort((a, b) => NS_TYPES.indexOf(a.type!) - NS_TYPES.indexOf(b.type!) || a.inode! - b.inode!);
    for (const t of targets) {
      const marks = [t.host ? 'host' : '', t.shared ? `shared ×${t.shared}` : '', t.hidden ? 'hidden' : ''].filter(Boolean).join(' ');
      table.append(
        el(
          'tr',
          { 'data-ns': t.id },
          el('td', {}, t.type!),
          el('td', {}, this.link(t.id, String(t.inode))),
          el('td', { class: 'muted' }, marks),
        ),
      );
    }
    const more = el(
      'vscode-button' as 'button',
      { class: 'ng-more', secondary: '', title: 'More Actions…', 'aria-label': 'More Actions…', 'aria-haspopup': 'menu' },
      icon('ellipsis'),
    );
    more.addEventListener('click', () => {
      const r = more.getBoundingClientRect();
      this.menu.open(n.containerId!, n.label, r.left, r.bottom, more);
    });
    return [
      el('h3', {}, icon('package'), ` ${escapeControls(n.label)}`),
      el('div', { class: 'ng-buttons' }, ...this.actions(n.containerId!, false), more),
      dl,
      el('h4', {}, 'Namespaces'),
      table,
    ];
  }

  private groupDetails(n: GraphNode, drawn: string): Node[] {
    const dl = el('dl');
    const expanded = this.state.expanded.includes(n.id);
    const pid = drawn === n.id ? undefined : Number(drawn.slice('process:'.length));
    if (pid !== undefined) {
      const p = this.store.snapshot?.processes.find((x) => x.pid === pid);
      this.row(dl, 'Pid', String(pid));
      if (p) this.row(dl, 'Command', escapeControls(p.cmdline || p.comm));
    }
    this.row(dl, 'Processes in the group', String(n.processes ?? 0));
    const pids = n.pids ?? [];
    this.row(dl, 'Pids', pids.slice(0, SHOWN_PIDS).join(' ') + (pids.length > SHOWN_PIDS ? ' …' : ''));
    const toggle = el(
      'vscode-button' as 'button',
      { class: 'ng-expand', secondary: '' },
      icon(expanded ? 'collapse-all' : 'expand-all'),
      expanded ? ' Collapse group' : ' Show each process',
    );
    toggle.addEventListener('click', () => this.toggleGroup(n.id, pid));
    return [el('h3', {}, icon('server-process'), ` ${escapeControls(pid !== undefined ? `process ${pid}` : n.label)}`), toggle, dl];
  }

  private toggleGroup(groupId: string, pid: number | undefined): void {
    const expanded = this.state.expanded.includes(groupId);
    this.state.expanded = expanded ? this.state.expanded.filter((x) => x !== groupId) : [...this.state.expanded, groupId];
    this.state.selected = expanded ? groupId : processNodeId(pid ?? this.byId.get(groupId)?.pids?.[0] ?? 0);
    this.save();
    this.enqueue(async () => {
      await this.update();
      this.view.select(this.state.selected, true);
    });
  }

  private actions(containerId: string, compact: boolean): HTMLElement[] {
    const make = (action: ContainerAction, label: string, codicon: string) => {
      const b = compact
        ? el('button', { class: 'link ng-action', 'data-action': action, title: label, 'aria-label': label }, icon(codicon))
        : el('vscode-button' as 'button', { class: 'ng-action', 'data-action': action, secondary: '' }, icon(codicon), ` ${label}`);
      b.addEventListener('click', () => {
        this.bridge.request('containerAction', { action, containerId }).catch((e: unknown) => {
          this.status.textContent = `${label}: ${e instanceof Error ? e.message : String(e)}`;
        });
      });
      return b;
    };
    return [make('enter', 'Enter', 'terminal'), make('reveal', 'Reveal in Tree', 'list-tree'), make('inspect', 'Inspect', 'json')];
  }

  private fileName(ext: string): string {
    const node = (this.bridge.init?.nodeLabel ?? 'node').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64);
    return `namespaces-${node}.${ext}`;
  }

  private async saveExport(name: string, body: { text?: string; base64?: string }): Promise<void> {
    try {
      await this.bridge.request('saveFile', { name, ...body });
    } catch (e) {
      this.status.textContent = `Export failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  exportSvg(): Promise<void> {
    return this.saveExport(this.fileName('svg'), { text: toSvg(this.view.placed(), this.palette()) });
  }

  exportPng(): Promise<void> {
    return this.saveExport(this.fileName('png'), { base64: this.view.png(this.palette().background) });
  }

  exportJson(): Promise<void> {
    return this.saveExport(this.fileName('json'), { text: `${JSON.stringify(this.graph ?? { nodes: [], edges: [] }, null, 2)}\n` });
  }
}
