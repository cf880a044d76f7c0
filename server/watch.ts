/**
 * Change notifications: the agent re-snapshots on an interval and pushes only what differs from the last
 * snapshot it sent, so clients update their trees in place instead of reloading.
 *
 * Polling /proc is what lsns and lxkns do too; it is cheap here (one pass, tens of ms) and catches every
 * source of change (engines, bare unshare, limits written by hand) where engine events would not. On a
 * node with thousands of processes a pass takes longer, and the next one waits longer (nextDelay): the
 * agent never spends more than a tenth of a core on watching, whatever interval the client asked for.
 */
import type { ChangedNotification, ContainerInfo, Snapshot } from './protocol';
import type { AgentMethods } from './methods';

/** The share of one core that watching may take at most. */
const MAX_CPU_SHARE = 0.1;

/** Milliseconds until the next pass: the asked interval, or longer when a pass took long. */
export function nextDelay(intervalMs: number, lastPassMs: number): number {
  return Math.max(intervalMs, Math.ceil(lastPassMs / MAX_CPU_SHARE - lastPassMs));
}

export class Watcher {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private sent: Snapshot | null = null;
  private seq = 0;

  constructor(
    private readonly methods: AgentMethods,
    private readonly intervalMs: number,
    private readonly send: (n: ChangedNotification) => void,
  ) {}

  start(): void {
    const started = performance.now();
    this.sent = this.methods.snapshot();
    this.schedule(performance.now() - started);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(lastPassMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = performance.now();
      this.tick();
      this.schedule(performance.now() - started);
    }, nextDelay(this.intervalMs, lastPassMs));
    this.timer.unref();
  }

  private tick(): void {
    let next: Snapshot;
    try {
      next = this.methods.snapshot();
    } catch (err) {
      // A failed re-read must not kill the agent (an exception in a timer would): the client keeps the
      // last state it was sent, the next tick tries again, and the reason goes to the agent's log.
      process.stderr.write(`nodescope-agent: watch: snapshot failed: ${(err as Error).message}\n`);
      return;
    }
    const delta = diffSnapshots(this.sent, next, this.seq + 1);
    if (!delta) return;
    this.seq = delta.seq;
    this.sent = next;
    this.send(delta);
  }
}

/** What changed between two snapshots, or null when nothing a client shows did. */
export function diffSnapshots(prev: Snapshot | null, next: Snapshot, seq: number): ChangedNotification | null {
  const before = new Map((prev?.containers ?? []).map((c) => [c.id, c]));
  const upserted: ContainerInfo[] = next.containers.filter((c) => {
    const old = before.get(c.id);
    return !old || JSON.stringify(old) !== JSON.stringify(c);
  });
  const nextIds = new Set(next.containers.map((c) => c.id));
  const removed = [...before.keys()].filter((id) => !nextIds.has(id));
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  const n: ChangedNotification = { seq, containersUpserted: upserted, containersRemoved: removed, takenAt: next.takenAt };
  if (!prev || !same(prev.namespaces, next.namespaces)) n.namespaces = next.namespaces;
  if (!prev || !same(prev.layers, next.layers)) n.layers = next.layers;
  if (!prev || !same(prev.processes, next.processes)) n.processes = next.processes;
  const changed = upserted.length || removed.length || n.namespaces || n.layers || n.processes;
  return changed ? n : null;
}
