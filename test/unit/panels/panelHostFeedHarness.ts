/**
 * The host's snapshot feed (src/panels/host/snapshotFeed.ts) against a fake panel host and model: what it
 * posts is recorded as the page would receive it (through JSON, as a webview's postMessage carries it),
 * and handed to a page when one is attached.
 */
import type { Snapshot } from '../../../server/protocol';
import { feedSnapshot, type FeedHost } from '../../../src/panels/host/snapshotFeed';

export interface Posted {
  kind: 'notify';
  method: 'snapshot' | 'delta' | 'counters';
  params: unknown;
}

export function fakeFeed(snapshot: Snapshot | null, counters: boolean, deliver?: (m: Posted) => void) {
  const posted: Posted[] = [];
  const readyFns: (() => void)[] = [];
  const listeners: ((c: { full: boolean }) => void)[] = [];
  const model = {
    snapshot,
    onDidChange: (l: (c: { full: boolean }) => void) => (listeners.push(l), () => undefined),
  };
  const host: FeedHost = {
    onReady: (fn) => void readyFns.push(fn),
    notify: (method, params) => {
      const m = JSON.parse(JSON.stringify({ kind: 'notify', method, params })) as Posted;
      posted.push(m);
      deliver?.(m);
    },
    track: () => undefined,
  };
  feedSnapshot(host, model, { counters });
  return {
    model,
    posted,
    /** The page says ready (again, after a reload). */
    ready: () => readyFns.forEach((fn) => fn()),
    /** The model changed: a watch pass (full: a new snapshot). */
    changed: (full = false) => listeners.forEach((l) => l({ full })),
    /** The posts since the last call. */
    take: () => posted.splice(0),
  };
}
