/**
 * The layer graph page: the snapshot's layer graph (src/model/graph/layerGraph.ts) on a canvas, a side
 * pane with the selection's details and the shared layers, exports. A delta rebuilds the model (cheap) and
 * updates boxes in place; the layout runs again only when nodes or edges came or went.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { Graph, GraphNode } from '../../../model/graph/graphModel';
import { buildLayerGraph } from '../../../model/graph/layerGraph';
import type { ContainerAction } from '../../nodePanelContract';
import { NodePanelBridge } from '../../web/bridge';
import { el, icon } from '../../web/dom';
import { SnapshotStore } from '../../web/snapshotStore';
import type { LayerGraphContract } from '../contract';
import { LayerCanvas, readLayerPalette } from './layerCanvas';
import { containerDetails, layerDetails, sharedLayers, type DetailsActions, type FactsState } from './layerDetails';
import { drawnGraph } from './layerElements';
import { layerGraphSvg } from './layerExport';

interface ViewState {
  selected: string | null;
}

const bridge = new NodePanelBridge<LayerGraphContract>();
const store = new SnapshotStore(bridge);
const root = document.getElementById('root')!;

const summary = el('span', { class: 'muted summary' });
const problem = el('span', { class: 'error', role: 'alert' });
const canvasBox = el('div', { class: 'canvas', role: 'img', 'aria-label': 'Layer sharing graph' });
const side = el('aside', { class: 'details' });
const status = el('p', { class: 'muted status' });

function toolButton(label: string, codicon: string, title: string, onClick: () => void): HTMLElement {
  const b = el(
    'vscode-button',
    { secondary: '', title, 'data-tool': label.toLowerCase().replace(/\s+/g, '-') },
    icon(codicon),
    ` ${label}`,
  );
  b.addEventListener('click', onClick);
  return b;
}

/** Cytoscape draws on a canvas; happy-dom (the page tests) has none, so the graph runs headless there. */
function canDraw(): boolean {
  try {
    return !!document.createElement('canvas').getContext('2d');
  } catch {
    return false;
  }
}

let palette = readLayerPalette();
let graph: Graph = { nodes: [], edges: [] };
let selected: string | null = (bridge.viewState as ViewState | undefined)?.selected ?? null;
/** Walks answered, per layer and its users: a layer whose users changed may have been walked through a container that left. */
const facts = new Map<string, FactsState>();
const factsKey = (n: GraphNode): string => `${n.id}\u0000${(n.usedBy ?? []).join(',')}`;

const actions: DetailsActions = {
  select: (id) => {
    select(id);
    canvas.select(id);
    canvas.centre(id);
  },
  act: (action: ContainerAction, containerId: string) => {
    bridge.request('containerAction', { action, containerId }).then(
      () => problem.replaceChildren(),
      (e: Error) => problem.replaceChildren(e.message),
    );
  },
};

function save(name: string, text: string, base64 = false): void {
  bridge.request('saveFile', base64 ? { name, base64: text } : { name, text }).then(
    () => problem.replaceChildren(),
    (e: Error) => problem.replaceChildren(e.message),
  );
}
const fileBase = () => `layers-${(bridge.init?.nodeLabel ?? 'node').replace(/[^\w.-]+/g, '_')}`;

root.replaceChildren(
  el(
    'div',
    { class: 'toolbar' },
    summary,
    el('span', { class: 'spacer' }),
    toolButton('Fit', 'screen-full', 'Show the whole graph', () => canvas.cy.fit(undefined, 24)),
    toolButton('SVG', 'file-media', 'Export the graph as SVG', () => save(`${fileBase()}.svg`, layerGraphSvg(canvas.cy, palette))),
    toolButton('PNG', 'file-media', 'Export the graph as PNG', () =>
      save(
        `${fileBase()}.png`,
        canvas.cy.png({ output: 'base64', full: true, bg: palette.background, scale: 2, maxWidth: 8000, maxHeight: 8000 }),
        true,
      ),
    ),
    toolButton('JSON', 'json', 'Export the graph’s data as JSON (as nodescope graph layers --format json)', () =>
      save(`${fileBase()}.json`, JSON.stringify(graph, null, 2)),
    ),
  ),
  problem,
  status,
  el('div', { class: 'body' }, canvasBox, side),
);
// After the box is in the page: cytoscape measures its container when it starts.
const canvas = new LayerCanvas(canDraw() ? canvasBox : null, palette);

function nodeById(id: string | null): GraphNode | undefined {
  return id === null ? undefined : graph.nodes.find((n) => n.id === id);
}

/** Asks the agent for a layer's walks once per selection of a layer it has not answered for. */
function loadFacts(n: GraphNode): void {
  const user = n.usedBy?.includes(bridge.init?.subject ?? '') ? bridge.init!.subject! : n.usedBy?.[0];
  const key = factsKey(n);
  if (!n.path || n.unverified || !user || facts.has(key)) return;
  facts.set(key, { state: 'loading' });
  bridge
    .request('layerFacts', { path: n.path, containerId: user })
    .then(
      (f) => facts.set(key, { state: 'done', facts: f }),
      (e: Error) => facts.set(key, { state: 'failed', reason: e.message }),
    )
    .finally(() => {
      if (selected === n.id) renderSide();
    });
}

function renderSide(): void {
  const s = store.snapshot;
  if (!s) return side.replaceChildren();
  const n = nodeById(selected);
  const pane = !n
    ? el('p', { class: 'muted' }, 'Select a container or a layer.')
    : n.kind === 'layer'
      ? layerDetails(n, s, facts.get(factsKey(n)), actions)
      : containerDetails(n, s, actions);
  side.replaceChildren(pane, sharedLayers(graph.nodes, actions));
}

function select(id: string | null): void {
  selected = id;
  bridge.saveView({ selected } satisfies ViewState);
  const n = nodeById(id);
  if (n?.kind === 'layer') loadFacts(n);
  renderSide();
}

canvas.onSelect((id) => select(id));

async function redraw(): Promise<void> {
  const s = store.snapshot;
  if (!store.connected || !s) {
    status.textContent = store.connected ? 'Waiting for the node…' : `Not connected${store.reason ? `: ${store.reason}` : ''}.`;
    return;
  }
  status.textContent = '';
  graph = buildLayerGraph(s);
  const layers = graph.nodes.filter((n) => n.kind === 'layer');
  summary.textContent = `${s.containers.length} containers · ${layers.length} layers · ${layers.filter((n) => (n.usedBy?.length ?? 0) > 1).length} shared · ${layers.filter((n) => n.writable).length} writable`;
  const subject = bridge.init?.subject ? `container:${bridge.init.subject}` : null;
  if (selected === null && subject) selected = subject;
  if (selected !== null && !nodeById(selected)) selected = null;
  const n = nodeById(selected);
  if (n?.kind === 'layer') loadFacts(n);
  renderSide();
  await canvas.show(drawnGraph(graph, s), subject);
  canvas.select(selected);
}

let drawing = Promise.resolve();
store.onChange(() => {
  // One redraw at a time: a delta arriving mid-layout waits for it instead of racing it.
  drawing = drawing.then(redraw, redraw).catch((e: Error) => void problem.replaceChildren(`drawing failed: ${e.message}`));
});

// The theme changed (VS Code sets body classes): resolve the colours again.
new MutationObserver(() => {
  palette = readLayerPalette();
  canvas.setPalette(palette);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

bridge.ready();
