/**
 * The page's copy of the node's snapshot: set by `snapshot`, updated by `delta`, cleared while disconnected.
 * Listeners learn what changed so a panel can redraw only that (or everything, when `full`).
 */
import type { Snapshot } from '../../../server/protocol';
import type { NodePanelContract } from '../nodePanelContract';
import { applySnapshotDelta, type SnapshotDelta } from '../snapshotDelta';
import type { NodePanelBridge } from './bridge';

export interface StoreChange {
  full: boolean;
  delta: SnapshotDelta | null;
}

export class SnapshotStore {
  private current: Snapshot | null = null;
  private connectedValue = true;
  private reasonValue: string | null = null;
  private readonly listeners: ((c: StoreChange) => void)[] = [];

  constructor(bridge: NodePanelBridge<NodePanelContract>) {
    bridge.on('snapshot', (s) => {
      this.current = s;
      this.emit({ full: true, delta: null });
    });
    bridge.on('delta', (d) => {
      if (!this.current) return;
      this.current = applySnapshotDelta(this.current, d);
      this.emit({ full: false, delta: d });
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
