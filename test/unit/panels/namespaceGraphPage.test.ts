/**
 * The namespace graph page in happy-dom: messages in (init, snapshot, delta as the host posts them), DOM
 * and requests out. The graph is a headless cytoscape (no canvas here) with a grid layout; the page's
 * logic (search, filter, details, view state, in-place updates) is the same code the panel runs.
 * Input: the recorded rig snapshot (test/fixtures/rig-snapshot.json); facts are checked against the
 * snapshot's own lists, not against the graph model the page builds.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import * as fs from 'fs';
import * as path from 'path';
import type { Snapshot } from '../../../server/protocol';
import type { SnapshotDelta } from '../../../src/panels/snapshotDelta';
import { installPageDom, type FakePage } from '../../support/pageDom';

const load = (): Snapshot => JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'rig-snapshot.json'), 'utf8'));

type Modules = {
  page: typeof import('../../../src/panels/namespaceGraph/web/page');
  view: typeof import('../../../src/panels/namespaceGraph/web/graphView');
  bridge: typeof import('../../../src/panels/web/bridge');
  store: typeof import('../../../src/panels/web/snapshotStore');
  style: typeof import('../../../src/panels/namespaceGraph/web/graphStyle');
};

async function modules(): Promise<Modules> {
  return {
    page: await import('../../../src/panels/namespaceGraph/web/page'),
    view: await import('../../../src/panels/namespaceGraph/web/graphView'),
    bridge: await import('../../../src/panels/web/bridge'),
    store: await import('../../../src/panels/web/snapshotStore'),
    style: await import('../../../src/panels/namespaceGraph/web/graphStyle'),
  };
}

const INIT = { nodeId: 'ssh:rig', nodeLabel: 'rig', subject: null };

async function openPage(m: Modules, dom: FakePage, snap: Snapshot) {
  const root = dom.window.document.createElement('main');
  dom.window.document.body.append(root);
  const bridge = new m.bridge.NodePanelBridge<import('../../../src/panels/namespaceGraph/contract').NamespaceGraphContract>();
  const store = new m.store.SnapshotStore(bridge);
  const palette = () => m.style.readPalette(dom.window.document.body as unknown as Element);
  const host = dom.window.document.createElement('div') as unknown as HTMLElement;
  const page = new m.page.NamespaceGraphPage(root as unknown as HTMLElement, host, bridge, store, palette);
  const view = new m.view.CytoscapeView({ container: null, palette: palette(), layout: 'grid' });
  page.attach(view);
  bridge.ready();
  dom.deliver({ kind: 'notify', method: 'init', params: INIT });
  dom.deliver({ kind: 'notify', method: 'snapshot', params: snap });
  await page.settled();
  return { root: root as unknown as HTMLElement, page, view };
}

function type(page: InstanceType<Modules['page']['NamespaceGraphPage']>, dom: FakePage, text: string, enter = false): void {
  page.search.value = text;
  page.search.dispatchEvent(new dom.window.Event('input') as unknown as Event);
  if (enter) page.search.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'Enter' }) as unknown as Event);
}

const field = (root: HTMLElement, name: string) => root.querySelector(`.ng-details dd[data-field="${name}"]`)?.textContent ?? null;
const requests = (dom: FakePage) =>
  dom.posted.filter(
    (p): p is { kind: 'request'; method: string; params: Record<string, unknown> } => (p as { kind: string }).kind === 'request',
  );

describe('namespace graph page', () => {
  let m: Modules;
  let dom: FakePage;
  const snap = load();
  before(async () => {
    dom = installPageDom();
    m = await modules();
  });
  after(async () => dom.close());

  it('a container name in the search box selects it and lists its namespaces with their inodes', async () => {
    const { root, page, view } = await openPage(m, dom, snap);
    const c = snap.containers.find((x) => x.name === 'nodescope-rig-hostpid')!;
    type(page, dom, 'rig-hostpid');
    assert.equal(view.cy.$('node:selected').id(), `container:${c.id}`);
    assert.match(page.count.textContent, /^1 of 1 \(name\)/);
    assert.match(root.querySelector('.ng-details h3')!.textContent, /nodescope-rig-hostpid/);
    const rows = [...root.querySelectorAll('.ng-ns-table tr[data-ns]')].map((r) =>
      [...r.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent),
    );
    for (const t of Object.keys(c.namespaces) as (keyof typeof c.namespaces)[]) {
      assert.ok(
        rows.some(([ty, ino]) => ty === t && ino === String(c.namespaces[t])),
        `${t}:[${c.namespaces[t]}] in the details pane`,
      );
    }
    const hostPidRow = root.querySelector(`.ng-ns-table tr[data-ns="ns:pid:${snap.host.namespaces.pid}"]`);
    assert.match(hostPidRow!.textContent, /host/, '--pid host: the host pid namespace, marked host');
    assert.ok(root.querySelector('.ng-details .ng-action[data-action="enter"]'));
  });

  it('an inode finds the namespace: type, owner, holders and process count come from the snapshot', async () => {
    const { root, page } = await openPage(m, dom, snap);
    const held = snap.namespaces.find((n) => n.processCount === 0)!;
    type(page, dom, `net:[${held.inode}]`);
    assert.equal(field(root, 'type'), held.type);
    assert.equal(field(root, 'inode'), String(held.inode));
    assert.equal(field(root, 'processes'), '0');
    assert.match(field(root, 'holders')!, new RegExp(`bind mount ${held.bindMounts[0]}`));
    assert.match(field(root, 'owner')!, new RegExp(`user:\\[${held.ownerUserNs}\\]`));
    assert.match(field(root, 'marks')!, /hidden/);

    const shared = snap.namespaces.find((n) => n.type === 'cgroup' && n.inode === 4026531835)!;
    type(page, dom, String(shared.inode));
    const names = snap.containers
      .filter((c) => snap.processes.some((p) => p.containerId === c.id && p.namespaces.cgroup === shared.inode))
      .map((c) => c.name);
    assert.ok(names.length >= 2);
    for (const n of names) assert.match(field(root, 'containers')!, new RegExp(n));
  });

  it('a pid finds its container, or the host process group it is in; Enter steps through several matches', async () => {
    const { root, page, view } = await openPage(m, dom, snap);
    const c = snap.containers.find((x) => x.runtime === 'docker')!;
    type(page, dom, String(c.initPid));
    assert.equal(view.cy.$('node:selected').id(), `container:${c.id}`);
    const hostProc = snap.processes.find((p) => p.containerId === null && p.pid > 1)!;
    type(page, dom, String(hostProc.pid));
    assert.equal(view.cy.$('node:selected').data('id').startsWith('processes:'), true);
    assert.match(field(root, 'pids')!, new RegExp(`\\b${hostProc.pid}\\b`));
    type(page, dom, 'nodescope-rig');
    const first = view.cy.$('node:selected').id();
    type(page, dom, 'nodescope-rig', true);
    assert.notEqual(view.cy.$('node:selected').id(), first);
    assert.match(page.count.textContent, /^2 of 3/);
    type(page, dom, 'no-such-thing-here');
    assert.equal(page.count.textContent, 'no match');
  });

  it('the type filter hides that type only, and the choice and selection are kept for a reload', async () => {
    const { page, view } = await openPage(m, dom, snap);
    const net = page.typeBoxes.get('net')!;
    net.checked = false;
    net.dispatchEvent(new dom.window.Event('change') as unknown as Event);
    const hiddenIds = view.cy
      .nodes('.filtered')
      .map((n) => n.id())
      .sort();
    const netIds = snap.namespaces
      .filter((n) => n.type === 'net')
      .map((n) => `ns:net:${n.inode}`)
      .sort();
    assert.deepEqual(hiddenIds, netIds);
    assert.equal(view.cy.nodes(':visible').filter((n) => n.id().startsWith('ns:net:')).length, 0);
    assert.ok(view.cy.nodes(':visible').filter((n) => n.id().startsWith('ns:pid:')).length > 0);
    type(page, dom, 'nodescope-rig-limited');
    const saved = (dom.state as { view: { hidden: string[]; selected: string } }).view;
    assert.deepEqual(saved.hidden, ['net']);
    const limited = snap.containers.find((x) => x.name === 'nodescope-rig-limited')!;
    assert.equal(saved.selected, `container:${limited.id}`);

    // A reloaded page starts from the saved state: the filter and the selection come back.
    const again = await openPage(m, dom, snap);
    assert.equal(again.page.typeBoxes.get('net')!.checked, false);
    assert.equal(again.view.cy.nodes('.filtered').length, netIds.length);
    assert.equal(again.view.cy.$('node:selected').id(), `container:${limited.id}`);
    assert.match(again.root.querySelector('.ng-details h3')!.textContent, /nodescope-rig-limited/);
    dom.state = undefined;
  });

  it('a delta that changes only usage restyles in place (no new layout); a new namespace lays the graph out again', async () => {
    const { view, page } = await openPage(m, dom, snap);
    const before = new Map(view.cy.nodes().map((n) => [n.id(), { ...n.position() }]));
    view.cy.nodes().first().position({ x: -999, y: -999 }); // moved by hand: a relayout would move it back
    const moved = view.cy.nodes().first().id();
    const c = snap.containers[0];
    const usage: SnapshotDelta = { takenAt: 'later', containers: { upserted: [{ ...c, name: `${c.name}-renamed` }], removed: [] } };
    dom.deliver({ kind: 'notify', method: 'delta', params: usage });
    await page.settled();
    assert.deepEqual(view.cy.getElementById(moved).position(), { x: -999, y: -999 }, 'no layout ran');
    assert.match(view.cy.getElementById(`container:${c.id}`).data('label'), /-renamed/, 'the label changed in place');
    const fresh = { ...snap.namespaces.find((n) => n.type === 'net' && n.processCount === 0)!, inode: 4026599999 };
    dom.deliver({
      kind: 'notify',
      method: 'delta',
      params: { takenAt: 'later still', namespaces: { upserted: [fresh], removed: [] } } satisfies SnapshotDelta,
    });
    await page.settled();
    assert.ok(view.cy.getElementById('ns:net:4026599999').nonempty());
    assert.deepEqual(view.cy.getElementById(moved).position(), before.get(moved), 'a layout ran');
  });

  it('a process group expands to one node per process on demand, and collapses again', async () => {
    const { root, page, view } = await openPage(m, dom, snap);
    const hostProc =
      snap.processes.find((p) => p.containerId === null && p.comm === 'dockerd') ?? snap.processes.find((p) => p.containerId === null)!;
    type(page, dom, String(hostProc.pid));
    const group = view.cy.$('node:selected').id();
    const size = Number(field(root, 'processes in the group'));
    (root.querySelector('.ng-expand') as HTMLElement).click();
    await page.settled();
    assert.ok(view.cy.getElementById(group).empty());
    assert.equal(view.cy.nodes('.process').length, size);
    assert.ok(view.cy.getElementById(`process:${hostProc.pid}`).nonempty());
    type(page, dom, String(hostProc.pid));
    assert.equal(view.cy.$('node:selected').id(), `process:${hostProc.pid}`);
    assert.equal(field(root, 'pid'), String(hostProc.pid));
    (root.querySelector('.ng-expand') as HTMLElement).click();
    await page.settled();
    assert.ok(view.cy.getElementById(group).nonempty());
    assert.equal(view.cy.nodes('.process').length, 0);
    dom.state = undefined;
  });

  it('actions and exports are requests to the host: containerAction with the id, saveFile with SVG / PNG / JSON', async () => {
    const { root, page } = await openPage(m, dom, snap);
    const c = snap.containers.find((x) => x.name === 'nodescope-rig-readonly')!;
    type(page, dom, c.name);
    dom.posted.length = 0;
    for (const action of ['enter', 'reveal', 'inspect'])
      (root.querySelector(`.ng-buttons .ng-action[data-action="${action}"]`) as HTMLElement).click();
    assert.deepEqual(
      requests(dom).map((r) => [r.method, r.params.action, r.params.containerId]),
      ['enter', 'reveal', 'inspect'].map((a) => ['containerAction', a, c.id]),
    );
    dom.posted.length = 0;
    void page.exportJson();
    void page.exportSvg();
    const [json, svg] = requests(dom);
    assert.equal(json.params.name, 'namespaces-rig.json');
    const graph = JSON.parse(json.params.text as string) as { nodes: { id: string }[] };
    assert.equal(graph.nodes.filter((n) => n.id.startsWith('ns:')).length, snap.namespaces.length);
    assert.equal(svg.params.name, 'namespaces-rig.svg');
    assert.match(svg.params.text as string, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const n of snap.namespaces)
      assert.ok((svg.params.text as string).includes(`${n.type} ${n.inode}`), `${n.type}:[${n.inode}] drawn in the SVG`);
  });
  it("right-clicking a container node selects it and opens the tree's container menu; its items post the base requests", async () => {
    const { root, view } = await openPage(m, dom, snap);
    const c = snap.containers.find((x) => x.name === 'nodescope-rig-readonly')!;
    const d = dom.window.document;
    dom.posted.length = 0;
    view.cy.getElementById(`container:${c.id}`).emit('cxttap');
    assert.match(root.querySelector('.ng-details h3')!.textContent ?? '', /nodescope-rig-readonly/, 'the details pane shows it');
    const menu = d.querySelector('.context-menu') as unknown as HTMLElement;
    assert.equal(menu.dataset.container, c.id);
    const items = Array.from(menu.querySelectorAll('[role="menuitem"]')).map((b) => (b as unknown as HTMLElement).dataset.menu);
    assert.deepEqual(items, ['enter', 'reveal', 'exploreLayers', 'panel:layerGraph', 'panel:resources', 'panel:security', 'inspect']);
    (menu.querySelector('[data-menu="enter"]') as unknown as HTMLElement).click();
    assert.equal(d.querySelector('.context-menu'), null, 'an item closes the menu');
    // The same menu from the details pane's More Actions button (the keyboard's way in).
    (root.querySelector('.ng-more') as HTMLElement).click();
    (d.querySelector('.context-menu [data-menu="panel:layerGraph"]') as unknown as HTMLElement).click();
    assert.deepEqual(
      requests(dom).map((r) => [r.method, r.params]),
      [
        ['containerAction', { action: 'enter', containerId: c.id }],
        ['openPanel', { panel: 'layerGraph', subject: c.id }],
      ],
    );
    // A namespace has no container menu.
    const ns = snap.namespaces[0];
    const nsNode = view.cy.getElementById(`ns:${ns.type}:${ns.inode}`);
    assert.ok(nsNode.nonempty());
    nsNode.emit('cxttap');
    assert.equal(d.querySelector('.context-menu'), null);
    dom.state = undefined;
  });

  it('a searched node is centred in the canvas as it measures now, zoomed in far enough to read', async () => {
    const { page, view } = await openPage(m, dom, snap);
    // Headless cytoscape has no box: the canvas beside the details pane is 700 × 500 here.
    view.cy.width = () => 700;
    view.cy.height = () => 500;
    view.cy.zoom(0.05);
    const c = snap.containers.find((x) => x.name === 'nodescope-rig-limited')!;
    type(page, dom, c.name);
    const n = view.cy.getElementById(`container:${c.id}`);
    assert.ok(n.selected());
    const at = n.renderedPosition();
    assert.ok(Math.abs(at.x - 350) < 1 && Math.abs(at.y - 250) < 1, `drawn at ${at.x}, ${at.y}`);
    assert.ok(view.cy.zoom() >= 0.8, `zoom ${view.cy.zoom()}`);
    dom.state = undefined;
  });
});
