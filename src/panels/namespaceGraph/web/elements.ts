/**
 * The namespace graph model (src/model/graph/namespaceGraph.ts, what `nodescope graph namespaces` prints)
 * as the elements the graph view draws: a label, a size and style classes per node, one id per edge, and
 * process groups the user expanded replaced by a node per process. Pure: no cytoscape, no DOM.
 */
import { escapeControls } from '../../../../server/escapeControls';
import type { NsType, Snapshot } from '../../../../server/protocol';
import type { Graph, GraphEdge, GraphNode, NamespaceHolder } from '../../../model/graph/graphModel';

export interface ViewNode {
  id: string;
  label: string;
  /** Box size in px, from the label (cytoscape does not size a node to its label by itself). */
  w: number;
  h: number;
  /** Style classes: kind, `ns-<type>`, `host`, `shared`, `hidden`. */
  classes: string[];
  /** The namespace type, for the type filter. */
  nsType?: NsType;
  /** The model node it came from (an expanded process points at its group's). */
  model: GraphNode;
  /** An expanded process: its pid. */
  pid?: number;
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  kind: GraphEdge['kind'];
}

export interface ViewGraph {
  nodes: ViewNode[];
  edges: ViewEdge[];
}

const CHAR_PX = 7;
const LINE_PX = 15;
const PAD_PX = 18;
/** Labels longer than this are cut in the box (the details pane has them whole). */
const MAX_LABEL = 40;

export const processNodeId = (pid: number): string => `process:${pid}`;
export const edgeId = (e: { source: string; target: string; kind: string }): string => `${e.kind}:${e.source}>${e.target}`;

function cut(text: string): string {
  const t = escapeControls(text);
  return t.length > MAX_LABEL ? `${t.slice(0, MAX_LABEL - 1)}…` : t;
}

/** "fd 7 of pid 1234" / "bind mount /run/docker/netns/…": what keeps a hidden namespace, in a few words. */
export function holderText(h: NamespaceHolder): string {
  return h.kind === 'fd' ? `fd ${h.fd} of pid ${h.pid}` : `bind mount ${escapeControls(h.path)}`;
}

function namespaceLines(n: GraphNode): string[] {
  const lines = [`${n.type} ${n.inode}`];
  const marks: string[] = [];
  if (n.host) marks.push('host');
  if (n.shared) marks.push(`shared by ${n.shared}`);
  if (marks.length) lines.push(marks.join(' · '));
  if (n.hidden)
    lines.push(
      n.holders?.length
        ? `held by ${cut(holderText(n.holders[0]))}${n.holders.length > 1 ? ` +${n.holders.length - 1}` : ''}`
        : 'held by child namespaces',
    );
  return lines;
}

function box(id: string, lines: string[], classes: string[], model: GraphNode, extra: Partial<ViewNode> = {}): ViewNode {
  const label = lines.map(cut).join('\n');
  const width = Math.max(...label.split('\n').map((l) => l.length));
  return { id, label, w: width * CHAR_PX + PAD_PX, h: lines.length * LINE_PX + PAD_PX / 2 + 6, classes, model, ...extra };
}

/**
 * @param expanded process group ids whose processes are drawn one by one
 * @param snapshot for an expanded group's process names (the model keeps only pids)
 */
export function toViewGraph(graph: Graph, expanded: ReadonlySet<string>, snapshot: Snapshot | null): ViewGraph {
  const nodes: ViewNode[] = [];
  const split = new Map<string, number[]>();
  const comms = new Map<number, string>();
  if (expanded.size && snapshot) for (const p of snapshot.processes) comms.set(p.pid, p.comm);
  for (const n of graph.nodes) {
    if (n.kind === 'namespace') {
      const classes = ['namespace', `ns-${n.type}`];
      if (n.host) classes.push('host');
      if (n.shared) classes.push('shared');
      if (n.hidden) classes.push('hidden');
      nodes.push(box(n.id, namespaceLines(n), classes, n, { nsType: n.type }));
    } else if (n.kind === 'container') {
      const lines = [n.label, `${n.runtime ?? 'container'} ${(n.containerId ?? '').slice(0, 12)}`];
      nodes.push(box(n.id, lines, ['container'], n));
    } else if (n.kind === 'process' && expanded.has(n.id) && n.pids) {
      split.set(n.id, n.pids);
      for (const pid of n.pids) nodes.push(box(processNodeId(pid), [`${pid} ${comms.get(pid) ?? ''}`.trim()], ['process'], n, { pid }));
    } else {
      nodes.push(box(n.id, [n.label], ['group'], n));
    }
  }
  const edges: ViewEdge[] = [];
  for (const e of graph.edges) {
    const pids = split.get(e.source);
    if (!pids) edges.push({ id: edgeId(e), source: e.source, target: e.target, kind: e.kind });
    else
      for (const pid of pids)
        edges.push({ id: edgeId({ ...e, source: processNodeId(pid) }), source: processNodeId(pid), target: e.target, kind: e.kind });
  }
  return { nodes, edges };
}

/** Node and edge ids, in order: two graphs with the same key need no new layout. */
export function structureKey(g: ViewGraph): string {
  return `${g.nodes.map((n) => n.id).join('\n')}\n\n${g.edges.map((e) => e.id).join('\n')}`;
}
