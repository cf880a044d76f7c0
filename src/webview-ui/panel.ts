/**
 * Browser code of the node overview: a table of containers with limits next to usage, and a graph of
 * which namespaces containers share (with each other, or with the host). Renders what it is posted.
 */
import type { ContainerInfo, Snapshot } from '../../server/protocol';
import type { FromWebview, ToWebview } from '../webviews/messages';
import { capabilityDiff, capabilityList, memoryLine, pidsLine, shortId } from '../views/treeShape';
import { formatCpuQuota } from '../../server/units';

declare function acquireVsCodeApi(): { postMessage(m: FromWebview): void };
const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function usageBar(used: number | null, limit: number | null): HTMLElement {
  const bar = el('span', { class: 'bar' });
  const fill = el('span');
  const ratio = used !== null && limit ? Math.min(1, used / limit) : 0;
  fill.style.width = `${Math.round(ratio * 100)}%`;
  if (ratio > 0.85) bar.classList.add('hot');
  bar.append(fill);
  return bar;
}

function containersTable(s: Snapshot): HTMLElement {
  const table = el('table', {}, el('tr', {}, ...['container', 'runtime', 'memory', 'pids', 'cpu', 'capabilities vs Docker default', 'root', ''].map((h) => el('th', {}, h))));
  for (const c of [...s.containers].sort((a, b) => a.name.localeCompare(b.name))) {
    const m = c.cgroup?.memory;
    const diff = capabilityDiff(c);
    // A container with many added capabilities would stretch the table past the panel: the cell wraps
    // between names (each name stays whole) and its hover lists every capability.
    const caps = el('td', { class: 'caps', title: capabilityList(c) }, `${c.capabilities?.effective.length ?? '?'} `);
    for (const a of diff.added) caps.append(el('span', { class: 'add' }, `+${a.slice(4)}`), ' ');
    for (const d of diff.dropped) caps.append(el('span', { class: 'drop' }, `−${d.slice(4)}`), ' ');
    const enter = el('button', { class: 'link', title: 'Open a shell inside this container' }, 'enter');
    enter.addEventListener('click', () => vscode.postMessage({ type: 'enter', containerId: c.id }));
    const inspect = el('button', { class: 'link' }, 'inspect');
    inspect.addEventListener('click', () => vscode.postMessage({ type: 'inspect', containerId: c.id }));
    table.append(
      el('tr', { 'data-container': c.id },
        el('td', { class: 'name', title: c.id }, el('strong', {}, c.name), el('span', { class: 'muted' }, ` ${shortId(c.id)}`)),
        el('td', {}, c.runtime),
        el('td', {}, usageBar(m?.usageBytes ?? null, m?.limitBytes ?? null), memoryLine(c) ?? 'unknown'),
        el('td', {}, pidsLine(c) ?? 'unknown'),
        el('td', {}, c.cgroup?.cpu ? formatCpuQuota(c.cgroup.cpu.quotaUs, c.cgroup.cpu.periodUs) : 'unknown'),
        caps,
        el('td', {}, c.rootfs ? `${c.rootfs.fstype}${c.rootfs.readOnly ? ' ro' : ''}, ${c.rootfs.layers.length} layers` : 'unknown'),
        el('td', { class: 'actions' }, enter, inspect),
      ),
    );
  }
  return table;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Containers on the left, the namespaces they do not have to themselves on the right. */
function namespaceGraph(s: Snapshot): SVGElement {
  const containers = [...s.containers].sort((a, b) => a.name.localeCompare(b.name));
  const sharedKey = (c: ContainerInfo) => Object.entries(c.namespaces).filter(([, ino]) => ino !== null).map(([t, ino]) => `${t}:${ino}`);
  const uses = new Map<string, ContainerInfo[]>();
  for (const c of containers) for (const k of sharedKey(c)) uses.set(k, [...(uses.get(k) ?? []), c]);
  const nsList = [...uses.keys()].filter((k) => {
    const ns = s.namespaces.find((n) => `${n.type}:${n.inode}` === k);
    return ns?.isHost || (uses.get(k)?.length ?? 0) > 1;
  }).sort();
  const rowH = 26;
  const height = Math.max(containers.length, nsList.length) * rowH + 20;
  const g = svg('svg', { width: 760, height, viewBox: `0 0 760 ${height}`, role: 'img', 'aria-label': 'Namespaces shared between containers and with the host' }) as SVGSVGElement;
  const cy = (i: number) => 14 + i * rowH;
  nsList.forEach((k, j) => {
    for (const c of uses.get(k)!) {
      const i = containers.indexOf(c);
      g.append(svg('line', { x1: 230, y1: cy(i) + 9, x2: 480, y2: cy(j) + 9 }));
    }
  });
  containers.forEach((c, i) => {
    const grp = svg('g', { class: 'c' });
    grp.append(svg('rect', { x: 10, y: cy(i), width: 220, height: 18, rx: 4 }), svg('text', { x: 18, y: cy(i) + 13 }, c.name));
    g.append(grp);
  });
  nsList.forEach((k, j) => {
    const ns = s.namespaces.find((n) => `${n.type}:${n.inode}` === k)!;
    const grp = svg('g', { class: `n${ns.isHost ? ' host' : ''}` });
    grp.append(svg('rect', { x: 480, y: cy(j), width: 270, height: 18, rx: 4 }), svg('text', { x: 488, y: cy(j) + 13 }, `${ns.type} [${ns.inode}]${ns.isHost ? ' · host' : ''}`));
    g.append(grp);
  });
  return g;
}

function render(node: string, s: Snapshot): void {
  const hidden = s.namespaces.filter((n) => n.processCount === 0);
  const shared = s.layers.filter((l) => l.usedBy.length > 1);
  root.replaceChildren(
    el('h1', {}, `${node}`),
    el('p', { class: 'muted' }, `${s.host.hostname} · kernel ${s.host.kernel} · cgroup ${s.host.cgroupVersion} · ${s.host.processCount} processes · ${s.namespaces.length} namespaces (${hidden.length} without processes) · ${s.layers.length} layers (${shared.length} shared) · ${new Date(s.takenAt).toLocaleTimeString()}`),
    el('h2', {}, `Containers (${s.containers.length})`),
    // The table stays inside the panel: long cells wrap (panel.css); anything still wider scrolls in its box.
    el('div', { class: 'table-box' }, containersTable(s)),
    el('h2', {}, 'Namespaces shared with the host or between containers'),
    namespaceGraph(s) as unknown as HTMLElement,
  );
}

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  const m = e.data;
  if (m.type === 'snapshot') render(m.node, m.snapshot);
  else root.replaceChildren(el('h1', {}, m.node), el('p', { class: 'muted' }, `Not connected${m.reason ? `: ${m.reason}` : ''}.`));
});
vscode.postMessage({ type: 'ready' });
