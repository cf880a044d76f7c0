/**
 * A layered layout in linear time for big graphs (thousands of nodes), where ELK layered and cytoscape's
 * own layouts take seconds to minutes (bench/panels.ts). Same reading direction as the ELK layout: members
 * (containers, host process groups) on the left, their namespaces, then user namespaces (owners) on the right.
 * Members are cut into bands of BAND members; each namespace goes to the band of its members (by their
 * mean position, the barycenter heuristic), so a pod's namespaces sit beside the pod; bands stand side by
 * side, and a column taller than its band's members wraps into more columns. Pure: positions only.
 */
import type { ViewGraph, ViewNode } from './elements';

const BAND = 60;
const GAP_X = 60;
const GAP_Y = 10;
const BAND_GAP = 140;

export interface Position {
  x: number;
  y: number;
}

type Column = 0 | 1 | 2;
const columnOf = (n: ViewNode): Column => (n.model.kind !== 'namespace' ? 0 : n.nsType === 'user' ? 2 : 1);

export function bandLayout(g: ViewGraph): Map<string, Position> {
  const neighbours = new Map<string, string[]>();
  for (const e of g.edges) {
    (neighbours.get(e.source) ?? neighbours.set(e.source, []).get(e.source)!).push(e.target);
    (neighbours.get(e.target) ?? neighbours.set(e.target, []).get(e.target)!).push(e.source);
  }
  // Where each node sits along the members' order: members by their place, then the rest by the mean of
  // their already placed neighbours, column by column.
  const key = new Map<string, number>();
  const members = g.nodes
    .filter((n) => columnOf(n) === 0)
    .sort((a, b) => (a.model.kind === b.model.kind ? (a.label < b.label ? -1 : 1) : a.model.kind === 'container' ? -1 : 1));
  members.forEach((n, i) => key.set(n.id, i));
  for (const col of [1, 2] as const) {
    for (const n of g.nodes) {
      if (columnOf(n) !== col) continue;
      let sum = 0;
      let count = 0;
      for (const m of neighbours.get(n.id) ?? []) {
        const k = key.get(m);
        if (k === undefined) continue;
        sum += k;
        count++;
      }
      key.set(n.id, count ? sum / count : members.length);
    }
  }
  const bands: ViewNode[][][] = [];
  for (const n of g.nodes) {
    const b = Math.min(Math.floor(key.get(n.id)! / BAND), Math.max(0, Math.ceil(members.length / BAND) - 1));
    const band = (bands[b] ??= [[], [], []]);
    band[columnOf(n)].push(n);
  }
  const out = new Map<string, Position>();
  let x = 0;
  for (const band of bands) {
    if (!band) continue;
    const height = Math.max(
      600,
      band[0].reduce((h, n) => h + n.h + GAP_Y, 0),
    );
    for (const column of band) {
      column.sort((a, b) => key.get(a.id)! - key.get(b.id)! || (a.id < b.id ? -1 : 1));
      let y = 0;
      let width = 0;
      for (const n of column) {
        if (y > 0 && y + n.h > height) {
          x += width + GAP_X;
          y = 0;
          width = 0;
        }
        width = Math.max(width, n.w);
        out.set(n.id, { x: x + n.w / 2, y: y + n.h / 2 });
        y += n.h + GAP_Y;
      }
      if (column.length) x += width + GAP_X;
    }
    x += BAND_GAP - GAP_X;
  }
  return out;
}
