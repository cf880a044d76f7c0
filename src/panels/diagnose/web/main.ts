/**
 * The Diagnose page: the headline (in the viewer's time zone), then a section per source of the agent's
 * report, each saying "unknown" where the agent could not read a figure. Refresh asks again: the second
 * look adds CPU throttling since the first. Links run the tree's own container commands (base requests).
 */
import type { DiagnoseReport, NetSocket } from '../../../../server/protocol';
import { headlineOf, localClock } from '../../../../server/diagnose/headline';
import { formatBytes, formatCpuQuota } from '../../../../server/units';
import { NodePanelBridge } from '../../web/bridge';
import { el, icon } from '../../web/dom';
import type { ContainerAction } from '../../nodePanelContract';
import type { DiagnoseContract } from '../contract';

const bridge = new NodePanelBridge<DiagnoseContract>();
const root = document.getElementById('root')!;
const problem = el('p', { class: 'error', role: 'alert' });
let report: DiagnoseReport | null = null;
let asking = false;

const say = (e: Error): void => void problem.replaceChildren(e.message);
const n = (v: number | null | undefined): string => (v === null || v === undefined ? 'unknown' : v.toLocaleString('en'));
const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : 'unknown');
const pct = (part: number, whole: number): string => (whole ? `${((100 * part) / whole).toFixed(part / whole < 0.1 ? 1 : 0)} %` : '–');

function link(label: string, codicon: string, run: () => Promise<unknown>): HTMLElement {
  const b = el('button', { class: 'link' }, icon(codicon), ` ${label}`);
  b.addEventListener('click', () => void run().then(() => problem.replaceChildren(), say));
  return b;
}
const action = (a: ContainerAction) => () => bridge.request('containerAction', { action: a, containerId: bridge.init?.subject ?? '' });

function table(head: string[], rows: (string | Node)[][], numeric: number[] = []): HTMLElement {
  const cell = (tag: 'th' | 'td', v: string | Node, i: number) => el(tag, numeric.includes(i) ? { class: 'num' } : {}, v);
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ...head.map((h, i) => cell('th', h, i)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((v, i) => cell('td', v, i))))),
  );
}

function section(id: string, title: string, ...body: (Node | string)[]): HTMLElement {
  return el('section', { class: 'section', id }, el('h2', {}, title), ...body);
}

function oomSection(r: DiagnoseReport): HTMLElement {
  const o = r.oom;
  const count = el(
    'p',
    {},
    `Killed ${n(o.count)} times by the cgroup's count${o.events !== null ? `; limit hit ${n(o.events)} times` : ''}.`,
  );
  const kills = o.kills.length
    ? table(
        ['Time', 'Command', 'PID', 'Its RSS', 'Cgroup at the kill', 'Cgroup'],
        o.kills.map((k) => [
          when(k.at),
          k.command,
          String(k.pid),
          formatBytes(k.rssBytes),
          k.usageBytes !== null ? `${formatBytes(k.usageBytes)} of ${formatBytes(k.limitBytes)}` : 'unknown',
          k.cgroup,
        ]),
        [2, 3],
      )
    : el('p', { class: 'muted' }, 'No OOM kill of this container in the kernel log.');
  return section('oom', 'OOM kills', count, kills, ...(o.note ? [el('p', { class: 'muted' }, o.note)] : []));
}

function exitsSection(r: DiagnoseReport): HTMLElement {
  const e = r.exits;
  if (e.unknown) return section('exits', 'Exits and restarts', el('p', { class: 'muted' }, `Unknown: ${e.unknown}`));
  const facts = [
    `Status ${e.status ?? 'unknown'}`,
    `last exit code ${n(e.exitCode)}${e.signal ? ` (${e.signal})` : ''}`,
    `restarted ${n(e.restartCount)} times`,
    `OOM-killed by the engine's account: ${e.oomKilled === null ? 'unknown' : e.oomKilled ? 'yes' : 'no'}`,
    `started ${when(e.startedAt)}`,
    ...(e.finishedAt ? [`finished ${when(e.finishedAt)}`] : []),
  ];
  return section(
    'exits',
    `Exits and restarts (${e.source ?? 'unknown'})`,
    el('p', {}, facts.join(' · ')),
    ...(e.error ? [el('p', { class: 'error' }, e.error)] : []),
  );
}

function memorySection(r: DiagnoseReport): HTMLElement | null {
  const m = r.memory;
  if (!m) return null;
  const split = `${formatBytes(m.usageBytes)} of ${m.limitBytes === null ? 'no limit' : formatBytes(m.limitBytes)}: anon ${formatBytes(m.anonBytes)}, file ${formatBytes(m.fileBytes)}, kernel ${formatBytes(m.kernelBytes)}`;
  return section(
    'memory',
    'Memory by process',
    el('p', {}, split),
    table(
      ['PID', 'Command', 'PSS', 'RSS', 'Swap'],
      m.processes.map((p) => [String(p.pid), p.command, formatBytes(p.pssBytes), formatBytes(p.rssBytes), formatBytes(p.swapBytes)]),
      [0, 2, 3, 4],
    ),
    ...(m.truncated ? [el('p', { class: 'muted' }, 'More processes than listed.')] : []),
  );
}

