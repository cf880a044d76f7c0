/**
 * The security matrix page in a DOM (happy-dom): messages in, DOM out. The snapshot renders a row per
 * container with its flags and reasons, sorted by risk; the capability matrix has Docker's default set as
 * its reference column; a delta re-judges a container; the CSV export and Reveal post the base requests.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { DOCKER_DEFAULT_CAPS } from '../../../server/discover/capabilities';
import { SnapshotDiffer } from '../../../src/panels/snapshotDelta';
import { installPageDom, type FakePage } from '../../support/pageDom';
import { container, snapshot } from './overviewFixtures';

let page: FakePage;
const notify = (method: string, params: unknown) => page.deliver({ kind: 'notify', method, params });
const requests = () =>
  page.posted.filter(
    (m): m is { kind: 'request'; id: number; method: string; params: Record<string, unknown> } =>
      (m as { kind: string }).kind === 'request',
  );
const rowIds = () => Array.from(document.querySelectorAll<HTMLTableRowElement>('table.security tbody tr')).map((r) => r.dataset.id);
const row = (id: string) => document.querySelector<HTMLTableRowElement>(`table.security tr[data-id="${id}"]`)!;

const plain = container({ id: 'a'.repeat(64), name: 'plain', lowers: ['base'] });
const admin = container({ id: 'b'.repeat(64), name: 'admin', lowers: ['base'], caps: [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_ADMIN'] });
admin.seccomp = 'disabled';
const tracer = container({
  id: 'c'.repeat(64),
  name: 'tracer',
  lowers: ['base'],
  caps: [...DOCKER_DEFAULT_CAPS.filter((c) => c !== 'CAP_NET_RAW'), 'CAP_SYS_PTRACE'],
  sharesHost: ['pid'],
});
const first = snapshot([plain, admin, tracer]);

before(async () => {
  page = installPageDom();
  document.body.innerHTML = '<main id="root"></main>';
  await import('../../../src/panels/security/web/main');
});
after(() => page.close());

test('rows sorted by risk, each flag with its reason', () => {
  assert.deepEqual(page.posted[0], { kind: 'ready' });
  notify('init', { nodeId: 'local', nodeLabel: 'This machine', subject: null });
  notify('connection', { connected: true, reason: null });
  notify('snapshot', first);
  assert.equal(document.querySelector('h1')!.textContent, 'Security matrix · This machine');
  assert.deepEqual(rowIds(), [admin.id, tracer.id, plain.id]);
  const flag = row(admin.id).querySelector('li[data-rule="sys-admin-no-seccomp"]')!;
  assert.ok(flag.classList.contains('critical'));
  assert.match(flag.textContent, /CAP_SYS_ADMIN with seccomp off/);
  assert.match(row(admin.id).textContent, /disabled/);
  assert.match(row(admin.id).querySelector('td.caps')!.textContent, /\+SYS_ADMIN/);
  assert.ok(row(tracer.id).querySelector('li[data-rule="host-pid-ptrace"]'));
  assert.match(row(tracer.id).querySelector('td.caps')!.textContent, /\+SYS_PTRACE −NET_RAW/);
  assert.equal(row(plain.id).querySelector('td.caps')!.textContent, "Docker's default");
  // Info flags are tags with the reason as their hover: nearly every container has them.
  const info = row(plain.id).querySelector<HTMLElement>('span[data-rule="new-privs"]')!;
  assert.equal(info.textContent.trim(), 'no_new_privs off');
  assert.match(info.title, /a setuid file inside can raise/);
  assert.match(document.querySelector('.summary')!.textContent, /3 containers: .*2 privileged-like/);
});

test("the capability matrix: Docker's default set first as the reference column, additions marked", () => {
  const caps = Array.from(document.querySelectorAll<HTMLTableRowElement>('table.matrix tbody tr')).map((r) => r.dataset.cap);
  assert.deepEqual(caps, [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_PTRACE', 'CAP_SYS_ADMIN']);
  const headers = Array.from(document.querySelectorAll('table.matrix thead th')).map((th) => th.textContent);
  assert.deepEqual(headers, ['Capability', 'Docker default', 'admin', 'plain', 'tracer']);
  const cell = (cap: string, id: string) =>
    document.querySelector<HTMLElement>(`table.matrix tr[data-cap="${cap}"] td[data-container="${id}"]`)!;
  assert.ok(cell('CAP_SYS_ADMIN', admin.id).classList.contains('add'));
  assert.ok(cell('CAP_NET_RAW', tracer.id).classList.contains('drop'));
  assert.equal(cell('CAP_CHOWN', plain.id).textContent, '●');
  assert.equal(document.querySelector('table.matrix tr[data-cap="CAP_CHOWN"] td.reference')!.textContent, '●');
  assert.equal(document.querySelector('table.matrix tr[data-cap="CAP_SYS_ADMIN"] td.reference')!.textContent, '');
});

test('sorting by name; the sort is kept for a reload', () => {
  document.querySelector<HTMLElement>('th[data-sort="name"]')!.click();
  assert.deepEqual(rowIds(), [admin.id, plain.id, tracer.id]);
  assert.deepEqual((page.state as { view: unknown }).view, { sort: 'name' });
});

test('a delta re-judges the container it names', () => {
  const changed = structuredClone(plain);
  changed.seccomp = 'disabled';
  const next = snapshot([changed, admin, tracer]);
  const differ = new SnapshotDiffer();
  differ.full(first);
  notify('delta', differ.diff(next));
  assert.ok(row(plain.id).querySelector('li[data-rule="no-seccomp"]'));
});

test('Export CSV and Reveal post the base requests', () => {
  document.querySelector<HTMLButtonElement>('button.export')!.click();
  const save = requests().find((r) => r.method === 'saveFile')!;
  assert.equal(save.params.name, 'security-This machine.csv');
  const lines = String(save.params.text).trim().split('\r\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^name,id,seccomp,no_new_privs,lsm_label,user_namespace,host_namespaces,flags,CAP_CHOWN,/);
  row(admin.id).querySelector<HTMLButtonElement>('td.name button')!.click();
  assert.deepEqual(requests().at(-1)!.params, { action: 'reveal', containerId: admin.id });
});

test("right-clicking a container's row or its matrix column opens the tree's container menu; its items post the base requests", () => {
  const open = (target: Element, init: MouseEventInit) =>
    target.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, ...init }));
  const r = row(tracer.id);
  assert.equal(open(r.querySelector('td.flags-cell')!, { clientX: 40, clientY: 50 }), false, 'the webview’s own menu is suppressed');
  const menu = document.querySelector<HTMLElement>('.context-menu')!;
  assert.equal(menu.dataset.container, tracer.id);
  const items = Array.from(menu.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')).map((b) => b.dataset.menu);
  assert.deepEqual(items, ['enter', 'reveal', 'exploreLayers', 'panel:layerGraph', 'panel:resources', 'panel:namespaceGraph', 'inspect']);
  assert.equal(document.activeElement, menu.querySelector('[data-menu="enter"]'), 'the first item has focus');
  menu.querySelector<HTMLButtonElement>('[data-menu="exploreLayers"]')!.click();
  assert.deepEqual(requests().at(-1), {
    kind: 'request',
    id: requests().at(-1)!.id,
    method: 'containerAction',
    params: { action: 'exploreLayers', containerId: tracer.id },
  });
  assert.equal(document.querySelector('.context-menu'), null, 'an item closes the menu');

  // The column header in the capability matrix, opened from the keyboard (no pointer position): below it.
  const column = document.querySelector<HTMLElement>(`table.matrix th[data-container="${admin.id}"]`)!;
  open(column, {});
  document.querySelector<HTMLButtonElement>('.context-menu [data-menu="panel:resources"]')!.click();
  assert.deepEqual(requests().at(-1)!.params, { panel: 'resources', subject: admin.id });

  // Escape closes and gives focus back to the row it was opened on.
  r.focus();
  open(r, {});
  document.querySelector('.context-menu')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
  assert.equal((document.activeElement as HTMLElement).dataset.menu, 'reveal');
  document.querySelector('.context-menu')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
  assert.equal(document.querySelector('.context-menu'), null);
  assert.equal(document.activeElement, r);
  // Outside a container (the page title) the menu is not offered.
  assert.equal(open(document.querySelector('h1')!, { clientX: 5, clientY: 5 }), true);
  assert.equal(document.querySelector('.context-menu'), null);
});
