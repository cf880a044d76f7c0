/**
 * The overview page: the node's facts, links to the other panels, which namespaces containers share,
 * and the containers table. After the first snapshot a delta re-renders only the rows it names.
 */
import type { Snapshot } from '../../../../server/protocol';
import { NodePanelBridge } from '../../web/bridge';
import { el } from '../../web/dom';
import { SnapshotStore, type StoreChange } from '../../web/snapshotStore';
import type { PanelLink } from '../../nodePanelContract';
import type { OverviewContract } from '../contract';
import { containersTable, updateContainerRows, type RowAction } from './containersTable';
import { factsLine, namespaceSummary, panelLinks } from './summary';

const bridge = new NodePanelBridge<OverviewContract>();
const store = new SnapshotStore(bridge);
const root = document.getElementById('root')!;
const problem = el('p', { class: 'error', role: 'alert' });
let available: PanelLink[] | null = null;
let table: HTMLTableElement | null = null;

const act: RowAction = (action, containerId) => {
  bridge.request('containerAction', { action, containerId }).then(
    () => problem.replaceChildren(),
    (e: Error) => problem.replaceChildren(e.message),
  );
};
const open = (panel: PanelLink) => {
  bridge.request('openPanel', { panel }).then(
    () => problem.replaceChildren(),
    (e: Error) => problem.replaceChildren(e.message),
  );
};

const section = (name: string, ...children: Node[]) => el('section', { 'data-section': name }, ...children);

function renderAll(s: Snapshot | null): void {
  const title = el('h1', {}, bridge.init?.nodeLabel ?? 'Node');
  if (!store.connected || !s) {
    table = null;
    root.replaceChildren(
      title,
      el('p', { class: 'muted' }, store.connected ? 'Waiting for the node…' : `Not connected${store.reason ? `: ${store.reason}` : ''}.`),
    );
    return;
  }
  table = containersTable(s.containers, act);
  root.replaceChildren(
    title,
    section('facts', factsLine(s)),
    problem,
    section('links', panelLinks(available, open)),
    section('namespaces', el('h2', {}, 'Namespaces shared with the host or between containers'), namespaceSummary(s)),
    // The table stays inside the panel: long cells wrap (overview.css); anything still wider scrolls in its box.
    section(
      'containers',
      el('h2', { class: 'containers-title' }, `Containers (${s.containers.length})`),
      el('div', { class: 'table-box' }, table),
    ),
  );
}

function replaceSection(name: string, ...children: Node[]): void {
  root.querySelector(`section[data-section="${name}"]`)?.replaceChildren(...children);
}

function update(c: StoreChange): void {
  const s = store.snapshot;
  if (c.full || !c.delta || !table || !s) return renderAll(s);
  const d = c.delta;
  replaceSection('facts', factsLine(s));
  if (d.containers) {
    updateContainerRows(table, d.containers.upserted, d.containers.removed, s.containers, act);
    root.querySelector('.containers-title')!.textContent = `Containers (${s.containers.length})`;
  }
  if (!c.counters && (d.containers || d.namespaces))
    replaceSection('namespaces', el('h2', {}, 'Namespaces shared with the host or between containers'), namespaceSummary(s));
}

store.onChange(update);
bridge.on('init', () => renderAll(store.snapshot));
bridge.ready();
bridge.request('availablePanels', null).then(
  (list) => {
    available = list;
    replaceSection('links', panelLinks(available, open));
  },
  () => undefined,
);
