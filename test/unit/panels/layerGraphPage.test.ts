/**
 * The layer graph page in a DOM (happy-dom, no canvas: cytoscape runs headless): messages in, DOM out.
 * A shared base layer is one node "used by N"; selecting it asks the host for its walks and shows them;
 * Explore Layers posts the base container action and shows the host's refusal; exports post saveFile with
 * the model's JSON and an SVG of the drawn boxes; a delta updates the counts in place.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { Graph } from '../../../src/model/graph/graphModel';
import type { LayerFacts } from '../../../src/panels/layerGraph/contract';
import { installPageDom, type FakePage } from '../../support/pageDom';
import { container, layerDir, snapshot } from './overviewFixtures';

type Request = { kind: 'request'; id: number; method: string; params: Record<string, unknown> };
let page: FakePage;
const notify = (method: string, params: unknown) => page.deliver({ kind: 'notify', method, params });
const requests = () => page.posted.filter((m): m is Request => (m as { kind: string }).kind === 'request');
const last = (method: string) =>
  requests()
    .filter((r) => r.method === method)
    .at(-1);
const settle = () => new Promise((r) => setTimeout(r, 50));
async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await settle();
  assert.ok(ok(), `timed out waiting for ${what}`);
}
const text = (sel: string) => document.querySelector(sel)?.textContent ?? '';

const base = layerDir('base');
const web = container({ id: 'a'.repeat(64), name: 'web', lowers: ['base'] });
const db = container({ id: 'b'.repeat(64), name: 'db', lowers: ['base'] });
const cache = container({ id: 'c'.repeat(64), name: 'cache', lowers: ['redis', 'base'] });

before(async () => {
  page = installPageDom();
  const g = globalThis as Record<string, unknown>;
  const w = page.window as unknown as Record<string, unknown>;
  // @vscode-elements registers its custom elements at import; the page's own logic is under test here,
  // so the button is a plain element (the library keeps a tag already defined).
  for (const k of [
    'customElements',
    'navigator',
    'CSSStyleSheet',
    'ShadowRoot',
    'Element',
    'Document',
    'DocumentFragment',
    'Event',
    'CustomEvent',
    'KeyboardEvent',
    'HTMLElement',
    'MutationObserver',
    'getComputedStyle',
    'requestAnimationFrame',
    'cancelAnimationFrame',
    'HTMLCanvasElement',
  ])
    g[k] ??= typeof w[k] === 'function' && k[0] === k[0].toLowerCase() ? (w[k] as (...a: unknown[]) => unknown).bind(page.window) : w[k];
  page.window.customElements.define('vscode-button', class extends page.window.HTMLElement {});
  document.body.innerHTML = '<main id="root"></main>';
  await import('../../../src/panels/layerGraph/web/main');
});
after(() => page.close());

test('the snapshot draws each stack; the shared base layer is listed once, used by 3', async () => {
  assert.deepEqual(page.posted[0], { kind: 'ready' });
  notify('init', { nodeId: 'local', nodeLabel: 'This machine', subject: null });
  notify('connection', { connected: true, reason: null });
  notify('snapshot', snapshot([web, db, cache]));
  await until('the summary', () => text('.summary').includes('containers'));
  assert.equal(text('.summary'), '3 containers · 5 layers · 1 shared · 3 writable');
  const shared = document.querySelectorAll('.shared-layers li');
  assert.equal(shared.length, 1);
  assert.equal((shared[0] as HTMLElement).dataset.path, base);
  assert.match(shared[0].textContent, /used by 3/);
});

test('selecting the shared layer shows its users and asks for its walks; the answer fills the pane', async () => {
  document.querySelector<HTMLButtonElement>(`.shared-layers button[data-path="${base}"]`)!.click();
  const asked = last('layerFacts')!;
  assert.deepEqual(asked.params, { path: base, containerId: web.id });
  assert.match(text('aside.details'), /walking the layer…/);
  assert.match(text('aside.details'), /Used by 3/);
  assert.deepEqual((page.state as { view: unknown }).view, { selected: `layer:${base}` }, 'the selection survives a reload');
  const facts: LayerFacts = {
    path: base,
    containerId: web.id,
    origin: 'image',
    createdBy: null,
    files: 120,
    bytes: 4 * 2 ** 20,
    whiteouts: 2,
    opaqueDirs: 1,
    residentBytes: 2 ** 20,
    method: 'cachestat',
    truncated: false,
    problems: [],
  };
  page.deliver({ kind: 'response', id: asked.id, result: facts });
  await until('the facts', () => text('[data-fact="whiteouts"]') === '2');
  assert.equal(text('[data-fact="opaque"]'), '1');
  assert.equal(text('[data-fact="resident"]'), '1.0 MiB of 4.0 MiB (25%)');
  // Each user's memory cgroup with its file charge, beside the layer's resident bytes.
  assert.equal(document.querySelectorAll('.charges li').length, 3);
  assert.match(text('.charges'), /db \/system\.slice\/docker-b+\.scope: 3\.0 MiB file cache/);
});

test("Explore Layers posts the base container action; the host's refusal is shown in one line", async () => {
  document.querySelector<HTMLElement>('aside.details [data-action="exploreLayers"]')!.click();
  const action = last('containerAction')!;
  assert.deepEqual(action.params, { action: 'exploreLayers', containerId: web.id });
  page.deliver({ kind: 'response', id: action.id, error: 'exploreLayers is not available in this version of Nodescope' });
  await until('the error', () => text('[role="alert"]').length > 0);
  assert.equal(text('[role="alert"]'), 'exploreLayers is not available in this version of Nodescope');
});

test('exports: JSON is the model nodescope graph layers prints, SVG the drawn boxes', () => {
  document.querySelector<HTMLElement>('[data-tool="json"]')!.click();
  const json = last('saveFile')!.params;
  assert.equal(json.name, 'layers-This_machine.json');
  const g = JSON.parse(json.text as string) as Graph;
  assert.deepEqual(g.nodes.find((n) => n.id === `layer:${base}`)?.usedBy, [web.id, db.id, cache.id].sort());
  assert.equal(g.edges.filter((e) => e.target === `layer:${base}`).length, 3, 'web, db and redis point at the base layer');
  document.querySelector<HTMLElement>('[data-tool="svg"]')!.click();
  const svg = last('saveFile')!.params.text as string;
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, />used by 3 · 8\.0 KiB</);
  assert.equal((svg.match(/<line /g) ?? []).length, 7, 'one line per edge: 3 containers → uppers, 3 uppers → lowers, redis → base');
});

test('a delta: a fourth container on the base layer updates the counts in place and asks for the walks again', async () => {
  const before = last('layerFacts')!.id;
  const dns = container({ id: 'd'.repeat(64), name: 'dns', lowers: ['base'] });
  const next = snapshot([web, db, cache, dns], '2026-12-02T05:00:05.000Z');
  notify('delta', { takenAt: next.takenAt, containers: { upserted: [dns], removed: [] }, layers: { upserted: next.layers, removed: [] } });
  await until('the new count', () => text('.summary').startsWith('4 containers'));
  assert.match(text('.shared-layers'), /used by 4/);
  assert.match(text('aside.details'), /Used by 4/, 'the selected layer stays selected');
  assert.ok(last('layerFacts')!.id > before, "the layer's users changed: its walks are asked again");
});
