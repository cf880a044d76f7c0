/**
 * The page's copy of the node's snapshot: set by `snapshot`, updated by `delta` and `counters`.
 * Listeners learn what changed so a panel can redraw only that (or everything, when `full`).
 */
import type { Snapshot } from '../../../server/protocol';
import { applyCounters, initialCounterColumns } from '../containerCounters';
import type { NodePanelContract } from '../nodePanelContract';
import { applySnapshotDelta, type SnapshotDelta } from '../snapshotDelta';
import type { NodePanelBridge } from './bridge';

export interface StoreChange {
  full: boolean;
  /**
   * What changed. For a `counters` message, a delta naming the rows whose counters moved (whole, as they
   * now are), so a listener that redraws the rows of a delta shows the new numbers as it is.
   */
  delta: SnapshotDelta | null;
  /** Only live counters moved (no row came, went or changed otherwise): a graph need not lay out again. */
  counters?: boolean;
}

export class SnapshotStore {
  private current: Snapshot | null = null;
  private connectedValue = true;
  private reasonValue: string | null = null;
  /** The counter columns the host has named (containerCounters.ts), from the last full snapshot on. */
  private counterColumns = initialCounterColumns();
  private readonly listeners: ((c: StoreChange) => void)[] = [];

  constructor(bridge: NodePanelBridge<NodePanelContract>) {
    bridge.on('snapshot', (s) => {
      this.current = s;
      this.counterColumns = initialCounterColumns();
      this.emit({ full: true, delta: null });
    });
    bridge.on('delta', (d) => {
      if (!this.current) return;
      this.current = applySnapshotDelta(this.current, d);
      this.emit({ full: false, delta: d });
    });
    bridge.on('counters', (u) => {
      if (!this.current) return;
      const { containers, changed } = applyCounters(this.current.containers, u, this.counterColumns);
      this.current = { ...this.current, takenAt: u.takenAt, containers };
      const delta: SnapshotDelta = { takenAt: u.takenAt };
      if (changed.length) delta.containers = { upserted: changed, removed: [] };
      this.emit({ full: false, delta, counters: true });
    });
    bridge.on('connection', (c) => {
      this.connectedValue = c.connected;
      this.reasonValue = c.reason;
      this.emit({ full: true, delta: null });
    });
  }

  get snapshot(): Snapshot | null {
    return this.current;
  }

  get connected(): boolean {
    return this.connectedValue;
  }

  get reason(): string | null {
    return this.reasonValue;
  }

  onChange(fn: (c: StoreChange) => void): void {
    this.listeners.push(fn);
  }

  private emit(c: StoreChange): void {
    for (const fn of this.listeners) fn(c);
  }
}
