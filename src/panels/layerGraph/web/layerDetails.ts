/**
 * The side pane: what the selected container or layer is, its actions, and for a layer the facts the
 * agent walks for (whiteouts, opaque dirs, page cache) beside the memory cgroups of the containers using it.
 * Below, every shared layer by its number of users, so the sharing reads without the picture too.
 */
import type { ContainerInfo, Snapshot } from '../../../../server/protocol';
import { formatBytes } from '../../../../server/units';
import type { GraphNode } from '../../../model/graph/graphModel';
import { layerLabel } from '../../../model/graph/layerGraph';
import type { ContainerAction } from '../../nodePanelContract';
import { el, icon } from '../../web/dom';
import type { LayerFacts } from '../contract';
import { layerLine } from './layerElements';

export interface DetailsActions {
  select(id: string): void;
  act(action: ContainerAction, containerId: string): void;
}

/** What is known of a layer's facts: not asked yet, being walked, known, or why not. */
export type FactsState = { state: 'loading' } | { state: 'done'; facts: LayerFacts } | { state: 'failed'; reason: string };

const row = (term: string, ...value: (Node | string)[]) => [el('dt', {}, term), el('dd', {}, ...value)];

function button(label: string, codicon: string, onClick: () => void, action: string): HTMLElement {
  const b = el('vscode-button', { secondary: '', 'data-action': action }, icon(codicon), ` ${label}`);
  b.addEventListener('click', onClick);
  return b;
}

function containerLink(c: ContainerInfo, a: DetailsActions): HTMLElement {
  const b = el('button', { class: 'link', title: c.id }, c.name);
  b.addEventListener('click', () => a.select(`container:${c.id}`));
  return b;
}

/** The user containers' memory cgroups with the page cache charged to each (the kernel charges a page to the first reader's cgroup). */
function cgroupCharges(users: ContainerInfo[]): HTMLElement {
  const list = el('ul', { class: 'charges' });
  for (const c of users) {
    const m = c.cgroup?.memory;
    list.append(
      el(
        'li',
        {},
        el('strong', {}, c.name),
        ` ${c.cgroup?.path ?? 'cgroup unknown'}: `,
        el('span', { class: 'figure' }, typeof m?.fileBytes === 'number' ? formatBytes(m.fileBytes) : 'unknown'),
        ' file cache',
      ),
    );
  }
  return list;
}

function factsRows(f: FactsState | undefined): HTMLElement[] {
  if (!f || f.state === 'loading') return row('Files', el('span', { class: 'muted' }, 'walking the layer…'));
  if (f.state === 'failed') return row('Files', el('span', { class: 'error' }, f.reason));
  const x = f.facts;
  // Residency is counted in whole pages, so a layer whose every file is cached shows a little over its bytes: 100 % at most.
  const resident =
    x.residentBytes === null
      ? 'not measured'
      : `${formatBytes(x.residentBytes)} of ${formatBytes(x.bytes)}${x.bytes ? ` (${Math.min(100, Math.round((x.residentBytes / x.bytes) * 100))}%)` : ''}`;
  return [
    ...row('Files', `${x.files.toLocaleString('en')} · ${formatBytes(x.bytes)}${x.truncated ? ' (walk stopped at its limit)' : ''}`),
    ...row('Whiteouts', el('span', { class: 'figure', 'data-fact': 'whiteouts' }, String(x.whiteouts))),
    ...row('Opaque directories', el('span', { class: 'figure', 'data-fact': 'opaque' }, String(x.opaqueDirs))),
    ...row(
      'Page cache resident',
      el('span', { class: 'figure', 'data-fact': 'resident' }, resident),
      x.method ? el('span', { class: 'muted' }, ` (${x.method})`) : '',
    ),
    ...(x.createdBy ? row('Made by', el('code', {}, x.createdBy)) : []),
    ...(x.problems.length ? row('Problems', ...x.problems.map((p) => el('div', { class: 'error' }, p))) : []),
  ];
}

