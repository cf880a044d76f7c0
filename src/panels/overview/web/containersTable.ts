/**
 * The overview's containers table: limits next to usage with bars, capabilities against Docker's default.
 * One row per container, keyed by its id (`data-container`), so a delta replaces only the rows it names.
 */
import type { ContainerInfo } from '../../../../server/protocol';
import { formatCpuQuota } from '../../../../server/units';
import { capabilityDiff, capabilityList, memoryLine, pidsLine, shortId } from '../../../model/format/container';
import type { ContainerAction } from '../../nodePanelContract';
import { el, icon } from '../../web/dom';

export type RowAction = (action: ContainerAction, containerId: string) => void;

const HEADINGS = ['container', 'runtime', 'memory', 'pids', 'cpu', 'capabilities vs Docker default', 'root', ''];

function usageBar(used: number | null, limit: number | null): HTMLElement {
  const ratio = used !== null && limit ? Math.min(1, used / limit) : 0;
  const fill = el('span');
  fill.style.width = `${Math.round(ratio * 100)}%`;
  return el('span', { class: ratio > 0.85 ? 'bar hot' : 'bar' }, fill);
}

export function containerRow(c: ContainerInfo, act: RowAction): HTMLTableRowElement {
  const m = c.cgroup?.memory;
  const diff = capabilityDiff(c);
  // Many added capabilities would stretch the table past the panel: the cell wraps between names (each
  // name stays whole, overview.css) and its hover lists every capability.
  const caps = el('td', { class: 'caps', title: capabilityList(c) }, `${c.capabilities?.effective.length ?? '?'} `);
  for (const a of diff.added) caps.append(el('span', { class: 'add' }, `+${a.slice(4)}`), ' ');
  for (const d of diff.dropped) caps.append(el('span', { class: 'drop' }, `−${d.slice(4)}`), ' ');
  const action = (name: ContainerAction, label: string, codicon: string, title: string) => {
    const b = el('button', { class: 'link', title, 'data-action': name }, icon(codicon), ` ${label}`);
    b.addEventListener('click', () => act(name, c.id));
    return b;
  };
  return el(
    'tr',
    { 'data-container': c.id },
    el('td', { class: 'name', title: c.id }, el('strong', {}, c.name), el('span', { class: 'muted' }, ` ${shortId(c.id)}`)),
    el('td', {}, c.runtime),
    el('td', { class: 'usage' }, usageBar(m?.usageBytes ?? null, m?.limitBytes ?? null), memoryLine(c) ?? 'unknown'),
    el('td', {}, pidsLine(c) ?? 'unknown'),
    el('td', {}, c.cgroup?.cpu ? formatCpuQuota(c.cgroup.cpu.quotaUs, c.cgroup.cpu.periodUs) : 'unknown'),
    caps,
    el('td', {}, c.rootfs ? `${c.rootfs.fstype}${c.rootfs.readOnly ? ' ro' : ''}, ${c.rootfs.layers.length} layers` : 'unknown'),
    el(
      'td',
      { class: 'actions' },
      action('enter', 'enter', 'terminal', 'Open a shell inside this container'),
      action('inspect', 'inspect', 'json', 'Show everything Nodescope knows about it as JSON'),
    ),
  );
}

const byName = (a: ContainerInfo, b: ContainerInfo): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1);

export function containersTable(containers: ContainerInfo[], act: RowAction): HTMLTableElement {
  const table = el('table', { class: 'containers' }, el('thead', {}, el('tr', {}, ...HEADINGS.map((h) => el('th', {}, h)))));
  table.append(el('tbody', {}, ...[...containers].sort(byName).map((c) => containerRow(c, act))));
  return table;
}

/**
 * Applies a delta's container changes to a table already on the page: removed rows go, an upserted
 * container's row is replaced where it stands (or inserted in name order). Other rows are left alone.
 */
export function updateContainerRows(
  table: HTMLTableElement,
  upserted: ContainerInfo[],
  removed: string[],
  all: ContainerInfo[],
  act: RowAction,
): void {
  const body = table.querySelector('tbody')!;
  const rowOf = (id: string) => Array.from(body.children as HTMLCollectionOf<HTMLTableRowElement>).find((r) => r.dataset.container === id);
  for (const id of removed) rowOf(id)?.remove();
  const sorted = [...all].sort(byName);
  for (const c of upserted) {
    const fresh = containerRow(c, act);
    const old = rowOf(c.id);
    if (old) old.replaceWith(fresh);
    else {
      // Before the first row whose container sorts after this one.
      const next = sorted
        .slice(sorted.findIndex((x) => x.id === c.id) + 1)
        .map((x) => rowOf(x.id))
        .find((r) => r !== undefined);
      body.insertBefore(fresh, next ?? null);
    }
  }
}
