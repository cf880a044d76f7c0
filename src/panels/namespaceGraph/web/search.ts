/**
 * The search box: a container's name (substring) or id prefix, a namespace's inode (digits, or
 * `net:[4026531993]` as the /proc link reads), or a pid (the container or process group it is in).
 * Pure: it looks at the model graph only.
 */
import type { Snapshot } from '../../../../server/protocol';
import { containerId, type Graph } from '../../../model/graph/graphModel';
import { processNodeId } from './elements';

export interface Match {
  /** The model node id (a process group for a pid; the page maps it to a drawn node). */
  id: string;
  /** What matched, shown beside the result count. */
  why: string;
  /** An expanded group's process, when the match was a pid. */
  pid?: number;
}

const MAX_MATCHES = 200;

/** @param snapshot for the pids of containers (the model keeps pids only for host process groups) */
export function search(graph: Graph, snapshot: Snapshot | null, query: string): Match[] {
  const q = query.trim();
  if (!q) return [];
  const out: Match[] = [];
  const seen = new Set<string>();
  const add = (m: Match) => {
    const key = m.pid === undefined ? m.id : `${m.id}#${m.pid}`;
    if (out.length >= MAX_MATCHES || seen.has(key)) return;
    seen.add(key);
    out.push(m);
  };
  const lower = q.toLowerCase();
  const digits = /^(?:[a-z]+:\[)?(\d+)\]?$/.exec(lower)?.[1];
  if (digits) {
    const n = Number(digits);
    for (const node of graph.nodes) if (node.kind === 'namespace' && node.inode === n) add({ id: node.id, why: `inode ${n}` });
    for (const c of snapshot?.containers ?? []) if (c.pids.includes(n)) add({ id: containerId(c.id), why: `pid ${n}` });
    for (const node of graph.nodes) {
      if (node.kind === 'process' && node.pids?.includes(n)) add({ id: node.id, why: `pid ${n}`, pid: n });
    }
  }
  for (const node of graph.nodes) {
    if (node.kind !== 'container') continue;
    if (node.label.toLowerCase() === lower) add({ id: node.id, why: 'name' });
  }
  for (const node of graph.nodes) {
    if (node.kind !== 'container') continue;
    if (node.label.toLowerCase().includes(lower)) add({ id: node.id, why: 'name' });
    else if (/^[0-9a-f]{3,}$/.test(lower) && node.containerId?.startsWith(lower)) add({ id: node.id, why: 'id prefix' });
  }
  return out;
}

/** The drawn node for a match: an expanded group's process node, else the model node itself. */
export function drawnId(m: Match, expanded: ReadonlySet<string>): string {
  return m.pid !== undefined && expanded.has(m.id) ? processNodeId(m.pid) : m.id;
}
