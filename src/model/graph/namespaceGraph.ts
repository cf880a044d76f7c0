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
  const fds: NamespaceHolder[] = [...ns.fdHolders].sort((a, b) => a.pid - b.pid || a.fd - b.fd).map((h) => ({ kind: 'fd', pid: h.pid, fd: h.fd }));
  const mounts: NamespaceHolder[] = [...ns.bindMounts].sort().map((path) => ({ kind: 'bindmount', path }));
  return [...fds, ...mounts];
}

export function buildNamespaceGraph(snapshot: Snapshot): Graph {
  const g = new GraphBuilder();
  const listed = new Map<string, NamespaceInfo>();
  for (const ns of snapshot.namespaces) listed.set(namespaceId(ns.type, ns.inode), ns);

  /**
   * The node of a namespace, made on first mention. One the agent did not list (an owner or parent kept
   * alive only by the namespaces below it) gets a node too, so no edge points nowhere: it is hidden, with
   * no fd or mount holding it.
   */
  const nsNode = (type: NsType, inode: number): GraphNode => {
    const id = namespaceId(type, inode);
    const known = g.get(id);
    if (known) return known;
    const ns = listed.get(id);
    const node: GraphNode = { id, kind: 'namespace', label: `${type}:[${inode}]`, type, inode };
    if (!ns) return g.node({ ...node, hidden: true, holders: [] });
    const holders = holdersOf(ns);
    if (ns.isHost) node.host = true;
    node.processes = ns.processCount;
    if (ns.processCount === 0) node.hidden = true;
    if (holders.length || node.hidden) node.holders = holders;
    return g.node(node);
  };
  for (const ns of snapshot.namespaces) nsNode(ns.type, ns.inode);

  // Containers: members of every namespace any of their processes is in (a process that unshared inside
  // a container still makes the container a member of its new namespace).
  const containerMembers = new Map<string, Set<string>>();
  const containersIn = new Map<string, number>();
  const member = (source: string, ns: Partial<NsInodes>): void => {
    for (const type of NS_TYPES) {
      const inode = ns[type];
      if (inode == null) continue;
      g.edge(source, nsNode(type, inode).id, 'member');
      if (!source.startsWith('container:')) continue;
      const set = containerMembers.get(source)!;
      const nsId = namespaceId(type, inode);
      if (set.has(nsId)) continue;
      set.add(nsId);
      containersIn.set(nsId, (containersIn.get(nsId) ?? 0) + 1);
    }
  };
  for (const c of snapshot.containers) {
    const id = containerId(c.id);
    g.node({ id, kind: 'container', label: c.name, containerId: c.id, runtime: c.runtime, sharesHost: [...c.sharesHostNamespaces].sort() });
    containerMembers.set(id, new Set());
    member(id, c.namespaces);
  }

  // Host processes (and any whose container the snapshot does not list): one node per namespace set.
  const groups = new Map<string, { ns: NsInodes; pids: number[]; comms: Map<number, string> }>();
  for (const p of snapshot.processes) {
    if (p.containerId !== null && containerMembers.has(containerId(p.containerId))) {
      member(containerId(p.containerId), p.namespaces);
      continue;
    }
    const id = processGroupId(p.namespaces);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { ns: p.namespaces, pids: [], comms: new Map() }));
    group.pids.push(p.pid);
    group.comms.set(p.pid, p.comm);
  }
  for (const [id, group] of groups) {
    const pids = group.pids.sort((a, b) => a - b);
    // The oldest processes name the group: pid order is mostly start order, and PID 1's kin come first.
    const names: string[] = [];
    for (const pid of pids) {
      const comm = group.comms.get(pid)!;
      if (!names.includes(comm)) names.push(comm);
      if (names.length > GROUP_NAMES) break;
    }
    const shown = names.slice(0, GROUP_NAMES).join(', ') + (names.length > GROUP_NAMES ? ', …' : '');
    const count = pids.length === 1 ? '1 process' : `${pids.length} processes`;
    g.node({ id, kind: 'process', label: `${count}: ${shown}`, processes: pids.length, pids });
    member(id, group.ns);
  }

  for (const [id, n] of containersIn) if (n >= 2) g.get(id)!.shared = n;

  for (const ns of snapshot.namespaces) {
    const id = namespaceId(ns.type, ns.inode);
    if (ns.ownerUserNs !== null) g.edge(id, nsNode('user', ns.ownerUserNs).id, 'owner');
    if (ns.parent !== null && (ns.type === 'pid' || ns.type === 'user')) g.edge(id, nsNode(ns.type, ns.parent).id, 'parent');
  }
  return g.build();
}