export function layerDetails(n: GraphNode, s: Snapshot, facts: FactsState | undefined, a: DetailsActions): HTMLElement {
  const users = (n.usedBy ?? []).map((id) => s.containers.find((c) => c.id === id)).filter((c): c is ContainerInfo => c !== undefined);
  const writableOf = users.filter((c) => c.rootfs?.layers.some((l) => l.role === 'upper' && (l.hostPath ?? l.path) === n.path));
  const explore = users[0];
  return el(
    'div',
    { class: 'selected', 'data-selected': n.id },
    el('h2', {}, icon(n.writable ? 'edit' : 'layers'), ` ${layerLabel(n.path ?? n.label)}`),
    el('p', { class: 'muted' }, layerLine(n)),
    el(
      'div',
      { class: 'toolbar' },
      ...(explore ? [button('Explore Layers', 'folder-library', () => a.act('exploreLayers', explore.id), 'exploreLayers')] : []),
    ),
    el(
      'dl',
      {},
      ...row('Directory', el('code', {}, n.path ?? '')),
      ...row('Size (engine)', n.sizeBytes !== undefined ? formatBytes(n.sizeBytes) : 'not recorded'),
      ...row(`Used by ${users.length}`, ...users.flatMap((c) => [containerLink(c, a), ' '])),
      ...(writableOf.length ? row('Writable layer of', ...writableOf.map((c) => containerLink(c, a))) : []),
      ...(n.unverified ? row('Not verified', el('span', { class: 'error' }, n.unverified)) : []),
      ...(n.unverified ? [] : factsRows(facts)),
      ...row('Memory cgroups of its users', cgroupCharges(users)),
    ),
    el(
      'p',
      { class: 'muted note' },
      'A page of a shared layer is charged to the memory cgroup of the container that read it first; each charge above is all of that cgroup’s file cache, not this layer’s alone.',
    ),
  );
}

export function containerDetails(n: GraphNode, s: Snapshot, a: DetailsActions): HTMLElement {
  const c = s.containers.find((x) => x.id === n.containerId);
  const id = n.containerId ?? '';
  return el(
    'div',
    { class: 'selected', 'data-selected': n.id },
    el('h2', {}, icon('package'), ` ${n.label}`),
    el(
      'div',
      { class: 'toolbar' },
      button('Explore Layers', 'folder-library', () => a.act('exploreLayers', id), 'exploreLayers'),
      button('Enter', 'terminal', () => a.act('enter', id), 'enter'),
      button('Inspect', 'json', () => a.act('inspect', id), 'inspect'),
    ),
    el(
      'dl',
      {},
      ...row('Id', el('code', {}, id)),
      ...row('Runtime', n.runtime ?? 'unknown'),
      ...row('Image', c?.image ?? 'unknown'),
      ...row(
        'Root',
        c?.rootfs ? `${c.rootfs.fstype}${c.rootfs.readOnly ? ' read-only' : ''}, ${c.rootfs.layers.length} layers` : 'unknown',
      ),
      ...row('Page cache charged', typeof c?.cgroup?.memory?.fileBytes === 'number' ? formatBytes(c.cgroup.memory.fileBytes) : 'unknown'),
    ),
  );
}

/** Every layer two or more containers use, most used first. */
export function sharedLayers(nodes: GraphNode[], a: DetailsActions): HTMLElement {
  const shared = nodes
    .filter((n) => n.kind === 'layer' && (n.usedBy?.length ?? 0) > 1)
    .sort((x, y) => (y.usedBy?.length ?? 0) - (x.usedBy?.length ?? 0) || (x.id < y.id ? -1 : 1));
  const list = el('ul', { class: 'shared-layers' });
  for (const n of shared) {
    const b = el('button', { class: 'link', 'data-path': n.path ?? '', title: n.path ?? '' }, layerLabel(n.path ?? n.label));
    b.addEventListener('click', () => a.select(n.id));
    list.append(el('li', { 'data-path': n.path ?? '' }, b, el('span', { class: 'muted' }, ` ${layerLine(n)}`)));
  }
  return el(
    'section',
    { class: 'shared' },
    el('h2', {}, `Shared layers (${shared.length})`),
    shared.length ? list : el('p', { class: 'muted' }, 'No layer is used by more than one container.'),
  );
}
