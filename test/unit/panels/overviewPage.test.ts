/**
 * The overview page in a DOM (happy-dom): messages in, DOM out. The snapshot renders the facts, the
 * containers table and the links; a delta replaces only the rows it names (the others are the same DOM
 * nodes as before); links and row actions post the base requests.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { ContainerInfo, Snapshot } from '../../../server/protocol';
import { installPageDom, type FakePage } from '../../support/pageDom';
import { container, snapshot } from './overviewFixtures';

let page: FakePage;
const notify = (method: string, params: unknown) => page.deliver({ kind: 'notify', method, params });
const requests = () =>
  page.posted.filter(
    (m): m is { kind: 'request'; id: number; method: string; params: unknown } => (m as { kind: string }).kind === 'request',
  );
const row = (id: string) => document.querySelector<HTMLTableRowElement>(`tr[data-container="${id}"]`);
const rowIds = () => Array.from(document.querySelectorAll<HTMLTableRowElement>('tbody tr')).map((r) => r.dataset.container);

const web = container({ id: 'a'.repeat(64), name: 'web', lowers: ['base'], usage: 60 * 2 ** 20, net: 30 });
const db = container({
  id: 'b'.repeat(64),
  name: 'db',
  lowers: ['base'],
  caps: ['CAP_CHOWN', 'CAP_SYS_ADMIN'],
  net: 30,
  sharesHost: ['pid'],
});
const cache = container({ id: 'c'.repeat(64), name: 'cache', lowers: ['redis', 'base'] });
let first: Snapshot;

before(async () => {
  page = installPageDom();
  document.body.innerHTML = '<main id="root"></main>';
  await import('../../../src/panels/overview/web/main');
  first = snapshot([web, db, cache]);
});
after(() => page.close());

test('the page says ready and asks which panels exist before anything is posted', () => {
  assert.deepEqual(page.posted[0], { kind: 'ready' });
  assert.deepEqual(
    requests().map((r) => r.method),
    ['availablePanels'],
  );
});

test('the snapshot renders the node facts, the links and a row per container with limits next to usage', async () => {
  notify('init', { nodeId: 'local', nodeLabel: 'This machine', subject: null });
  notify('connection', { connected: true, reason: null });
  notify('snapshot', first);
  page.deliver({ kind: 'response', id: requests()[0].id, result: ['layerGraph', 'namespaceGraph'] });
  await new Promise((r) => setTimeout(r, 0));

  assert.equal(document.querySelector('h1')!.textContent, 'This machine');
  assert.match(document.querySelector('.facts')!.textContent, /rig-host · kernel 6\.8\.0 · cgroup v2 · 3 containers · 321 processes/);
  assert.deepEqual(rowIds(), [cache.id, db.id, web.id], 'rows in name order');
  const w = row(web.id)!;
  assert.match(w.textContent, /60\.0 MiB \/ 64\.0 MiB \(94%\)/);
  assert.match(w.textContent, /3 \/ 50/);
  assert.ok(w.querySelector('.bar.hot'), 'usage over 85 % of the limit shows a hot bar');
  const caps = row(db.id)!.querySelector('td.caps')!;
  assert.match(
    caps.getAttribute('title')!,
    /^2 effective capabilities: CAP_CHOWN, CAP_SYS_ADMIN\nadded to Docker's default: CAP_SYS_ADMIN/,
  );
  assert.match(caps.textContent, /\+SYS_ADMIN/);
  // The namespace summary in words: net 30 shared by web and db; pid shared with the host by db.
  const ns = document.querySelector('[data-section="namespaces"]')!.textContent;
  assert.match(ns, /pid the host's, shared by db/);
  assert.match(ns, /net 30, shared by db, web/);
  const links = Array.from(document.querySelectorAll<HTMLButtonElement>('.panel-links button'));
  assert.deepEqual(
    links.map((b) => `${b.dataset.panel}:${b.disabled ? 'off' : 'on'}`),
    ['namespaceGraph:on', 'layerGraph:on', 'resources:off', 'security:off'],
  );
});

test('a link and a row action post the base requests', () => {
  document.querySelector<HTMLButtonElement>('.panel-links button[data-panel="layerGraph"]')!.click();
  row(web.id)!.querySelector<HTMLButtonElement>('button[data-action="enter"]')!.click();
  const [open, enter] = requests().slice(-2);
  assert.deepEqual([open.method, open.params], ['openPanel', { panel: 'layerGraph' }]);
  assert.deepEqual([enter.method, enter.params], ['containerAction', { action: 'enter', containerId: web.id }]);
});

test('a delta re-renders only the rows it names; a new container lands in name order, a gone one leaves', () => {
  const before = { web: row(web.id), db: row(db.id), cache: row(cache.id) };
  const busier: ContainerInfo = structuredClone(db);
  busier.cgroup!.memory!.usageBytes = 32 * 2 ** 20;
  const added = container({ id: 'd'.repeat(64), name: 'dns', lowers: ['base'] });
  notify('delta', { takenAt: '2026-12-02T05:00:05.000Z', containers: { upserted: [busier, added], removed: [cache.id] } });

  assert.deepEqual(rowIds(), [db.id, added.id, web.id]);
  assert.equal(row(web.id), before.web, 'an unchanged row is the same element');
  assert.notEqual(row(db.id), before.db, 'the changed row was replaced');
  assert.match(row(db.id)!.textContent, /32\.0 MiB \/ 64\.0 MiB \(50%\)/);
  assert.equal(before.cache!.isConnected, false);
  assert.match(document.querySelector('.containers-title')!.textContent, /Containers \(3\)/);
});

test('disconnected: the page says so with the reason', () => {
  notify('connection', { connected: false, reason: 'ssh: connection refused' });
  assert.match(document.getElementById('root')!.textContent, /Not connected: ssh: connection refused\./);
  assert.equal(document.querySelector('table'), null);
});
