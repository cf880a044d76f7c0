/**
 * The live resources page in a DOM (happy-dom): messages in, DOM out. The history renders the table and,
 * for the container the panel was opened about, its charts' figures (happy-dom has no canvas: the legend
 * says the latest values and each chart counts its samples); CPU is unknown until two samples; a sample
 * updates in place; sorting by pressure and headroom; an OOM kill is marked; the selection is kept in the
 * page state for a reload.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { ContainerSample, ResourceSample } from '../../../src/model/resources/resourceSamples';
import { installPageDom, type FakePage } from '../../support/pageDom';

let page: FakePage;
let nodeCustomEvent: unknown;
const notify = (method: string, params: unknown) => page.deliver({ kind: 'notify', method, params });
const rowNames = () =>
  Array.from(document.querySelectorAll<HTMLTableRowElement>('table.resources tbody tr')).map((r) => r.cells[0].textContent);
const row = (id: string) => document.querySelector<HTMLTableRowElement>(`table.resources tr[data-id="${id}"]`)!;
const chart = (key: string) => document.querySelector<HTMLElement>(`figure[data-chart="${key}"]`);

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
function cs(id: string, name: string, over: Partial<ContainerSample>): ContainerSample {
  return {
    id,
    name,
    memoryBytes: 10 * 2 ** 20,
    memoryLimit: null,
    cpuUsec: 0,
    cpuLimitCores: null,
    pids: 1,
    pidsMax: null,
    ioReadBytes: null,
    ioWriteBytes: null,
    oomKills: 0,
    cpuSome: 0,
    cpuFull: 0,
    memorySome: 0,
    memoryFull: 0,
    ioSome: 0,
    ioFull: 0,
    ...over,
  };
}
const limited = (t: number, over: Partial<ContainerSample> = {}) =>
  cs(A, 'limited', {
    memoryBytes: 48 * 2 ** 20,
    memoryLimit: 64 * 2 ** 20,
    pids: 3,
    pidsMax: 50,
    cpuLimitCores: 0.5,
    cpuUsec: t * 250_000,
    ...over,
  });
const sample = (t: number, ...containers: ContainerSample[]): ResourceSample => ({ t, containers, omitted: 0 });

before(async () => {
  page = installPageDom();
  // uPlot reads these browser globals at import (Node 20 has none); the page draws no canvas here anyway.
  const g = globalThis as Record<string, unknown>;
  for (const k of ['navigator', 'devicePixelRatio', 'matchMedia', 'getComputedStyle', 'MutationObserver', 'ResizeObserver'])
    g[k] ??= (page.window as unknown as Record<string, unknown>)[k];
  // Node's own CustomEvent is not happy-dom's Event: uPlot dispatches one on the window at import.
  nodeCustomEvent = g.CustomEvent;
  g.CustomEvent = page.window.CustomEvent;
  document.body.innerHTML = '<main id="root"></main>';
  await import('../../../src/panels/resources/web/main');
});
after(async () => {
  (globalThis as Record<string, unknown>).CustomEvent = nodeCustomEvent;
  await page.close();
});

test('ready first; one sample: a table, CPU unknown, charts for the subject container', () => {
  assert.deepEqual(page.posted[0], { kind: 'ready' });
  notify('init', { nodeId: 'local', nodeLabel: 'This machine', subject: A });
  notify('connection', { connected: true, reason: null });
  notify('history', { intervalMs: 2000, capacity: 360, samples: [sample(1_000_000, limited(1000), cs(B, 'busy', { memorySome: 12.5 }))] });
  assert.match(document.querySelector('h1')!.textContent, /Live resources · This machine/);
  assert.match(document.querySelector('.status')!.textContent, /1 sample since .*every 2 s \(keeps 360: 12 min\)/);
  assert.match(row(A).textContent, /48\.0 MiB \/ 64\.0 MiB/);
  assert.match(row(A).textContent, /unknown \/ 0\.50 CPU/, 'CPU is a rate: unknown with one sample');
  assert.match(row(A).textContent, /3 \/ 50/);
  assert.equal(chart('memory')!.dataset.samples, '1');
  assert.match(chart('memory')!.querySelector('.legend')!.textContent, /usage 48\.0 MiB.*limit 64\.0 MiB/);
  assert.equal(row(A).getAttribute('aria-selected'), 'true');
  assert.deepEqual(page.state, { nodeId: 'local', subject: A, view: { selected: A, sort: 'pressure' } });
});

test('a second sample: CPU from the usage delta, charts updated in place', () => {
  const before = chart('cpu');
  notify('sample', sample(1_002_000, limited(1002), cs(B, 'busy', { memorySome: 12.5 })));
  // 2 s of wall time, 500 ms of CPU time: 0.25 cores.
  assert.match(row(A).textContent, /0\.25 CPU \/ 0\.50 CPU/);
  assert.equal(chart('cpu'), before, 'the same chart element, its data replaced');
  assert.equal(chart('cpu')!.dataset.samples, '2');
  assert.match(chart('cpu')!.querySelector('.legend')!.textContent, /used 0\.25 CPU/);
});

test('sorting: pressure puts the stalled container first, headroom the one nearest a limit', () => {
  assert.deepEqual(rowNames(), ['busy', 'limited']);
  document.querySelector<HTMLElement>('th[data-sort="headroom"]')!.click();
  assert.deepEqual(rowNames(), ['limited', 'busy']);
  assert.match(row(A).textContent, /25% memory/);
  assert.equal(document.querySelector('th[data-sort="headroom"]')!.getAttribute('aria-sort'), 'descending');
  assert.deepEqual((page.state as { view: unknown }).view, { selected: A, sort: 'headroom' });
});

test('an OOM kill is marked in the row and on the charts', () => {
  notify('sample', sample(1_004_000, limited(1004, { oomKills: 1 }), cs(B, 'busy', {})));
  assert.match(row(A).textContent, /1 \(1 seen\)/);
  assert.match(chart('memory')!.querySelector('.legend')!.textContent, /OOM kills 1/);
});

test('clicking another row shows its charts; disconnected says so', () => {
  row(B).click();
  assert.equal(row(B).getAttribute('aria-selected'), 'true');
  assert.equal(document.querySelector('.charts-section h2')!.textContent, 'busy');
  assert.equal(chart('memory')!.dataset.samples, '3');
  notify('connection', { connected: false, reason: 'agent exited' });
  assert.match(document.querySelector('.banner')!.textContent, /Not connected: agent exited/);
});
