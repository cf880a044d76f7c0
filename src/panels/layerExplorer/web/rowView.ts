/** One row of the explorer's file tree: indent, twistie, icon, name, mark, size, flags and file actions. */
import type { ListingMark } from '../../../../server/protocol';
import { formatBytes } from '../../../../server/units';
import { el, icon } from '../../web/dom';
import type { Row } from './explorerTree';

export const MARK_WORDS: Record<ListingMark, string> = { A: 'added', M: 'modified', R: 'removed', U: 'unmodified' };

export interface RowHandlers {
  toggle(path: string): void;
  open(path: string): void;
  compare(path: string, layer: number): void;
}

const TYPE_ICONS = { dir: 'folder', file: 'file', symlink: 'file-symlink-file', other: 'question' } as const;

export function rowView(row: Row, h: RowHandlers): HTMLElement {
  const indent = `${row.depth * 16 + 4}px`;
  if (row.kind !== 'entry') {
    const text = row.kind === 'more' ? `${row.total - row.loaded} more…` : row.kind === 'loading' ? 'loading…' : row.message;
    const r = el(
      'div',
      { class: `row ${row.kind}`, 'data-kind': row.kind },
      el('span', { class: row.kind === 'error' ? 'error' : 'muted' }, text),
    );
    r.style.paddingLeft = `${row.depth * 16 + 24}px`;
    return r;
  }
  const e = row.entry;
  const expandable = e.type === 'dir' && e.hasChildren;
  const twistie = expandable ? icon(row.expanded ? 'chevron-down' : 'chevron-right') : el('span', { class: 'twistie-space' });
  const flags: HTMLElement[] = [];
  if (e.whiteout) flags.push(el('span', { class: 'flag', title: 'a whiteout in this layer removes it' }, 'whiteout'));
  if (e.hiddenByOpaque)
    flags.push(el('span', { class: 'flag', title: 'an opaque directory in this layer hides it' }, 'hidden by opaque dir'));
  if (e.opaque)
    flags.push(el('span', { class: 'flag opaque', title: 'this layer made the directory opaque: nothing below shows through' }, 'opaque'));
  const actions = el('span', { class: 'actions' });
  if (e.type === 'file' && e.mark !== 'R') {
    actions.append(action('go-to-file', 'Open', () => h.open(row.path)));
    if (e.mark === 'M') actions.append(action('diff', 'Compare with Layer Below', () => h.compare(row.path, e.layer)));
  }
  const r = el(
    'div',
    {
      class: `row entry mark-${e.mark}`,
      role: 'treeitem',
      'data-path': row.path,
      'data-mark': e.mark,
      ...(expandable ? { 'aria-expanded': String(row.expanded) } : {}),
      title: `${row.path}\n${MARK_WORDS[e.mark]} · from layer #${e.layer}`,
    },
    twistie,
    icon(TYPE_ICONS[e.type]),
    el('span', { class: 'name' }, e.name),
    el('span', { class: `mark mark-${e.mark}`, title: MARK_WORDS[e.mark] }, e.mark),
    el('span', { class: 'size muted' }, e.type === 'file' ? formatBytes(e.bytes) : ''),
    ...flags,
    actions,
  );
  r.style.paddingLeft = indent;
  if (expandable) r.addEventListener('click', (ev) => !(ev.target as HTMLElement).closest('.actions') && h.toggle(row.path));
  return r;
}

function action(codicon: string, title: string, run: () => void): HTMLElement {
  const b = el('button', { class: 'icon-button', title, 'aria-label': title }, icon(codicon));
  b.addEventListener('click', (ev) => {
    ev.stopPropagation();
    run();
  });
  return b;
}
