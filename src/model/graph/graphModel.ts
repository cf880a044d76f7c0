/**
 * The graph a panel draws and `nodescope graph` prints: nodes and edges in the shape docs/graph.md
 * describes. Pure TypeScript with type-only imports (no `vscode`, no Node built-ins), so the browser
 * bundle and the CLI build it with the same code.
 */
import type { NsType } from '../../../server/protocol';

export type GraphNodeKind = 'namespace' | 'container' | 'process' | 'layer';
export type GraphEdgeKind = 'member' | 'owner' | 'parent' | 'layer';

/** What keeps a namespace alive besides its processes. */
export type NamespaceHolder = { kind: 'fd'; pid: number; fd: number } | { kind: 'bindmount'; path: string };

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  label: string;
  /** namespace: its type. */
  type?: NsType;
  /** namespace: its inode on nsfs. */
  inode?: number;
  /** layer: its directory (the host path when verified, else as the overlay's options name it). */
  path?: string;
  /** layer: ids of the containers whose stack holds it, sorted. */
  usedBy?: string[];
  /** namespace: no process is in it (an fd, a bind mount or a child namespace keeps it alive). */
  hidden?: boolean;
  /** namespace: the fds and bind mounts holding it (present whenever there are any, hidden or not). */
  holders?: NamespaceHolder[];

  // Additive fields (docs/graph.md): what a panel needs to mark or fill a details pane.
  /** namespace: one of the host's (the agent's own). */
  host?: boolean;
  /** namespace: the number of containers in it, when two or more share it. */
  shared?: number;
  /** namespace: processes in it; process group: processes in the group. */
  processes?: number;
  /** process group: its pids, ascending. */
  pids?: number[];
  /** container: the engine's id. */
  containerId?: string;
  /** container: docker, containerd, bare, … */
  runtime?: string;
  /** container: namespace types it shares with the host, sorted. */
  sharesHost?: NsType[];
  /** layer: bytes as the engine records them; absent when unknown. */
  sizeBytes?: number;
  /** layer: the writable (upper) layer of at least one container. */
  writable?: boolean;
  /** layer: why its directory was not verified on the host (then it is not merged with other containers'). */
  unverified?: string;
}

export interface GraphEdge {
  source: string;
  target: string;
  kind: GraphEdgeKind;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** A container's node id, the same in both graphs. */
export const containerId = (id: string): string => `container:${id}`;

// Plain code-unit comparison: deterministic across locales and far cheaper than localeCompare.
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Collects nodes and edges, each once, and hands them back sorted (nodes by id; edges by source, target,
 * kind) so two graphs of the same node diff line by line.
 */
export class GraphBuilder {
  private readonly nodes = new Map<string, GraphNode>();
  // source → target → kinds: keyed by the ids themselves, so a repeated edge costs two lookups, no string.
  private readonly edges = new Map<string, Map<string, GraphEdgeKind[]>>();

  get(id: string): GraphNode | undefined {
    return this.nodes.get(id);
  }

  /** Adds `n`, or returns the node already there with its id. */
  node(n: GraphNode): GraphNode {
    const known = this.nodes.get(n.id);
    if (known) return known;
    this.nodes.set(n.id, n);
    return n;
  }

  edge(source: string, target: string, kind: GraphEdgeKind): void {
    let targets = this.edges.get(source);
    if (!targets) this.edges.set(source, (targets = new Map<string, GraphEdgeKind[]>()));
    const kinds = targets.get(target);
    if (!kinds) targets.set(target, [kind]);
    else if (!kinds.includes(kind)) kinds.push(kind);
  }

  build(): Graph {
    const nodes = [...this.nodes.values()].sort((a, b) => byString(a.id, b.id));
    const edges: GraphEdge[] = [];
    for (const source of [...this.edges.keys()].sort(byString)) {
      const targets = this.edges.get(source)!;
      for (const target of [...targets.keys()].sort(byString))
        for (const kind of targets.get(target)!.sort(byString)) edges.push({ source, target, kind });
    }
    return { nodes, edges };
  }
}
