/**
 * The explorer's left column: the stack, writable layer on top, each layer with the history command that
 * made it (entries that made no layer folded under it, as dive shows them), its size, files, whiteouts,
 * opaque dirs, redirects and how many containers share it; and the report's efficiency and wasted space.
 */
import type { LayerReport, ReportLayer } from '../../../../server/protocol';
import { formatBytes, plural } from '../../../../server/units';
import { el, icon } from '../../web/dom';

/** What a layer is to people: the engine's record (origin) first, the overlay's role when the engine says nothing. */
function roleWord(l: ReportLayer): string {
  if (l.role === 'upper') return 'writable';
  if (l.origin === 'init') return 'init';
  if (l.origin === 'image') return 'image';
  return l.role === 'data' ? 'data-only' : 'lower';
}

/** Why a layer has no history command. */
function noCommand(l: ReportLayer): string {
  if (l.role === 'upper') return 'what the container changed';
  if (l.origin === 'init') return 'made by the engine at start (/etc/hosts, /etc/resolv.conf, …)';
  return 'no history entry (imported, or made by the engine)';
}

function counts(l: ReportLayer): HTMLElement {
  const parts: (HTMLElement | string)[] = [`${plural(l.files, 'file')}`];
  if (l.whiteouts) parts.push(el('span', { class: 'mark-R' }, plural(l.whiteouts, 'whiteout')));
  if (l.opaqueDirs) parts.push(el('span', { class: 'opaque' }, plural(l.opaqueDirs, 'opaque dir')));
  if (l.redirects) parts.push(plural(l.redirects, 'redirect'));
  if (l.usedBy.length > 1) parts.push(el('span', { class: 'shared', title: l.usedBy.join('\n') }, `shared by ${l.usedBy.length}`));
  const line = el('div', { class: 'counts muted' });
  parts.forEach((p, i) => line.append(...(i ? [' · ', p] : [p])));
  return line;
}

function folded(entries: string[], where: string): HTMLElement | null {
  if (!entries.length) return null;
  const list = el('ol', { class: 'history' }, ...entries.map((e) => el('li', {}, el('code', {}, e))));
  return el(
    'details',
    { class: 'empty-history' },
    el('summary', { class: 'muted' }, `${plural(entries.length, 'history entry', 'history entries')} without a layer ${where}`),
    list,
  );
}

/** One card per layer, upper first; `select` is called with the layer's index. */
export function stackView(report: LayerReport, selected: number, select: (index: number) => void): HTMLElement {
  const list = el('ol', { class: 'stack', role: 'listbox', 'aria-label': 'Layers, top first' });
  for (const l of report.layers) {
    const command = l.createdBy ?? noCommand(l);
    const card = el(
      'li',
      {
        class: `layer${l.index === selected ? ' selected' : ''}`,
        role: 'option',
        'aria-selected': String(l.index === selected),
        'data-layer': String(l.index),
        tabindex: '0',
        title: l.path,
      },
      el(
        'div',
        { class: 'layer-head' },
        el('span', { class: 'index' }, `#${l.index}`),
        el('span', { class: `tag role-${l.role}` }, roleWord(l)),
        el('span', { class: 'size' }, formatBytes(l.bytes + l.symlinkBytes)),
      ),
      el('code', { class: `created-by${l.createdBy ? '' : ' muted'}`, title: command }, command),
      counts(l),
    );
    const trailing = folded(l.trailingHistory ?? [], 'after it');
    const before = folded(l.emptyHistory, 'before it');
    if (trailing) card.append(trailing);
    if (before) card.append(before);
    card.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('summary, details')) return;
      select(l.index);
    });
    card.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') select(l.index);
    });
    list.append(card);
  }
  return list;
}

/** dive's efficiency and the wasted files, largest first. */
export function wastedView(report: LayerReport): HTMLElement {
  // Rounded down: a layer stack that wastes any byte never reads "100 %".
  const pct = (Math.floor(report.efficiency * 10_000) / 100).toFixed(2);
  const head = el(
    'p',
    { class: 'efficiency' },
    el('strong', {}, `${pct} %`),
    ` efficient · ${formatBytes(report.wastedBytes)} wasted of ${formatBytes(report.totalBytes)} in ${plural(report.wastedFiles, 'file')}`,
    ...(report.truncated ? [el('span', { class: 'error' }, ' · a walk stopped at its limit: figures cover only what was walked')] : []),
  );
  if (!report.wasted.length) return el('div', {}, head);
  const table = el('table', { class: 'wasted' }, el('tr', {}, el('th', {}, 'bytes'), el('th', {}, 'layer'), el('th', {}, 'path')));
  for (const w of report.wasted)
    table.append(
      el(
        'tr',
        {},
        el('td', { class: 'num' }, formatBytes(w.bytes)),
        el('td', { class: 'num' }, `#${w.layer}`),
        el('td', { class: 'path' }, w.path),
      ),
    );
  return el(
    'div',
    {},
    head,
    el('div', { class: 'table-box' }, table),
    ...(report.wastedFiles > report.wasted.length
      ? [el('p', { class: 'muted' }, `and ${report.wastedFiles - report.wasted.length} smaller`)]
      : []),
  );
}

export function headerLine(report: LayerReport): HTMLElement {
  const t = report.target;
  return el(
    'p',
    { class: 'muted' },
    icon(t.kind === 'image' ? 'file-zip' : 'package'),
    ` ${t.kind} ${t.id.slice(0, 12)}${t.engine ? ` · ${t.engine}'s image store` : ''} · ${plural(report.layers.length, 'layer')}`,
  );
}
