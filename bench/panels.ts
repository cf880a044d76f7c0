/**
 * The namespace graph panel's speed in Chromium (issue 10): a synthetic 5,000-node namespace graph from the
 * snapshot message to a stable layout (target ≤ 1 s), and the frame time while panning it (target ≤ 16 ms).
 * The page is dist/webview/namespaceGraph.js in a plain page with a fake acquireVsCodeApi (no VS Code:
 * what is measured is the page's own work). Each layout the panel could use is measured on the same graph,
 * so the choice in graphView.ts (ELK layered up to ELK_MAX_NODES, the banded layout past it) can be checked.
 *
 * Frame times: Chromium runs with its frame rate limit off, so the interval between animation frames is the
 * time the page takes to draw one (pan step, redraw), not the display's 16.7 ms.
 *
 *   node --import tsx bench/panels.ts [bundle.js]     (alone; npm run bench runs it too)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chromium } from 'playwright-core';
import { NS_TYPES, type NamespaceInfo, type NsInodes, type ProcessInfo, type Snapshot } from '../server/protocol';
import { buildNamespaceGraph } from '../src/model/graph/namespaceGraph';
import { sampleContainer, sampleSnapshot } from '../test/unit/cli/sampleSnapshot';
import { median } from './measure';

const repo = path.resolve(__dirname, '..');
const LAYOUT_TARGET_MS = 1000;
const FRAME_TARGET_MS = 16;
/** The layouts compared; cose (force-directed) is given a deadline, it can take minutes on 5,000 nodes. */
const LAYOUTS = process.env.BENCH_GRAPH_LAYOUTS?.split(',') ?? ['auto', 'bands', 'elk', 'breadthfirst', 'cose'];
const LAYOUT_DEADLINE_MS = 120_000;

/**
 * A node shaped like a busy Kubernetes worker: pods of two containers sharing net, ipc and uts, each
 * container with its own cgroup, mnt and pid namespace (pid parent: the host's); every tenth pod in a user
 * namespace of its own (owning its namespaces); host services in private mount namespaces; held netns.
 */
export function syntheticNamespaceSnapshot(pods: number): Snapshot {
  const base = sampleSnapshot();
  let inode = 4026540000;
  const host: NsInodes = {
    cgroup: 4026531835,
    ipc: 4026531839,
    mnt: 4026531841,
    net: 4026531840,
    pid: 4026531836,
    time: 4026531834,
    user: 4026531837,
    uts: 4026531838,
  };
  const namespaces = new Map<string, NamespaceInfo>();
  const ns = (type: NamespaceInfo['type'], ino: number, owner: number | null, parent: number | null = null): void => {
    const key = `${type}:${ino}`;
    const known = namespaces.get(key);
    if (known) return void known.processCount++;
    namespaces.set(key, {
      type,
      inode: ino,
      processCount: 1,
      ownerUserNs: owner,
      parent,
      ownerUid: type === 'user' ? 0 : null,
      isHost: host[type] === ino,
      containerIds: [],
      heldBy: ['process'],
      bindMounts: [],
      fdHolders: [],
      ealdorman: null,
    });
  };
  const processes: ProcessInfo[] = [];
  const proc = (pid: number, comm: string, n: NsInodes, containerId: string | null): void => {
    processes.push({ pid, ppid: 1, comm, cmdline: comm, uid: 0, namespaces: n, nspid: [pid], containerId, threads: [], startTime: pid });
    for (const t of NS_TYPES)
      ns(
        t,
        n[t]!,
        t === 'user' ? (n.user === host.user ? null : host.user) : n.user,
        t === 'pid' && n.pid !== host.pid ? host.pid : t === 'user' && n.user !== host.user ? host.user : null,
      );
  };
  for (let i = 0; i < 100; i++) proc(2 + i, ['systemd', 'kthreadd', 'containerd', 'kubelet', 'sshd'][i % 5], host, null);
  for (let i = 0; i < 40; i++) proc(200 + i, `service-${i}`, { ...host, mnt: inode++ }, null);
  const containers = [];
  let pid = 1000;
  for (let p = 0; p < pods; p++) {
    const user = p % 10 === 0 ? inode++ : host.user;
    const shared = { net: inode++, ipc: inode++, uts: inode++ };
    for (let k = 0; k < 2; k++) {
      const id = `${p.toString(16).padStart(8, '0')}${k}`.padEnd(64, 'a');
      const c = sampleContainer(id, `pod-${p}-${k === 0 ? 'app' : 'sidecar'}`, pid);
      c.namespaces = { ...host, ...shared, user, cgroup: inode++, mnt: inode++, pid: inode++ };
      c.sharesHostNamespaces = user === host.user ? ['time', 'user'] : ['time'];
      containers.push(c);
      proc(pid++, k === 0 ? 'app' : 'envoy', c.namespaces, c.id);
    }
  }
  // Network namespaces kept by a bind mount alone (ip netns add): hidden, with their holder.
  for (let i = 0; i < 10; i++) {
    const ino = inode++;
    namespaces.set(`net:${ino}`, {
      ...namespaces.get(`net:${host.net}`)!,
      inode: ino,
      processCount: 0,
      isHost: false,
      ownerUserNs: host.user,
      heldBy: ['bindmount'],
      bindMounts: [`/run/netns/held-${i}`],
    });
  }
  return {
    ...base,
    host: { ...base.host, namespaces: host, processCount: processes.length },
    processes,
    namespaces: [...namespaces.values()],
    containers,
    layers: [],
    problems: [],
  };
}

