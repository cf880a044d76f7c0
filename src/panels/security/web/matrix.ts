/**
 * The security matrix's two tables: containers with their confinement facts and flags (sortable), and
 * capabilities × containers with Docker's default set as the reference column.
 */
import { DOCKER_DEFAULT_CAPS } from '../../../../server/discover/capabilities';
import { matrixCapabilities, riskScore, type SecurityFlag, type SecurityRow } from '../../../model/security/securityRules';
import { el, icon } from '../../web/dom';

export type SecuritySort = 'risk' | 'name' | 'added' | 'seccomp';

const SEVERITY_ICON: Record<SecurityFlag['severity'], string> = { critical: 'error', warning: 'warning', info: 'info' };

export function sortSecurityRows(rows: SecurityRow[], by: SecuritySort): SecurityRow[] {
  const cmp: Record<SecuritySort, (a: SecurityRow, b: SecurityRow) => number> = {
    risk: (a, b) => riskScore(b) - riskScore(a),
    name: () => 0,
    added: (a, b) => b.added.length - a.added.length,
    seccomp: (a, b) => String(a.seccomp).localeCompare(String(b.seccomp)),
  };
  return [...rows].sort((a, b) => cmp[by](a, b) || a.name.localeCompare(b.name));
}

/** Critical and warning flags with their reason written out; the info flags (most containers have them) as tags, the reason their hover. */
function flagList(flags: SecurityFlag[]): HTMLElement {
  if (!flags.length) return el('span', { class: 'muted' }, 'none');
  const serious = flags.filter((f) => f.severity !== 'info');
  const infos = flags.filter((f) => f.severity === 'info');
  const items = serious.map((f) =>
    el(
      'li',
      { class: `flag ${f.severity}`, 'data-rule': f.rule },
      icon(SEVERITY_ICON[f.severity], f.severity),
      ' ',
      el('span', { class: 'reason' }, f.reason),
    ),
  );
  if (infos.length)
    items.push(
      el(
        'li',
        { class: 'infos' },
        ...infos.map((f) =>
          el('span', { class: 'flag info tag-info', 'data-rule': f.rule, title: f.reason }, icon(SEVERITY_ICON.info), ` ${f.short}`),
        ),
      ),
    );
  return el('ul', { class: 'flags' }, ...items);
}

const yesNo = (v: boolean | null) => (v === null ? 'unknown' : v ? 'on' : 'off');

function capsCell(r: SecurityRow): HTMLElement {
  if (r.capabilities === null) return el('span', { class: 'muted' }, 'unknown');
  if (!r.added.length && !r.dropped.length) return el('span', { class: 'muted' }, "Docker's default");
  return el(
    'span',
    {},
    ...r.added.map((c) => el('span', { class: 'add', title: "added to Docker's default" }, `+${c.replace(/^CAP_/, '')} `)),
    ...r.dropped.map((c) => el('span', { class: 'drop', title: "dropped from Docker's default" }, `−${c.replace(/^CAP_/, '')} `)),
  );
}

const COLUMNS: { label: string; sort?: SecuritySort }[] = [
  { label: 'Container', sort: 'name' },
  { label: 'Flags', sort: 'risk' },
  { label: 'Seccomp', sort: 'seccomp' },
  { label: 'no_new_privs' },
  { label: 'LSM label' },
  { label: 'User namespace' },
  { label: 'Host namespaces' },
  { label: 'Capabilities vs default', sort: 'added' },
];

export function containersTable(
  rows: SecurityRow[],
  sort: SecuritySort,
  onSort: (s: SecuritySort) => void,
  onReveal: (id: string) => void,
): HTMLTableElement {
  const head = el(
    'tr',
    {},
    ...COLUMNS.map((c) => {
      const th = el('th', {}, c.label);
      if (!c.sort) return th;
      const by = c.sort;
      th.classList.add('sortable');
      th.tabIndex = 0;
      th.setAttribute('data-sort', by);
      th.setAttribute('aria-sort', by === sort ? 'descending' : 'none');
      if (by === sort) th.append(' ', icon('arrow-down'));
      th.addEventListener('click', () => onSort(by));
      th.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && onSort(by));
      return th;
    }),
  );
  const body = sortSecurityRows(rows, sort).map((r) => {
    const reveal = el('button', { class: 'link', title: 'Reveal in the Nodes view' }, icon('go-to-file'));
    reveal.addEventListener('click', () => onReveal(r.id));
    const worst = r.flags[0]?.severity ?? 'none';
    return el(
      'tr',
      // Focusable, so the keyboard's context-menu key opens the container's menu on it (main.ts).
      { 'data-id': r.id, 'data-worst': worst, tabindex: '0' },
      el('td', { class: 'name' }, r.name, ' ', reveal),
      el('td', { class: 'flags-cell' }, flagList(r.flags)),
      el('td', { class: r.seccomp === 'disabled' ? 'bad' : '' }, r.seccomp ?? 'unknown'),
      el('td', {}, yesNo(r.noNewPrivs)),
      el('td', { class: 'lsm' }, r.lsmLabel ?? el('span', { class: 'muted' }, 'none')),
      el('td', { class: r.userNamespace === 'host' ? 'warn' : '' }, r.userNamespace === 'host' ? "host's (not mapped)" : r.userNamespace),
      el('td', {}, r.hostNamespaces.length ? r.hostNamespaces.join(', ') : el('span', { class: 'muted' }, 'none')),
      el('td', { class: 'caps' }, capsCell(r)),
    );
  });
  return el('table', { class: 'security' }, el('thead', {}, head), el('tbody', {}, ...body));
}

/** Capabilities down, containers across; the first column is Docker's default set. */
export function capabilityMatrix(rows: SecurityRow[]): HTMLTableElement {
  const caps = matrixCapabilities(rows);
  const ordered = sortSecurityRows(rows, 'name');
  const head = el(
    'tr',
    {},
    el('th', {}, 'Capability'),
    el('th', { class: 'reference', title: "Docker's default set (moby oci/caps/defaults.go)" }, 'Docker default'),
    ...ordered.map((r) => el('th', { class: 'container', title: r.name, 'data-container': r.id }, el('span', {}, r.name))),
  );
  const body = caps.map((cap) => {
    const inDefault = DOCKER_DEFAULT_CAPS.includes(cap);
    return el(
      'tr',
      { 'data-cap': cap },
      el('th', { scope: 'row' }, cap.replace(/^CAP_/, '')),
      el('td', { class: 'reference' }, inDefault ? '●' : ''),
      ...ordered.map((r) => {
        if (r.capabilities === null) return el('td', { class: 'muted', title: `${r.name}: capabilities unknown` }, '?');
        const held = r.capabilities.includes(cap);
        const cls = held && !inDefault ? 'add' : !held && inDefault ? 'drop' : '';
        const title = `${r.name}: ${held ? 'holds' : 'lacks'} ${cap}${cls === 'add' ? " (added to Docker's default)" : cls === 'drop' ? " (dropped from Docker's default)" : ''}`;
        return el('td', { class: `cell ${cls}`, title, 'data-container': r.id }, held ? '●' : cls === 'drop' ? '○' : '');
      }),
    );
  });
  return el('table', { class: 'matrix' }, el('thead', {}, head), el('tbody', {}, ...body));
}