function cpuSection(r: DiagnoseReport): HTMLElement | null {
  const c = r.cpu;
  if (!c) return null;
  const total =
    c.periods && c.throttledPeriods !== null
      ? `Throttled in ${n(c.throttledPeriods)} of ${n(c.periods)} periods (${pct(c.throttledPeriods, c.periods)}) since it started.`
      : 'No quota periods counted.';
  const s = c.sinceLast;
  const rate = s
    ? `Since the last look ${Math.round(s.seconds)} s ago: ${pct(s.throttledPeriods, s.periods)} of periods throttled (${(s.throttledUsec / 1e6).toFixed(2)} s held back).`
    : 'Refresh to see throttling from now on.';
  return section('cpu', `CPU throttling (quota ${formatCpuQuota(c.quotaUs, c.periodUs)})`, el('p', {}, total), el('p', {}, rate));
}

function diskSection(r: DiagnoseReport): HTMLElement | null {
  const d = r.disk;
  if (!d) return null;
  const f = d.filesystem;
  return section(
    'disk',
    'What it wrote',
    el(
      'p',
      {},
      `${formatBytes(d.usedBytes)} in ${n(d.files)} files in its writable layer${d.truncated ? ' (at least: the walk stopped at its limit)' : ''}` +
        (f ? `; ${formatBytes(f.availableBytes)} available of ${formatBytes(f.totalBytes)} on the disk under it.` : '.'),
      ' ',
      link('Explore Layers', 'layers', action('exploreLayers')),
    ),
    table(
      ['Biggest files', 'Size'],
      d.biggestFiles.map((e) => [e.path, formatBytes(e.bytes)]),
      [1],
    ),
    table(
      ['Biggest directories', 'Size'],
      d.biggestDirs.map((e) => [`${e.path}/`, formatBytes(e.bytes)]),
      [1],
    ),
  );
}

const owners = (s: NetSocket): string => s.owners.map((o) => `${o.command} (${o.pid})`).join(', ') || '–';

function networkSection(r: DiagnoseReport): HTMLElement | null {
  const net = r.network;
  if (!net) return null;
  return section(
    'network',
    `Network (namespace ${n(net.netns)}${net.sharesHost ? ", the host's" : ''})`,
    table(
      ['Interface', 'State', 'MTU', 'Addresses', 'Received', 'Sent', 'Errors / drops'],
      net.interfaces.map((i) => [
        i.name,
        i.state ?? 'unknown',
        n(i.mtu),
        i.addresses.join(' ') || '–',
        formatBytes(i.rxBytes),
        formatBytes(i.txBytes),
        `${i.rxErrors + i.txErrors} / ${i.rxDropped + i.txDropped}`,
      ]),
      [2, 4, 5],
    ),
    net.routes.length
      ? table(
          ['Route', 'Via', 'Device'],
          net.routes.map((rt) => [rt.destination, rt.gateway ?? '–', rt.device]),
        )
      : el('p', { class: 'muted' }, 'No routes.'),
    net.sockets.length
      ? table(
          ['Protocol', 'State', 'Local', 'Remote', 'Process'],
          net.sockets.map((s) => [s.protocol, s.state, s.local ?? '–', s.remote ?? '–', owners(s)]),
        )
      : el('p', { class: 'muted' }, 'No sockets.'),
    ...(net.truncated ? [el('p', { class: 'muted' }, 'More sockets than listed.')] : []),
  );
}

function render(): void {
  const name = report?.container.name ?? bridge.init?.subject?.slice(0, 12) ?? 'container';
  const refresh = el('button', { class: 'link' }, icon('refresh'), asking ? ' Diagnosing…' : ' Refresh');
  refresh.addEventListener('click', ask);
  const toolbar = el(
    'div',
    { class: 'toolbar' },
    refresh,
    link('Reveal in Tree', 'list-tree', action('reveal')),
    link('Enter', 'terminal', action('enter')),
    link('Live Resources', 'pulse', () => bridge.request('openPanel', { panel: 'resources', subject: bridge.init?.subject ?? undefined })),
  );
  if (!report) {
    root.replaceChildren(el('h1', {}, `Diagnose ${name}`), toolbar, problem, el('p', { class: 'muted' }, asking ? 'Diagnosing…' : ''));
    return;
  }
  const r = report;
  const bad =
    r.oom.kills.length > 0 || (r.oom.count ?? 0) > 0 || r.exits.oomKilled === true || (r.exits.running === false && r.exits.exitCode !== 0);
  const headline = el('p', { class: `headline ${bad ? 'bad' : 'ok'}` }, icon(bad ? 'error' : 'pass'), ` ${headlineOf(r, localClock)}`);
  const unknown = r.unknown.length
    ? section('unknown', 'Not known', el('ul', {}, ...r.unknown.map((p) => el('li', {}, `${p.source}: ${p.message}`))))
    : null;
  root.replaceChildren(
    el('h1', {}, `Diagnose ${name}`),
    headline,
    el(
      'p',
      { class: 'muted' },
      `${r.container.runtime} · ${r.container.running ? `init pid ${r.container.initPid}` : 'not running'} · as of ${when(r.takenAt)}`,
    ),
    toolbar,
    problem,
    ...[oomSection(r), exitsSection(r), memorySection(r), cpuSection(r), diskSection(r), networkSection(r), unknown].filter(
      (s): s is HTMLElement => s !== null,
    ),
  );
}

function ask(): void {
  if (asking) return;
  asking = true;
  render();
  bridge.request('report', null).then(
    (r) => {
      report = r;
      asking = false;
      problem.replaceChildren();
      render();
    },
    (e: Error) => {
      asking = false;
      say(e);
      render();
    },
  );
}

bridge.on('init', () => ask());
bridge.ready();