/** The pods that make about `nodes` graph nodes (11 per pod: 2 containers, 9 namespaces). */
const podsFor = (nodes: number): number => Math.round((nodes - 200) / 11);

const PAGE = (bundle: string, layout: string) => `<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="${pathToFileURL(path.join(repo, 'media', 'panels', 'base.css')).href}">
<link rel="stylesheet" href="${pathToFileURL(path.join(repo, 'media', 'panels', 'namespaceGraph.css')).href}">
<style>body { --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-foreground: #ccc; --vscode-editor-background: #1e1e1e; --vscode-editor-foreground: #ccc; }</style>
<script>window.acquireVsCodeApi = () => ({ postMessage() {}, getState() { return undefined; }, setState() {} });${IN_PAGE}</script>
</head><body class="vscode-dark"><main id="root" ${layout === 'auto' ? '' : `data-layout="${layout}"`}></main>
<script src="${pathToFileURL(bundle).href}"></script></body></html>`;

/**
 * The measuring code that runs in the page, as plain script (page.evaluate of TypeScript closures would carry
 * the transpiler's helpers along). benchLoad: snapshot message → the first frame after the status line says
 * the graph is drawn (set once the layout stopped). benchPan: drag the canvas with the mouse as a person
 * does, one step per animation frame, and return the frame intervals.
 */
const IN_PAGE = `
window.benchLoad = async (json, deadline) => {
  const snap = JSON.parse(json);
  const status = document.querySelector('.ng-status');
  const start = performance.now();
  window.postMessage({ kind: 'notify', method: 'init', params: { nodeId: 'bench', nodeLabel: 'bench', subject: null } }, '*');
  window.postMessage({ kind: 'notify', method: 'snapshot', params: snap }, '*');
  const drawn = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), deadline);
    new MutationObserver(() => { if (/namespaces/.test(status.textContent || '')) { clearTimeout(timer); resolve(true); } })
      .observe(status, { childList: true, characterData: true, subtree: true });
  });
  if (!drawn) return null;
  await new Promise((r) => requestAnimationFrame(r));
  return performance.now() - start;
};
window.benchPan = async (steps) => {
  const graph = document.querySelector('.ng-graph');
  const canvases = graph.querySelectorAll('canvas');
  const target = canvases[canvases.length - 1] || graph;
  const box = target.getBoundingClientRect();
  let x = box.left + box.width / 2;
  const y = box.top + box.height / 2;
  const fire = (type) => target.dispatchEvent(new MouseEvent(type, { clientX: x, clientY: y, bubbles: true, button: 0, buttons: 1 }));
  fire('mousedown');
  const gaps = [];
  let last = performance.now();
  for (let i = 0; i < steps; i++) {
    x += i < steps / 2 ? 4 : -4;
    fire('mousemove');
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }
  fire('mouseup');
  return gaps.slice(10);
};`;

