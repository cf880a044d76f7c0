/**
 * First paint of the layer explorer's page (dist/webview/layerExplorer.js) in Chromium on a layer whose
 * root holds 100,000 files: from the page's `ready` to the first rows drawn, with a host that answers at
 * once from memory (the agent's own first page is timed in bench/layers.ts, layers.explore first page;
 * the two add up to what a person waits for). Then scrolling to the end of the loaded rows: the frame time
 * and the number of row elements in the DOM (the list is virtual: it must not grow with the directory).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chromium } from 'playwright-core';

const repo = path.resolve(__dirname, '..');
const ENTRIES = 100_000;

/** The page with a fake acquireVsCodeApi that answers `report` and `explore` from generated data. */
const PAGE = (bundle: string, css: string[]) => `<!DOCTYPE html><html><head><meta charset="utf-8">
${css.map((c) => `<link rel="stylesheet" href="${pathToFileURL(c).href}">`).join('\n')}
<style>body { height: 900px; }</style></head><body><main id="root"></main>
<script>
const ENTRIES = ${ENTRIES};
const report = { target: { kind: 'container', id: 'b'.repeat(64), name: 'bench' }, efficiency: 1, wastedBytes: 0, totalBytes: ENTRIES, wasted: [], wastedFiles: 0, truncated: false, problems: [],
  layers: [{ index: 0, path: '/x', role: 'upper', origin: 'container', createdBy: null, emptyHistory: [], bytes: ENTRIES, symlinkBytes: 0, files: ENTRIES, whiteouts: 0, opaqueDirs: 0, redirects: 0, usedBy: ['b'] }] };
function explore(p) {
  const entries = [];
  for (let i = p.offset; i < Math.min(ENTRIES, p.offset + p.limit); i++) entries.push({ name: 'f' + String(i).padStart(6, '0'), type: 'file', bytes: 1, mark: 'A', layer: 0, hasChildren: false });
  return { target: report.target, path: p.path, layer: 0, merged: false, opaque: false, total: ENTRIES, unfiltered: ENTRIES, marks: { A: ENTRIES, M: 0, R: 0, U: 0 }, offset: p.offset, entries, truncated: false, problems: [] };
}
window.bench = { readyAt: 0, requests: 0 };
window.acquireVsCodeApi = () => ({
  getState: () => undefined, setState: () => {},
  postMessage: (m) => {
    if (m.kind === 'ready') {
      window.bench.readyAt = performance.now();
      const send = (msg) => window.dispatchEvent(new MessageEvent('message', { data: msg }));
      send({ kind: 'notify', method: 'init', params: { nodeId: 'n', nodeLabel: 'bench', subject: 'b' } });
      send({ kind: 'notify', method: 'connection', params: { connected: true, reason: null } });
      return;
    }
    window.bench.requests++;
    const result = m.method === 'report' ? report : m.method === 'explore' ? explore(m.params) : null;
    setTimeout(() => window.dispatchEvent(new MessageEvent('message', { data: { kind: 'response', id: m.id, result } })), 0);
  },
});
</script><script src="${pathToFileURL(bundle).href}"></script></body></html>`;

export async function benchLayerExplorer(bundle = path.join(repo, 'dist', 'webview', 'layerExplorer.js')): Promise<void> {
  if (!fs.existsSync(bundle)) throw new Error(`${path.relative(repo, bundle)} is missing: run \`npm run build\` first`);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-bench-')), 'layerExplorer.html');
    fs.writeFileSync(
      file,
      PAGE(bundle, [path.join(repo, 'media', 'panels', 'base.css'), path.join(repo, 'media', 'panels', 'layerExplorer.css')]),
    );
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('.vlist-spacer > .row.entry', { timeout: 60_000 });
    const paint = await page.evaluate(
      () =>
        new Promise<number>((resolve) =>
          requestAnimationFrame(() => resolve(performance.now() - (window as unknown as { bench: { readyAt: number } }).bench.readyAt)),
        ),
    );
    // Scroll through the loaded rows to the "more" row: the next page is asked for; the DOM stays a screenful.
    const scroll = await page.evaluate(async () => {
      const box = document.querySelector<HTMLElement>('.vlist')!;
      const gaps: number[] = [];
      let last = performance.now();
      for (let i = 0; i < 120; i++) {
        box.scrollTop += 120;
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        gaps.push(now - last);
        last = now;
      }
      gaps.sort((a, b) => a - b);
      return { median: gaps[Math.floor(gaps.length / 2)], rows: document.querySelectorAll('.vlist-spacer > .row').length };
    });
    console.log(`layer explorer page: a layer root of ${ENTRIES.toLocaleString('en')} files, host answering from memory`);
    console.log(`${'first paint after ready (report + first page of 500)'.padEnd(56)} ${paint.toFixed(0).padStart(7)} ms`);
    console.log(
      `${'frame while scrolling the file list'.padEnd(56)} ${scroll.median.toFixed(1).padStart(7)} ms  median; ${scroll.rows} row elements in the DOM`,
    );
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  benchLayerExplorer(process.argv[2] ? path.resolve(process.argv[2]) : undefined).catch((e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
