/**
 * A graph as Graphviz DOT (`nodescope graph … --format dot | dot -Tsvg`). Names in labels are the node's
 * to choose, so every string is escaped for DOT and for whoever reads the picture or the text.
 */
import { escapeControls } from '../../../server/escapeControls';
import type { Graph, GraphEdgeKind, GraphNode, GraphNodeKind } from './graphModel';

/**
 * A label as a DOT quoted string. A label reads `\n`, `\l`, `\N`… as escapes and `&amp;`-style entities
 * as characters, so after controls and bidi characters are made visible (escapeControls, whose `\x1b`
 * must show as typed) backslashes are doubled, quotes escaped and `&` written as an entity.
 */
export function dotLabel(text: string): string {
  return `"${escapeControls(text).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/&/g, '&amp;')}"`;
}

/**
 * An id as a DOT quoted string, one to one: in an id only `\"` is an escape (`\\` stays two characters),
 * so doubling backslashes before escapeControls writes its `\n` and `\x..` keeps two ids that differ
 * only by a control character and its spelled-out escape apart, and no raw control reaches a terminal.
 */
export function dotId(id: string): string {
  return `"${escapeControls(id.replace(/\\/g, '\\\\')).replace(/"/g, '\\"')}"`;
}

const SHAPE: Record<GraphNodeKind, string> = { namespace: 'ellipse', container: 'box', process: 'folder', layer: 'box3d' };
const EDGE_STYLE: Record<GraphEdgeKind, string> = {
  member: '',
  owner: ' [style=dashed, label="owner"]',
  parent: ' [style=bold, label="parent"]',
  layer: '',
};

/** The label's lines, joined with DOT's own `\n` (added after escaping, so it is the only one). */
function labelOf(n: GraphNode): string {
  const lines = [n.label];
  const marks: string[] = [];
  if (n.host) marks.push('host');
  if (n.shared) marks.push(`shared by ${n.shared}`);
  if (n.hidden) marks.push('hidden');
  if (n.writable) marks.push('writable');
  if (marks.length) lines.push(marks.join(', '));
  for (const h of n.holders ?? []) lines.push(h.kind === 'fd' ? `held by fd ${h.fd} of pid ${h.pid}` : `held by ${h.path}`);
  return lines.map((l) => dotLabel(l).slice(1, -1)).join('\\n');
}

function attributesOf(n: GraphNode): string {
  const attrs = [`label="${labelOf(n)}"`, `shape=${SHAPE[n.kind]}`];
  const styles: string[] = [];
  if (n.hidden) styles.push('dashed');
  if (n.host) styles.push('bold');
  if (styles.length) attrs.push(`style="${styles.join(',')}"`);
  // Shared namespaces and layers stand out with a double outline.
  if ((n.shared ?? 0) > 1 || (n.usedBy?.length ?? 0) > 1) attrs.push('peripheries=2');
  return attrs.join(', ');
}

/** `name` is the graph's DOT id (`namespaces`, `layers`). */
export function toDot(graph: Graph, name: string): string {
  const out = [
    `digraph ${dotId(name)} {`,
    '  rankdir=LR;',
    '  node [fontname="sans-serif"];',
    '  edge [fontname="sans-serif", fontsize=10];',
  ];
  for (const n of graph.nodes) out.push(`  ${dotId(n.id)} [${attributesOf(n)}];`);
  for (const e of graph.edges) out.push(`  ${dotId(e.source)} -> ${dotId(e.target)}${EDGE_STYLE[e.kind]};`);
  out.push('}');
  return `${out.join('\n')}\n`;
}