interface BenchWindow {
  benchLoad(json: string, deadline: number): Promise<number | null>;
  benchPan(steps: number): Promise<number[]>;
}

interface LayoutRun {
  layout: string;
  ms: number | null;
  frames: { medianMs: number; p95Ms: number; count: number } | null;
}

async function runLayout(bundle: string, layout: string, snapshot: string): Promise<LayoutRun> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files', '--disable-frame-rate-limit', '--disable-gpu-vsync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-bench-')), 'namespaceGraph.html');
    fs.writeFileSync(file, PAGE(bundle, layout));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('.ng-toolbar');
    // From the snapshot message to the first frame drawn after the layout stopped (IN_PAGE below).
    const ms = await page.evaluate(([json, deadline]) => (window as unknown as BenchWindow).benchLoad(json, deadline), [
      snapshot,
      LAYOUT_DEADLINE_MS,
    ] as const);
    if (ms === null) return { layout, ms, frames: null };
    const frames = await page.evaluate(() => (window as unknown as BenchWindow).benchPan(180));
    const sorted = [...frames].sort((a, b) => a - b);
    return { layout, ms, frames: { medianMs: median(frames), p95Ms: sorted[Math.floor(sorted.length * 0.95)], count: frames.length } };
  } finally {
    await browser.close();
  }
}

export async function benchNamespaceGraph(bundle = path.join(repo, 'dist', 'webview', 'namespaceGraph.js')): Promise<void> {
  if (!fs.existsSync(bundle)) throw new Error(`${path.relative(repo, bundle)} is missing: run \`npm run build\` first`);
  const target = Number(process.env.BENCH_GRAPH_NODES ?? 5000);
  const snap = syntheticNamespaceSnapshot(podsFor(target));
  const graph = buildNamespaceGraph(snap);
  const t0 = performance.now();
  buildNamespaceGraph(snap);
  const modelMs = performance.now() - t0;
  console.log(
    `namespace graph panel: synthetic node, ${graph.nodes.length} graph nodes, ${graph.edges.length} edges (${snap.processes.length} processes)`,
  );
  console.log(`${'model (buildNamespaceGraph, Node)'.padEnd(52)} ${modelMs.toFixed(1).padStart(9)} ms`);
  const json = JSON.stringify(snap);
  for (const layout of LAYOUTS) {
    const r = await runLayout(bundle, layout, json);
    const label = layout === 'auto' ? 'as shipped (layoutFor)' : layout;
    if (r.ms === null) {
      console.log(`${`snapshot → stable layout, ${label}`.padEnd(52)} > ${LAYOUT_DEADLINE_MS / 1000} s (gave up)`);
      continue;
    }
    const met = (v: number, t: number) => (v <= t ? `target ≤ ${t} ms: met` : `target ≤ ${t} ms: NOT met`);
    console.log(`${`snapshot → stable layout, ${label}`.padEnd(52)} ${r.ms.toFixed(0).padStart(9)} ms  ${met(r.ms, LAYOUT_TARGET_MS)}`);
    if (r.frames)
      console.log(
        `${`  frame while panning, ${label}`.padEnd(52)} ${r.frames.medianMs.toFixed(1).padStart(9)} ms  median of ${r.frames.count}, p95 ${r.frames.p95Ms.toFixed(1)} ms  ${met(r.frames.medianMs, FRAME_TARGET_MS)}`,
      );
  }
}

if (require.main === module) {
  benchNamespaceGraph(process.argv[2] ? path.resolve(process.argv[2]) : undefined).catch((e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
