/**
 * The live resources page: the history the extension kept (`history`), then one `sample` per watch pass;
 * a table of every container's latest figures and the charts of the selected one. The selection and the
 * sort survive a reload (page state); the samples come back from the extension.
 */
import { NodePanelBridge } from '../../web/bridge';
import { el, icon } from '../../web/dom';
import { rowsOf, SampleRing, seriesOf, type ResourceSample, type ResourceSort } from '../../../model/resources/resourceSamples';
import type { ResourceHistoryNote, ResourcesContract } from '../contract';
import { ContainerCharts } from './charts';
import { resourcesTable } from './table';

interface ViewState {
  selected: string | null;
  sort: ResourceSort;
}

const bridge = new NodePanelBridge<ResourcesContract>();
const root = document.getElementById('root')!;
const problem = el('p', { class: 'error', role: 'alert' });
const saved = bridge.viewState as Partial<ViewState> | undefined;
const view: ViewState = { selected: typeof saved?.selected === 'string' ? saved.selected : null, sort: saved?.sort ?? 'pressure' };
let ring: SampleRing<ResourceSample> | null = null;
let intervalMs = 2000;
let connected = true;
let reason: string | null = null;
const charts = new ContainerCharts();
let chartsOf: string | null = null;

function samples(): ResourceSample[] {
  return ring?.toArray() ?? [];
}

function selectedId(all: ResourceSample[]): string | null {
  const last = all[all.length - 1];
  if (!last) return null;
  if (view.selected && last.containers.some((c) => c.id === view.selected)) return view.selected;
  return null;
}

function saveView(): void {
  bridge.saveView(view);
}

function exportJson(): void {
  const id = selectedId(samples());
  const data = id ? { container: id, series: seriesOf(samples(), id) } : { samples: samples() };
  bridge.request('saveFile', { name: `resources-${bridge.init?.nodeLabel ?? 'node'}.json`, text: JSON.stringify(data, null, 2) }).then(
    () => problem.replaceChildren(),
    (e: Error) => problem.replaceChildren(e.message),
  );
}

function exportPng(key: string): void {
  const url = charts.png(key);
  if (!url) return;
  bridge.request('saveFile', { name: `resources-${key}.png`, base64: url.slice(url.indexOf(',') + 1) }).then(
    () => problem.replaceChildren(),
    (e: Error) => problem.replaceChildren(e.message),
  );
}

function render(): void {
  const all = samples();
  const title = el('h1', {}, `Live resources · ${bridge.init?.nodeLabel ?? 'node'}`);
  const last = all[all.length - 1];
  const since = all[0] ? new Date(all[0].t).toLocaleTimeString() : null;
  const status = el(
    'p',
    { class: 'muted status' },
    all.length
      ? `${all.length} sample${all.length === 1 ? '' : 's'} since ${since}, every ${(intervalMs / 1000).toFixed(intervalMs % 1000 ? 1 : 0)} s (keeps ${ring!.capacity}: ${Math.round((ring!.capacity * intervalMs) / 60000)} min)`
      : 'Waiting for the first sample…',
  );
  const head: Node[] = [title, status];
  if (!connected)
    head.push(
      el('p', { class: 'banner' }, `Not connected${reason ? `: ${reason}` : ''}. The charts stop here and go on when the node is back.`),
    );
  if (last?.omitted)
    head.push(
      el('p', { class: 'banner' }, `Sampling the first ${last.containers.length} containers by name; ${last.omitted} more are not kept.`),
    );
  if (!last) {
    root.replaceChildren(...head, problem);
    return;
  }
  const rows = rowsOf(all);
  const id = selectedId(all);
  const table = resourcesTable(
    rows,
    view.sort,
    id,
    (sort) => {
      view.sort = sort;
      saveView();
      render();
    },
    (picked) => {
      view.selected = picked;
      saveView();
      render();
    },
  );
  const chartSection = el('section', { class: 'charts-section', 'data-section': 'charts' });
  if (id) {
    const name = last.containers.find((c) => c.id === id)!.name;
    const pngButtons = ['memory', 'cpu', 'pids', 'io', 'pressure'].map((k) => {
      const b = el('button', { class: 'link', title: `Save the ${k} chart as PNG` }, k);
      b.addEventListener('click', () => exportPng(k));
      return b;
    });
    const exportButton = el('button', { class: 'link', title: 'Save these series as JSON' }, icon('json'), ' JSON');
    exportButton.addEventListener('click', exportJson);
    chartSection.append(
      el(
        'div',
        { class: 'toolbar' },
        el('h2', {}, name),
        el('span', { class: 'spacer' }),
        el('span', { class: 'muted' }, 'PNG:'),
        ...pngButtons,
        exportButton,
      ),
    );
    chartSection.append(charts.element);
  } else {
    chartSection.append(el('p', { class: 'muted' }, 'Select a container to see its charts.'));
  }
  root.replaceChildren(...head, problem, el('div', { class: 'table-box' }, table), chartSection);
  // Drawn once in the page, so that the charts take the width they are given.
  if (id) charts.show(seriesOf(all, id), chartsOf !== id);
  chartsOf = id;
}

bridge.on('init', (init) => {
  // Opened from a container's menu: that container, unless the page had chosen another before a reload.
  if (init.subject && !saved?.selected) view.selected = init.subject;
  saveView();
});
bridge.on('history', (h: ResourceHistoryNote) => {
  intervalMs = h.intervalMs;
  ring = new SampleRing(h.capacity);
  for (const s of h.samples) ring.push(s);
  chartsOf = null;
  render();
});
bridge.on('sample', (s) => {
  if (!ring) return;
  ring.push(s);
  render();
});
bridge.on('connection', (c) => {
  connected = c.connected;
  reason = c.reason;
  render();
});
// Theme colours are baked into the canvases: draw them again when VS Code switches theme (body class).
new MutationObserver(() => charts.retheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
bridge.ready();
