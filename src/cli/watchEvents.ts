/**
 * `nodescope watch`: what changed between two states of the node, as lines a person reads, or JSON objects,
 * one a change, as `docker events` prints them, for the whole node and every engine. Only what a person
 * watches for: containers started and stopped, limits changed, OOM kills, and namespaces that came or went
 * outside any container (`ip netns add`, a namespace held by an fd). A container's own namespaces come
 * and go with its start and stop line; counters that move all the time (memory, cpu usage) are not changes.
 */
import type { ContainerInfo, NamespaceInfo, Snapshot } from '../../server/protocol';
import { formatLimitBytes } from '../../server/units';
import { escapeControls } from '../../server/escapeControls';
import { shortId } from './render';

export type WatchEventKind =
  'container.start' | 'container.stop' | 'container.limit' | 'container.oom' | 'namespace.new' | 'namespace.gone';

export interface WatchEvent {
  /** When the agent saw it: the snapshot's time. */
  time: string;
  kind: WatchEventKind;
  container?: { id: string; name: string; runtime: string; image: string | null };
  namespace?: { type: string; inode: number; bindMounts: string[] };
  /** container.limit: which limit, from what to what (null: none); container.oom: the kills since last seen, and in all. */
  limit?: { name: 'memory' | 'cpu' | 'pids'; from: number | null; to: number | null };
  oomKills?: { new: number; total: number };
}

/** Every change worth a line from `before` to `after`, containers first. */
export function watchEvents(before: Snapshot, after: Snapshot): WatchEvent[] {
  const time = after.takenAt;
  const out: WatchEvent[] = [];
  const old = new Map(before.containers.map((c) => [c.id, c]));
  const now = new Set(after.containers.map((c) => c.id));
  for (const c of after.containers) {
    const was = old.get(c.id);
    if (!was) {
      out.push({ time, kind: 'container.start', container: who(c) });
      continue;
    }
    for (const limit of changedLimits(was, c)) out.push({ time, kind: 'container.limit', container: who(c), limit });
    const kills = c.cgroup?.memory?.oomKills;
    const killsBefore = was.cgroup?.memory?.oomKills;
    // Unknown on either side (null): no line; a wrong count is worse than none.
    if (typeof kills === 'number' && typeof killsBefore === 'number' && kills > killsBefore)
      out.push({ time, kind: 'container.oom', container: who(c), oomKills: { new: kills - killsBefore, total: kills } });
  }
  for (const c of before.containers) if (!now.has(c.id)) out.push({ time, kind: 'container.stop', container: who(c) });
  const key = (n: NamespaceInfo): string => `${n.type}:${n.inode}`;
  const oldNs = new Set(before.namespaces.map(key));
  const nowNs = new Set(after.namespaces.map(key));
  for (const n of after.namespaces)
    if (!oldNs.has(key(n)) && !n.containerIds.length) out.push({ time, kind: 'namespace.new', namespace: nsOf(n) });
  for (const n of before.namespaces)
    if (!nowNs.has(key(n)) && !n.containerIds.length) out.push({ time, kind: 'namespace.gone', namespace: nsOf(n) });
  return out;
}

function who(c: ContainerInfo): NonNullable<WatchEvent['container']> {
  return { id: c.id, name: c.name, runtime: c.runtime, image: c.image };
}

function nsOf(n: NamespaceInfo): NonNullable<WatchEvent['namespace']> {
  return { type: n.type, inode: n.inode, bindMounts: n.bindMounts };
}

function changedLimits(was: ContainerInfo, c: ContainerInfo): NonNullable<WatchEvent['limit']>[] {
  const pairs: NonNullable<WatchEvent['limit']>[] = [
    { name: 'memory', from: was.cgroup?.memory?.limitBytes ?? null, to: c.cgroup?.memory?.limitBytes ?? null },
    { name: 'cpu', from: cpuMillis(was), to: cpuMillis(c) },
    { name: 'pids', from: was.cgroup?.pids?.max ?? null, to: c.cgroup?.pids?.max ?? null },
  ];
  // A container whose cgroup could not be read on one side is not a limit change.
  return was.cgroup && c.cgroup ? pairs.filter((p) => p.from !== p.to) : [];
}

/** The cpu limit as thousandths of a cpu (quota / period), null when unlimited or unknown. */
function cpuMillis(c: ContainerInfo): number | null {
  const q = c.cgroup?.cpu?.quotaUs;
  const p = c.cgroup?.cpu?.periodUs;
  return typeof q === 'number' && typeof p === 'number' && q > 0 && p > 0 ? Math.round((q / p) * 1000) : null;
}

/** One line for a person: time, what, which container or namespace, and for a limit from what to what. */
export function renderWatchEvent(e: WatchEvent): string {
  const time = e.time.replace(/^.*T/, '').replace(/Z$/, '');
  const c = e.container ? `${e.container.name} (${shortId(e.container.id)}, ${e.container.runtime})` : '';
  let what: string;
  switch (e.kind) {
    case 'container.start':
      what = `container started  ${c}${e.container?.image ? ` image ${e.container.image}` : ''}`;
      break;
    case 'container.stop':
      what = `container stopped  ${c}`;
      break;
    case 'container.limit':
      what = `limit changed      ${c} ${e.limit!.name} ${limitText(e.limit!, e.limit!.from)} -> ${limitText(e.limit!, e.limit!.to)}`;
      break;
    case 'container.oom':
      what = `OOM kill           ${c} ${e.oomKills!.new} new, ${e.oomKills!.total} in all`;
      break;
    case 'namespace.new':
    case 'namespace.gone': {
      const n = e.namespace!;
      const held = n.bindMounts.length ? ` held by ${n.bindMounts.join(', ')}` : '';
      what = `namespace ${e.kind === 'namespace.new' ? 'appeared' : 'vanished'} ${n.type}:[${n.inode}]${held}`;
      break;
    }
  }
  return escapeControls(`${time} ${what}`);
}

function limitText(l: NonNullable<WatchEvent['limit']>, v: number | null): string {
  if (l.name === 'memory') return formatLimitBytes(v);
  if (v === null) return 'unlimited';
  return l.name === 'cpu' ? `${v / 1000} CPU` : String(v);
}
