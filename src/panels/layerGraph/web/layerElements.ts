/**
 * From the layer graph model (the one `nodescope graph layers` prints) to what the canvas draws: each node
 * with its lines of text, its box size and the classes the style keys on. Pure: tests and the SVG export
 * read the same shapes the canvas gets.
 */
import type { Snapshot } from '../../../../server/protocol';
import { formatBytes } from '../../../../server/units';
import type { Graph, GraphNode } from '../../../model/graph/graphModel';
import { layerLabel } from '../../../model/graph/layerGraph';

export interface DrawnNode {
  id: string;
  /** Lines of the box's text, joined with \n. */
  label: string;
  w: number;
  h: number;
  classes: string[];
}

export interface DrawnEdge {
  id: string;
  source: string;
  target: string;
}

export interface DrawnGraph {
  nodes: DrawnNode[];
  edges: DrawnEdge[];
}

const CHAR_PX = 6.6;
const LINE_PX = 15;

/** "used by 3 · 4.2 MiB", "writable · 12.0 KiB", "image layer": the second line of a layer's box. */
export function layerLine(n: GraphNode): string {
  const users = n.usedBy?.length ?? 0;
  const what = users > 1 ? `used by ${users}` : n.writable ? 'writable' : n.unverified ? 'not verified' : 'used by 1';
  return n.sizeBytes !== undefined ? `${what} · ${formatBytes(n.sizeBytes)}` : what;
}

export function drawnNode(n: GraphNode, snapshot: Snapshot | null): DrawnNode {
  const lines =
    n.kind === 'container'
      ? [n.label, `${n.runtime ?? ''} · ${snapshot?.containers.find((c) => c.id === n.containerId)?.rootfs?.layers.length ?? 0} layers`]
      : [layerLabel(n.path ?? n.label), layerLine(n)];
  const classes: string[] = [n.kind];
  if ((n.usedBy?.length ?? 0) > 1) classes.push('shared');
  if (n.writable) classes.push('writable');
  if (n.unverified) classes.push('unverified');
  const w = Math.max(110, Math.ceil(Math.max(...lines.map((l) => l.length)) * CHAR_PX) + 20);
  return { id: n.id, label: lines.join('\n'), w, h: lines.length * LINE_PX + 12, classes };
}

export function drawnGraph(g: Graph, snapshot: Snapshot | null): DrawnGraph {
  return {
    nodes: g.nodes.map((n) => drawnNode(n, snapshot)),
    edges: g.edges.map((e) => ({ id: `${e.source}>${e.target}`, source: e.source, target: e.target })),
  };
}

/** The ids of nodes and edges: when it changes, the layout runs again; otherwise boxes are updated where they stand. */
export function shapeOf(g: DrawnGraph): string {
  return [...g.nodes.map((n) => n.id), ...g.edges.map((e) => e.id)].join('\n');
}
