/**
 * What a node panel that draws the snapshot is posted: the whole snapshot once per page load, then per
 * watch pass at most one `delta` (rows whose structure changed) and, to a kind that shows live numbers,
 * at most one `counters` (the counters that moved). A pass where nothing a page holds changed posts
 * nothing. A reconnect or a new full snapshot in the model posts the whole snapshot again (the page may
 * have missed anything in between). No vscode import: unit-tested with a fake host and model.
 */
import type { Snapshot } from '../../../server/protocol';
import type { NodePanelNotifications } from '../nodePanelContract';
import { isEmptyDelta, SnapshotDiffer } from '../snapshotDelta';

/** The parts of PanelHost the feed uses. */
export interface FeedHost {
  onReady(fn: () => void): void;
  notify<M extends 'snapshot' | 'delta' | 'counters'>(method: M, params: NodePanelNotifications[M]): void;
  track(d: () => void): void;
}

/** The parts of NodeModel the feed uses. */
export interface FeedModel {
  readonly snapshot: Snapshot | null;
  onDidChange(l: (c: { full: boolean }) => void): () => void;
}

export function feedSnapshot(host: FeedHost, model: FeedModel, opts: { counters: boolean }): void {
  const differ = new SnapshotDiffer({ counters: opts.counters });
  let pageReady = false;
  const full = () => {
    const s = model.snapshot;
    if (!s) return differ.reset();
    host.notify('snapshot', differ.full(s));
  };
  host.onReady(() => {
    pageReady = true;
    full();
  });
  host.track(
    model.onDidChange((change) => {
      if (!pageReady) return;
      const s = model.snapshot;
      if (!s) return differ.reset();
      if (change.full) return full();
      const d = differ.diff(s);
      if (!d) return full();
      // The delta first: a row it brings is whole, so the counters that follow never name a row the page lacks.
      if (!isEmptyDelta(d)) host.notify('delta', d);
      const counters = differ.counters(s);
      if (counters) host.notify('counters', counters);
    }),
  );
}
