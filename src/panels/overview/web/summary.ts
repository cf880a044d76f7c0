/**
 * The overview's short pieces above the table: the node's facts in one line, the links to the other
 * panels, and which namespaces containers share (with the host, or with each other) in words.
 */
import type { NsType, Snapshot } from '../../../../server/protocol';
import type { PanelLink } from '../../nodePanelContract';
import { el, icon } from '../../web/dom';

export function factsLine(s: Snapshot): HTMLElement {
  const hidden = s.namespaces.filter((n) => n.processCount === 0).length;
  const shared = s.layers.filter((l) => l.usedBy.length > 1).length;
  const facts = [
    s.host.hostname,
    `kernel ${s.host.kernel}`,
    `cgroup ${s.host.cgroupVersion}`,
    `${s.containers.length} containers`,
    `${s.host.processCount} processes`,
    `${s.namespaces.length} namespaces (${hidden} without processes)`,
    `${s.layers.length} layers (${shared} shared)`,
    `as of ${new Date(s.takenAt).toLocaleTimeString()}`,
  ];
  return el('p', { class: 'muted facts' }, facts.join(' · '));
}

interface LinkCard {
  panel: PanelLink;
  title: string;
  codicon: string;
  what: string;
}

/** Every panel the overview can link to, in the order the cards are shown. */
export const LINK_CARDS: LinkCard[] = [
  { panel: 'namespaceGraph', title: 'Namespace graph', codicon: 'type-hierarchy', what: 'Every namespace, who is in it, who owns it' },
  { panel: 'layerGraph', title: 'Layer graph', codicon: 'layers', what: 'Which containers share which layers' },
  { panel: 'resources', title: 'Live resources', codicon: 'pulse', what: 'Memory, CPU, pids and io against limits' },
  { panel: 'security', title: 'Security matrix', codicon: 'shield', what: 'Capabilities, seccomp, LSM, user namespaces' },
];

/** Cards linking to the panels this version has; the others are shown greyed out with why. */
export function panelLinks(available: PanelLink[] | null, open: (p: PanelLink) => void): HTMLElement {
  const nav = el('nav', { class: 'panel-links', 'aria-label': 'Other panels of this node' });
  for (const card of LINK_CARDS) {
    const here = available === null || available.includes(card.panel);
    const b = el(
      'button',
      { class: 'card', 'data-panel': card.panel },
      icon(card.codicon),
      el('strong', {}, card.title),
      el('span', { class: 'muted' }, card.what),
    );
    if (here) b.addEventListener('click', () => open(card.panel));
    else {
      b.disabled = true;
      b.title = 'Not in this version of Nodescope';
    }
    nav.append(b);
  }
  return nav;
}

/** "pid, net with the host: name, name" and "net shared by a, b": what the old namespace sketch showed, in words. */
export function namespaceSummary(s: Snapshot): HTMLElement {
  const names = new Map(s.containers.map((c) => [c.id, c.name]));
  const list = el('ul', { class: 'ns-summary' });
  const withHost = new Map<NsType, string[]>();
  for (const c of s.containers) for (const t of c.sharesHostNamespaces) withHost.set(t, [...(withHost.get(t) ?? []), c.name]);
  for (const [t, who] of [...withHost].sort(([a], [b]) => (a < b ? -1 : 1)))
    list.append(el('li', { class: 'host' }, el('span', { class: 'tag' }, t), ` the host's, shared by ${who.sort().join(', ')}`));
  for (const n of s.namespaces) {
    if (n.isHost || n.containerIds.length < 2) continue;
    const who = n.containerIds.map((id) => names.get(id) ?? id.slice(0, 12)).sort();
    list.append(el('li', {}, el('span', { class: 'tag' }, n.type), ` ${n.inode}, shared by ${who.join(', ')}`));
  }
  if (!list.children.length) return el('p', { class: 'muted ns-summary' }, 'Every container has namespaces of its own.');
  return list;
}
