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
import { oneLine } from './failure';

/** The share of one core that watching may take at most. */
const MAX_CPU_SHARE = 0.1;

/** The shortest interval the agent watches at: a pass over a busy node takes tens of milliseconds. */
export const WATCH_INTERVAL_MIN_MS = 250;
/** The longest: an hour. Far past it Node's timers overflow (2^31 ms) and fire after 1 ms, at 77 % of a core. */
export const WATCH_INTERVAL_MAX_MS = 3_600_000;
/** setTimeout's own limit: a longer delay fires at once (TimeoutOverflowWarning). */
const TIMER_MAX_MS = 2 ** 31 - 1;

/**
 * The interval to watch at, from what a client or a setting asked: 0 (off) for 0, absent, or anything
 * that is not a non-negative number; otherwise clamped to [WATCH_INTERVAL_MIN_MS, WATCH_INTERVAL_MAX_MS].
 */
export function watchInterval(asked: unknown): number {
  if (typeof asked !== 'number' || Number.isNaN(asked) || asked <= 0) return 0;
  return Math.min(WATCH_INTERVAL_MAX_MS, Math.max(WATCH_INTERVAL_MIN_MS, Math.round(asked)));
}

/** Milliseconds until the next pass: the asked interval, or longer when a pass took long. */
export function nextDelay(intervalMs: number, lastPassMs: number): number {
  return Math.min(TIMER_MAX_MS, Math.max(intervalMs, Math.ceil(lastPassMs / MAX_CPU_SHARE - lastPassMs)));
}

export class Watcher {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private sent: Snapshot | null = null;
  private seq = 0;
  private readonly intervalMs: number;

  /** `send` may return the write's promise: a write that fails is reported like a failed pass. */
  constructor(
    private readonly methods: AgentMethods,
    intervalMs: number,
    private readonly send: (n: ChangedNotification) => void | Promise<void>,
  ) {
    // Whoever constructs it, never an interval the timer cannot hold (1e12 once fired every 1 ms).
    this.intervalMs = watchInterval(intervalMs) || WATCH_INTERVAL_MAX_MS;
  }

  start(): void {
    const started = performance.now();
    try {
      this.sent = this.methods.snapshot();
    } catch (err) {
      // No first state: the first pass that succeeds sends everything.
      this.failed('the first pass', err);
    }
    this.schedule(performance.now() - started);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(lastPassMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        const started = performance.now();
        try {
          this.tick();
        } catch (err) {
          // Nothing a pass meets may end the agent (an exception in a timer would): a snapshot too large
          // to compare once did. The client keeps the last state it was sent; the next pass tries again.
          this.failed('a pass', err);
        }
        this.schedule(performance.now() - started);
      },
      nextDelay(this.intervalMs, lastPassMs),
    );
    this.timer.unref();
  }

  private tick(): void {
    const next = this.methods.snapshot();
    const delta = diffSnapshots(this.sent, next, this.seq + 1);
    if (!delta) return;
    this.seq = delta.seq;
    this.sent = next;
    this.deliver(delta);
  }

  private deliver(n: ChangedNotification): void {
    try {
      void Promise.resolve(this.send(n)).catch((err: unknown) => this.failed('sending a change', err));
    } catch (err) {
      this.failed('sending a change', err);
    }
  }

  /**
   * A failed pass or send, said twice: on stderr for the agent's log, and to the client as a change with
   * nothing in it but the problem and the time of the last state it was sent (that state stands).
   */
  private failed(what: string, err: unknown): void {
    const message = oneLine(`watch: ${what} failed: ${err instanceof Error ? err.message : String(err)}; the last state sent stands`);
    process.stderr.write(`nodescope-agent: ${message}\n`);
    // Not again through what just failed; nor before a first state, whose time the client would take.
    if (what === 'sending a change' || this.stopped || !this.sent) return;
    this.seq += 1;
    this.deliver({
      seq: this.seq,
      containersUpserted: [],
      containersRemoved: [],
      takenAt: this.sent.takenAt,
      problems: [{ source: 'watch', message }],
    });
  }
}

/** What changed between two snapshots, or null when nothing a client shows did. */
export function diffSnapshots(prev: Snapshot | null, next: Snapshot, seq: number): ChangedNotification | null {
  const before = new Map((prev?.containers ?? []).map((c) => [c.id, c]));
  const upserted: ContainerInfo[] = next.containers.filter((c) => {
    const old = before.get(c.id);
    return !old || !sameData(old, c);
  });
  const nextIds = new Set(next.containers.map((c) => c.id));
  const removed = [...before.keys()].filter((id) => !nextIds.has(id));
  const n: ChangedNotification = { seq, containersUpserted: upserted, containersRemoved: removed, takenAt: next.takenAt };
  if (!prev || !sameData(prev.namespaces, next.namespaces)) n.namespaces = next.namespaces;
  if (!prev || !sameData(prev.layers, next.layers)) n.layers = next.layers;
  if (!prev || !sameData(prev.processes, next.processes)) n.processes = next.processes;
  const changed = upserted.length || removed.length || n.namespaces || n.layers || n.processes;
  return changed ? n : null;
}

/**
 * Whether two JSON values are equal, compared in place: comparing their JSON texts built a string as
 * large as the process list at every pass, twice (a RangeError once a node's command lines were huge).
 * Objects compare by their own enumerable keys, whatever their order; undefined members count as absent,
 * as in JSON.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    if (a.length !== bs.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], bs[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao).filter((k) => ao[k] !== undefined);
  if (keys.length !== Object.keys(bo).filter((k) => bo[k] !== undefined).length) return false;
  for (const k of keys) if (!Object.prototype.hasOwnProperty.call(bo, k) || !sameData(ao[k], bo[k])) return false;
  return true;
}
