/**
 * The layer explorer's page: the stack on the left, the selected layer's files on the right (the layer
 * alone, or the aggregated view up to it), efficiency and wasted space below. Directories come from the
 * agent a page at a time as they are expanded and scrolled to; the tree is a virtual list.
 */
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { LayerReport } from '../../../../server/protocol';
import { NodePanelBridge } from '../../web/bridge';
import { el } from '../../web/dom';
import { PAGE_SIZE, type LayerExplorerContract } from '../contract';
import { ExplorerTree, type Row } from './explorerTree';
import { rowView } from './rowView';
import { headerLine, stackView, wastedView } from './stackView';
import { VirtualList } from './virtualList';

interface ViewState {
  layer: number;
  merged: boolean;
  changesOnly: boolean;
  pattern: string;
  expanded: string[];
}

/** Expanded directories kept across a reload: enough for any hand-made state, bounded against a runaway one. */
const MAX_KEPT_EXPANDED = 500;
const ROW_HEIGHT = 22;

const bridge = new NodePanelBridge<LayerExplorerContract>();
const root = document.getElementById('root')!;
const saved = bridge.viewState as Partial<ViewState> | undefined;
const view: ViewState = {
  layer: typeof saved?.layer === 'number' ? saved.layer : 0,
  merged: saved?.merged === true,
  changesOnly: saved?.changesOnly === true,
  pattern: typeof saved?.pattern === 'string' ? saved.pattern : '',
  expanded: Array.isArray(saved?.expanded) ? saved.expanded.filter((p): p is string => typeof p === 'string') : [],
};
let report: LayerReport | null = null;
let tree = new ExplorerTree(view.expanded);
/** Answers to requests of an older view (another layer, other filters) are dropped. */
let generation = 0;

const problem = el('p', { class: 'error', role: 'alert' });
const title = el('h1', {}, 'Layers');
const header = el('div');
const stackBox = el('aside', { class: 'stack-box' });
const counts = el('span', { class: 'counts muted' });
const wastedBox = el('section', { class: 'wasted-box' });

const list = new VirtualList<Row>({
  rowHeight: ROW_HEIGHT,
  render: (row) =>
    rowView(row, {
      toggle: (path) => {
        tree.toggle(path);
        persist();
        refresh();
      },
      open: (path) => void bridge.request('openFile', { layer: view.layer, merged: true, path }).catch(say),
      compare: (path, layer) => void bridge.request('compareBelow', { layer, merged: true, path }).catch(say),
    }),
  onVisible: (rows) => {
    for (const r of rows) if (r.kind === 'more' && !tree.dir(r.dir)?.loading) load(r.dir, r.loaded);
  },
});

const aggregated = el('vscode-checkbox', { label: 'Aggregated (merged up to this layer)' });
const changesOnly = el('vscode-checkbox', { label: 'Changes only' });
const pattern = el('vscode-textfield', { placeholder: 'Path filter: *.so, /usr/**, or text', 'aria-label': 'Path filter' });
aggregated.checked = view.merged;
changesOnly.checked = view.changesOnly;
pattern.value = view.pattern;
aggregated.addEventListener('change', () => setView({ merged: Boolean(aggregated.checked) }));
changesOnly.addEventListener('change', () => setView({ changesOnly: Boolean(changesOnly.checked) }));
let typing: ReturnType<typeof setTimeout> | undefined;
pattern.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => setView({ pattern: pattern.value.slice(0, 1024) }), 300);
});

function say(e: Error): void {
  problem.replaceChildren(e.message);
}

function persist(): void {
  view.expanded = [...tree.expanded].slice(0, MAX_KEPT_EXPANDED);
  bridge.saveView(view);
}

function setView(change: Partial<ViewState>): void {
  Object.assign(view, change);
  generation++;
  // A new view starts from its root; directories open in the old one stay open where they exist.
  tree = new ExplorerTree(tree.expanded);
  persist();
  renderStack();
  refresh();
}

function load(path: string, offset: number): void {
  const gen = generation;
  tree.startLoading(path);
  bridge
    .request('explore', {
      layer: view.layer,
      path,
      merged: view.merged,
      offset,
      limit: PAGE_SIZE,
      changesOnly: view.changesOnly,
      pattern: view.pattern,
    })
    .then(
      (page) => {
        if (gen !== generation) return;
        tree.addPage(page);
        if (page.problems.length) problem.replaceChildren(page.problems.map((p) => p.message).join('; '));
        refresh();
      },
      (e: Error) => {
        if (gen !== generation) return;
        tree.failed(path, e.message);
        refresh();
      },
    );
}

/** Loads what is shown but not loaded, then redraws the list and the root's counts. */
function refresh(): void {
  for (const p of tree.wanted()) load(p, 0);
  list.setRows(tree.rows());
  const m = tree.dir('/')?.marks;
  counts.textContent = m ? `/ : ${m.A} added · ${m.M} modified · ${m.R} removed · ${m.U} unmodified` : '';
}

function renderStack(): void {
  if (!report) return;
  stackBox.replaceChildren(stackView(report, view.layer, (i) => i !== view.layer && setView({ layer: i })));
}

function layout(): void {
  const files = el(
    'section',
    { class: 'files' },
    el('div', { class: 'toolbar' }, aggregated, changesOnly, pattern, el('span', { class: 'spacer' }), counts),
    list.element,
  );
  root.replaceChildren(
    title,
    header,
    problem,
    el('div', { class: 'explorer' }, stackBox, files),
    el('h2', {}, 'Efficiency and wasted space'),
    wastedBox,
  );
}

function loadReport(): void {
  bridge.request('report', null).then(
    (r) => {
      report = r;
      if (!r.layers.some((l) => l.index === view.layer)) view.layer = r.layers[0]?.index ?? 0;
      title.textContent = `Layers of ${r.target.name}`;
      header.replaceChildren(headerLine(r));
      wastedBox.replaceChildren(wastedView(r));
      renderStack();
      refresh();
    },
    (e: Error) => {
      root.replaceChildren(title, el('p', { class: 'error', role: 'alert' }, e.message));
    },
  );
}

bridge.on('init', (init) => {
  title.textContent = `Layers of ${init.subject?.slice(0, 12) ?? '?'} · ${init.nodeLabel}`;
});
bridge.on('connection', (c) => {
  if (!c.connected) return void problem.replaceChildren(`Not connected${c.reason ? `: ${c.reason}` : ''}.`);
  problem.replaceChildren();
  // (Re)connected: the stack may have changed; read it again and start the tree over.
  generation++;
  tree = new ExplorerTree(tree.expanded);
  layout();
  loadReport();
});
layout();
bridge.ready();
