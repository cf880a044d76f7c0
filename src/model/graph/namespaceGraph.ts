/**
 * The namespace graph of a snapshot: every namespace (all eight types), the containers, and the host's
 * processes grouped by the namespaces they are in; member, owner and parent edges. docs/graph.md has the
 * shape and the rules (ids, labels, grouping) this code follows.
 */
import { NS_TYPES, type NamespaceInfo, type NsInodes, type NsType, type Snapshot } from '../../../server/protocol';
import { containerId, GraphBuilder, type Graph, type GraphNode, type NamespaceHolder } from './graphModel';

/** How many distinct process names a group's label shows before "…". */
const GROUP_NAMES = 3;

export const namespaceId = (type: NsType, inode: number): string => `ns:${type}:${inode}`;
/** A group is named by its namespace set, so the same set gets the same id in every snapshot. */
export const processGroupId = (ns: NsInodes): string => `processes:${NS_TYPES.map((t) => ns[t] ?? '-').join('.')}`;

function holdersOf(ns: NamespaceInfo): NamespaceHolder[] {
  const fds: NamespaceHolder[] = [...ns.fdHolders]
    .sort((a, b) => a.pid - b.pid || a.fd - b.fd)
    .map((h) => ({ kind: 'fd', pid: h.pid, fd: h.fd }));
  const mounts: NamespaceHolder[] = [...ns.bindMounts].sort().map((path) => ({ kind: 'bindmount', path }));
  return [...fds, ...mounts];
}

export function buildNamespaceGraph(snapshot: Snapshot): Graph {
  const g = new GraphBuilder();
  // Looked up by type, then inode (a number): no id string is made to find a namespace again.
  const listed = new Map<NsType, Map<number, NamespaceInfo>>(NS_TYPES.map((t) => [t, new Map()]));
  const made = new Map<NsType, Map<number, GraphNode>>(NS_TYPES.map((t) => [t, new Map()]));
  for (const ns of snapshot.namespaces) listed.get(ns.type)?.set(ns.inode, ns);

  /**
   * The node of a namespace, made on first mention. One the agent did not list (an owner or parent kept
   * alive only by the namespaces below it) gets a node too, so no edge points nowhere: it is hidden, with
   * no fd or mount holding it.
   */
  const nsNode = (type: NsType, inode: number): GraphNode => {
    const byInode = made.get(type)!;
    const known = byInode.get(inode);
    if (known) return known;
    const node: GraphNode = { id: namespaceId(type, inode), kind: 'namespace', label: `${type}:[${inode}]`, type, inode };
    const ns = listed.get(type)!.get(inode);
    if (!ns) {
      node.hidden = true;
      node.holders = [];
    } else {
      const holders = holdersOf(ns);
      if (ns.isHost) node.host = true;
      node.processes = ns.processCount;
      if (ns.processCount === 0) node.hidden = true;
      if (holders.length || node.hidden) node.holders = holders;
    }
    byInode.set(inode, node);
    return g.node(node);
  };
  for (const ns of snapshot.namespaces) nsNode(ns.type, ns.inode);

  // Containers: members of every namespace any of their processes is in (a process that unshared inside
  // a container still makes the container a member of its new namespace).
  const containers = new Map<string, { id: string; in: Set<GraphNode> }>();
  const containersIn = new Map<GraphNode, number>();
  const member = (source: string, ns: Partial<NsInodes>, seen?: Set<GraphNode>): void => {
    for (const type of NS_TYPES) {
      const inode = ns[type];
      if (inode == null) continue;
      const target = nsNode(type, inode);
      if (seen) {
        if (seen.has(target)) continue;
        seen.add(target);
        containersIn.set(target, (containersIn.get(target) ?? 0) + 1);
      }
      g.edge(source, target.id, 'member');
    }
  };
  for (const c of snapshot.containers) {
    const entry = { id: containerId(c.id), in: new Set<GraphNode>() };
    containers.set(c.id, entry);
    g.node({
      id: entry.id,
      kind: 'container',
      label: c.name,
      containerId: c.id,
      runtime: c.runtime,
      sharesHost: [...c.sharesHostNamespaces].sort(),
    });
    member(entry.id, c.namespaces, entry.in);
  }

  // Host processes (and any whose container the snapshot does not list): one node per namespace set.
  const groups = new Map<string, { ns: NsInodes; procs: { pid: number; comm: string }[] }>();
  for (const p of snapshot.processes) {
    const container = p.containerId === null ? undefined : containers.get(p.containerId);
    if (container) {
      member(container.id, p.namespaces, container.in);
      continue;
    }
    const id = processGroupId(p.namespaces);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { ns: p.namespaces, procs: [] }));
    group.procs.push({ pid: p.pid, comm: p.comm });
  }
  for (const [id, group] of groups) {
    const procs = group.procs.sort((a, b) => a.pid - b.pid);
    // The oldest processes name the group: pid order is mostly start order, and PID 1's kin come first.
    const names: string[] = [];
    for (const p of procs) {
      if (!names.includes(p.comm)) names.push(p.comm);
      if (names.length > GROUP_NAMES) break;
    }
    const shown = names.slice(0, GROUP_NAMES).join(', ') + (names.length > GROUP_NAMES ? ', …' : '');
    const count = procs.length === 1 ? '1 process' : `${procs.length} processes`;
    g.node({ id, kind: 'process', label: `${count}: ${shown}`, processes: procs.length, pids: procs.map((p) => p.pid) });
    member(id, group.ns);
  }

  for (const [node, n] of containersIn) if (n >= 2) node.shared = n;

  for (const ns of snapshot.namespaces) {
    const id = nsNode(ns.type, ns.inode).id;
    if (ns.ownerUserNs !== null) g.edge(id, nsNode('user', ns.ownerUserNs).id, 'owner');
    if (ns.parent !== null && (ns.type === 'pid' || ns.type === 'user')) g.edge(id, nsNode(ns.type, ns.parent).id, 'parent');
  }
  return g.build();
}
