/**
 * Change notifications: the agent keeps the last snapshot it sent (or answered to a `snapshot` request) and
 * pushes only what differs from it, so clients update their copies in place instead of reloading.
 *
 * Events first, polling as the backstop. Event sources (server/events/: Docker's event stream, inotify on
 * /run/netns and on cgroup.events/memory.events, a light pass over /proc's pids) call `poke`, and a pass
 * follows at once, within a budget of a core's share (EVENT_CPU_SHARE). Without a poke, a pass comes at the
 * interval the client asked, no more often than polling may cost: a tenth of a core when there are no event
 * sources (MAX_CPU_SHARE), IDLE_CPU_SHARE when they are there to say when something happened. The backstop
 * still catches what no event says (a limit written by hand, counters).
 */
import type { ChangedNotification, Snapshot } from './protocol';
import type { AgentMethods } from './methods';
import { oneLine } from './failure';
import { diffSnapshots, holdCounters, snapshotChanges } from './watch/snapshotDiff';

export { diffSnapshots } from './watch/snapshotDiff';
export { sameData } from './watch/sameData';

/** The share of one core that polling may take at most, without event sources. */
export const MAX_CPU_SHARE = 0.1;
/** With event sources, polling is only the backstop: an idle busy node costs at most this share of a core. */
export const IDLE_CPU_SHARE = 0.02;
/** A pass after an event may come sooner, up to this share: a change someone is waiting to see. */
export const EVENT_CPU_SHARE = 0.5;
/** Events come in bursts (a container's start is create, attach, start, and its cgroup and netns): one pass for a burst. */
const EVENT_SETTLE_MS = 30;

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

/** Milliseconds until the next pass: the asked interval, or longer when a pass took long (at most `share` of a core). */
export function nextDelay(intervalMs: number, lastPassMs: number, share = MAX_CPU_SHARE): number {
  return Math.min(TIMER_MAX_MS, Math.max(intervalMs, Math.ceil(lastPassMs / share - lastPassMs)));
}

/** Something that says when the node changed. `update` hears each snapshot sent (what to watch follows it). */
export interface ChangeSource {
  update?(s: Snapshot): void;
  stop(): void;
}

export interface WatcherOptions {
  /** The client applies keyed changes (InitializeParams.keyedChanges); else lists go wholesale. */
  keyed?: boolean;
  /** Starts the event sources; each calls `poke` when something may have changed. */
  sources?: (poke: (why: string, share?: number) => void) => ChangeSource[];
}

export class Watcher {
  private timer: NodeJS.Timeout | null = null;
  /** When the pending timer fires (ms, performance.now()), to tell whether a poke brings it forward. */
  private dueAt = Infinity;
  private stopped = false;
  private sent: Snapshot | null = null;
  private seq = 0;
  private lastPassMs = 0;
  private lastPassEnd = 0;
  private sources: ChangeSource[] = [];
  /** The pending pass was asked for by an event (poke), not by the backstop's interval. */
  private forEvent = false;
  private readonly intervalMs: number;

  /** `send` may return the write's promise: a write that fails is reported like a failed pass. */
  constructor(
    private readonly methods: AgentMethods,
    intervalMs: number,
    private readonly send: (n: ChangedNotification) => void | Promise<void>,
    private readonly opts: WatcherOptions = {},
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
    this.passed(started);
    try {
      this.sources = this.opts.sources?.((why, share) => this.poke(why, share)) ?? [];
      if (this.sent) for (const s of this.sources) s.update?.(this.sent);
    } catch (err) {
      // Without events, polling alone still sees every change, only later.
      process.stderr.write(`nodescope-agent: ${oneLine(`watch: event sources unavailable: ${(err as Error).message}; polling only`)}\n`);
    }
    this.schedule(this.backstopDelay());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const s of this.sources) s.stop();
    this.sources = [];
  }

  /**
   * The snapshot a client was just answered: the next change is against it, so a client that keeps a copy
   * (src/connection/snapshotChanges.ts) starts from the same state the agent compares with.
   */
  rebase(s: Snapshot): void {
    this.sent = s;
    for (const src of this.sources) src.update?.(s);
  }

  /**
   * Something changed (an engine event, a netns, a cgroup, processes): a pass as soon as `share` of a core
   * allows, counted from the end of the last pass.
   */
  poke(_why: string, share = EVENT_CPU_SHARE): void {
    if (this.stopped) return;
    const sinceLast = performance.now() - this.lastPassEnd;
    const wait = Math.max(EVENT_SETTLE_MS, nextDelay(0, this.lastPassMs, share) - sinceLast);
    if (performance.now() + wait < this.dueAt) {
      this.schedule(wait);
      this.forEvent = true;
    }
  }

  private backstopDelay(): number {
    return nextDelay(this.intervalMs, this.lastPassMs, this.sources.length ? IDLE_CPU_SHARE : MAX_CPU_SHARE);
  }

  private passed(started: number): void {
    this.lastPassEnd = performance.now();
    this.lastPassMs = this.lastPassEnd - started;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.min(TIMER_MAX_MS, Math.max(0, Math.round(delayMs)));
    this.dueAt = performance.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.dueAt = Infinity;
      const started = performance.now();
      const forEvent = this.forEvent;
      this.forEvent = false;
      try {
        this.tick(forEvent);
      } catch (err) {
        // Nothing a pass meets may end the agent (an exception in a timer would): a snapshot too large
        // to compare once did. The client keeps the last state it was sent; the next pass tries again.
        this.failed('a pass', err);
      }
      this.passed(started);
      this.schedule(this.backstopDelay());
    }, delay);
    this.timer.unref();
  }

  private tick(forEvent: boolean): void {
    const prev = this.sent;
    // After an event, what it was about; counters that moved meanwhile wait for the backstop pass (holdCounters).
    const taken = this.methods.snapshot();
    const next = forEvent && this.opts.keyed && prev ? holdCounters(prev, taken) : taken;
    // A keyed client with no state from this agent yet has nothing to apply a change to: its first
    // `snapshot` answer is its state (rebase), and changes count from there.
    const delta = this.opts.keyed ? (prev ? snapshotChanges(prev, next, this.seq + 1) : null) : diffSnapshots(prev, next, this.seq + 1);
    this.sent = next;
    for (const s of this.sources) s.update?.(next);
    if (!delta) return;
    this.seq = delta.seq;
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
