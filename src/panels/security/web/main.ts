/**
 * The security matrix page: every container's confinement (seccomp, no_new_privs, LSM, user namespace,
 * host namespaces) with the flags of the shared rules, then capabilities × containers against Docker's
 * default set. The sort survives a reload (page state); the CSV export goes through the base saveFile.
 */
import { NodePanelBridge } from '../../web/bridge';
import { ContainerMenu, menuPoint } from '../../web/containerMenu';
import { el, icon } from '../../web/dom';
import { SnapshotStore } from '../../web/snapshotStore';
import { securityCsv, securityRow, type SecurityRow } from '../../../model/security/securityRules';
import type { SecurityContract } from '../contract';
import { capabilityMatrix, containersTable, sortSecurityRows, type SecuritySort } from './matrix';

const bridge = new NodePanelBridge<SecurityContract>();
const store = new SnapshotStore(bridge);
const root = document.getElementById('root')!;
const problem = el('p', { class: 'error', role: 'alert' });
const saved = bridge.viewState as { sort?: SecuritySort } | undefined;
let sort: SecuritySort = saved?.sort ?? 'risk';
const menu = new ContainerMenu(bridge, { self: 'security', report: (m) => problem.replaceChildren(m) });

const said = (p: Promise<unknown>): void =>
  void p.then(
    () => problem.replaceChildren(),
    (e: Error) => problem.replaceChildren(e.message),
  );

function rows(): SecurityRow[] {
  return (store.snapshot?.containers ?? []).map(securityRow);
}

function exportCsv(): void {
  said(
    bridge.request('saveFile', {
      name: `security-${bridge.init?.nodeLabel ?? 'node'}.csv`,
      text: securityCsv(sortSecurityRows(rows(), sort)),
    }),
  );
}

function summary(all: SecurityRow[]): HTMLElement {
  const count = (s: string) => all.filter((r) => r.flags.some((f) => f.severity === s)).length;
  const crit = count('critical');
  const warn = count('warning');
  return el(
    'p',
    { class: 'summary' },
    `${all.length} container${all.length === 1 ? '' : 's'}: `,
    el('span', { class: crit ? 'critical' : 'muted' }, icon('error'), ` ${crit} privileged-like`),
    ' · ',
    el('span', { class: warn ? 'warning' : 'muted' }, icon('warning'), ` ${warn} with warnings`),
  );
}

function render(): void {
  const title = el('h1', {}, `Security matrix · ${bridge.init?.nodeLabel ?? 'node'}`);
  const s = store.snapshot;
  if (!store.connected || !s) {
    root.replaceChildren(
      title,
      el('p', { class: 'muted' }, store.connected ? 'Waiting for the node…' : `Not connected${store.reason ? `: ${store.reason}` : ''}.`),
    );
    return;
  }
  const all = rows();
  const csv = el('button', { class: 'link export', title: 'Save the matrix as CSV' }, icon('export'), ' Export CSV');
  csv.addEventListener('click', exportCsv);
  const table = containersTable(
    all,
    sort,
    (by) => {
      sort = by;
      bridge.saveView({ sort });
      render();
    },
    (containerId) => said(bridge.request('containerAction', { action: 'reveal', containerId })),
  );
  root.replaceChildren(
    title,
    el('div', { class: 'toolbar' }, summary(all), el('span', { class: 'spacer' }), csv),
    problem,
    all.length ? el('div', { class: 'table-box' }, table) : el('p', { class: 'muted' }, 'No containers on this node.'),
    el('h2', {}, 'Capabilities'),
    el(
      'p',
      { class: 'muted legend' },
      "● held · ○ in Docker's default but dropped · orange: added to the default · the first column is Docker's default set",
    ),
    el('div', { class: 'table-box' }, capabilityMatrix(all)),
  );
}

// A container's row, or its column in the capability matrix: the tree's container menu.
root.addEventListener('contextmenu', (e) => {
  const at = (e.target as Element).closest<HTMLElement>('[data-id], [data-container]');
  const id = at?.dataset.id ?? at?.dataset.container;
  const c = id ? store.snapshot?.containers.find((x) => x.id === id) : undefined;
  if (!at || !c) return;
  e.preventDefault();
  const { x, y } = menuPoint(e, at);
  menu.open(c.id, c.name, x, y, at);
});

store.onChange(() => render());
bridge.on('init', () => render());
bridge.ready();
