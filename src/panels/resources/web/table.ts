/**
 * The containers' latest figures, one row each, sortable by pressure, headroom, memory, CPU or name.
 * Clicking a row selects its container for the charts.
 */
import { formatBytes } from '../../../../server/units';
import type { ResourceRow, ResourceSort } from '../../../model/resources/resourceSamples';
import { sortRows } from '../../../model/resources/resourceSamples';
import { el, icon } from '../../web/dom';
import { formatValue } from './charts';

const COLUMNS: { label: string; sort?: ResourceSort; title?: string }[] = [
  { label: 'Container', sort: 'name' },
  { label: 'Memory', sort: 'memory', title: 'usage / limit' },
  { label: 'CPU', sort: 'cpu', title: 'cores used over the last watch interval / quota' },
  { label: 'Tasks', title: 'pids.current / pids.max' },
  { label: 'I/O', title: 'read / write per second' },
  { label: 'Pressure', sort: 'pressure', title: 'PSI some avg10: cpu / memory / io (full in the hover)' },
  { label: 'Headroom', sort: 'headroom', title: 'the smallest share left of a limited resource' },
  { label: 'OOM kills' },
];

function bar(share: number | null): HTMLElement {
  const pct = share === null ? 0 : Math.min(100, Math.max(0, share * 100));
  const b = el('span', { class: `bar${pct >= 90 ? ' hot' : ''}` }, el('span', { style: `width:${pct.toFixed(1)}%` }));
  return b;
}

const pct = (v: number | null) => (v === null ? '–' : v.toFixed(1));

function cells(r: ResourceRow): (Node | string)[] {
  const memShare = r.memoryLimit && r.memoryBytes !== null ? r.memoryBytes / r.memoryLimit : null;
  const cpuShare = r.cpuLimitCores && r.cpuCores !== null ? r.cpuCores / r.cpuLimitCores : null;
  const p = r.pressure;
  const psiKnown = [p.cpuSome, p.memorySome, p.ioSome].some((v) => v !== null);
  return [
    el('span', { class: 'name' }, r.name),
    el(
      'span',
      { class: 'usage' },
      bar(memShare),
      `${formatBytes(r.memoryBytes)} / ${r.memoryLimit === null ? 'unlimited' : formatBytes(r.memoryLimit)}`,
    ),
    el(
      'span',
      { class: 'usage' },
      bar(cpuShare),
      `${r.cpuCores === null ? 'unknown' : formatValue(r.cpuCores, 'cores')} / ${r.cpuLimitCores === null ? 'unlimited' : formatValue(r.cpuLimitCores, 'cores')}`,
    ),
    `${r.pids ?? 'unknown'} / ${r.pidsMax ?? 'unlimited'}`,
    r.ioReadPerSec === null && r.ioWritePerSec === null
      ? el('span', { class: 'muted', title: 'the kernel keeps no byte count for this cgroup (v1 without a throttle rule)' }, 'unknown')
      : `${formatValue(r.ioReadPerSec, 'bytesPerSec')} / ${formatValue(r.ioWritePerSec, 'bytesPerSec')}`,
    psiKnown
      ? el(
          'span',
          {
            title: `full: memory ${pct(p.memoryFull)}%, io ${pct(p.ioFull)}%, cpu ${pct(p.cpuFull)}%`,
            class: (r.worstPressure ?? 0) >= 10 ? 'hot' : '',
          },
          `${pct(p.cpuSome)} / ${pct(p.memorySome)} / ${pct(p.ioSome)}%`,
        )
      : el('span', { class: 'muted', title: 'no PSI files for this cgroup' }, 'no PSI'),
    r.headroom === null
      ? el('span', { class: 'muted' }, 'no limit')
      : el('span', { class: r.headroom < 0.1 ? 'hot' : '' }, `${(r.headroom * 100).toFixed(0)}% ${r.headroomOf}`),
    r.oomKills === null
      ? 'unknown'
      : r.oomKillsSeen
        ? el('span', { class: 'hot' }, icon('warning'), ` ${r.oomKills} (${r.oomKillsSeen} seen)`)
        : String(r.oomKills),
  ];
}

export function resourcesTable(
  rows: ResourceRow[],
  sort: ResourceSort,
  selected: string | null,
  onSort: (s: ResourceSort) => void,
  onSelect: (id: string) => void,
): HTMLTableElement {
  const head = el(
    'tr',
    {},
    ...COLUMNS.map((c) => {
      const th = el('th', c.title ? { title: c.title } : {}, c.label);
      if (c.sort) {
        th.classList.add('sortable');
        th.setAttribute('data-sort', c.sort);
        th.setAttribute('aria-sort', c.sort === sort ? 'descending' : 'none');
        th.tabIndex = 0;
        if (c.sort === sort) th.append(' ', icon('arrow-down'));
        const by = c.sort;
        th.addEventListener('click', () => onSort(by));
        th.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && onSort(by));
      }
      return th;
    }),
  );
  const body = sortRows(rows, sort).map((r) => {
    // The raw limit rides along for tests and scripts that read the page (the cell shows it in binary units).
    const tr = el(
      'tr',
      {
        'data-id': r.id,
        'data-memory-limit': String(r.memoryLimit ?? ''),
        class: r.id === selected ? 'selected' : '',
        tabindex: '0',
        'aria-selected': String(r.id === selected),
      },
      ...cells(r).map((c) => el('td', {}, c)),
    );
    tr.addEventListener('click', () => onSelect(r.id));
    tr.addEventListener('keydown', (e) => e.key === 'Enter' && onSelect(r.id));
    return tr;
  });
  return el('table', { class: 'resources' }, el('thead', {}, head), el('tbody', {}, ...body));
}
