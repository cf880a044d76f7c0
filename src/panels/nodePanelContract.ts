/**
 * What every node panel is told besides its own notifications: which node (and subject, e.g. a container)
 * it shows, the node's connection state, and, for panels that draw the snapshot, the snapshot once and then
 * only its changes (snapshotDelta.ts), the containers' live counters apart (containerCounters.ts). Pure
 * types: both sides import them.
 */
import type { Snapshot } from '../../server/protocol';
import type { PanelContract } from './protocol';
import type { CounterUpdate } from './containerCounters';
import type { SnapshotDelta } from './snapshotDelta';

export interface NodePanelInit {
  nodeId: string;
  nodeLabel: string;
  /** What the panel is about within the node (a container id for a per-container panel), else null. */
  subject: string | null;
}

export interface ConnectionNote {
  connected: boolean;
  /** Why not, in one line, when known. */
  reason: string | null;
}

export type NodePanelNotifications = {
  init: NodePanelInit;
  connection: ConnectionNote;
  /** The whole snapshot: after ready, after a reconnect. Only to panels that feed on the snapshot. */
  snapshot: Snapshot;
  /** What changed since the last `snapshot` or `delta` this page was posted, live counters aside. Not posted when empty. */
  delta: SnapshotDelta;
  /** The containers' live counters that moved, at most once per watch pass: only to kinds with `liveCounters`. */
  counters: CounterUpdate;
};

/** Actions any panel offers on a container; the host runs the same command the tree's context menu runs. */
export type ContainerAction = 'enter' | 'inspect' | 'reveal' | 'exploreLayers' | 'diagnose';
/** Other panels a page links to, by their short name (src/panels/<name>). */
export type PanelLink = 'overview' | 'namespaceGraph' | 'layerGraph' | 'resources' | 'security';

export type NodePanelRequests = {
  /** Save an export (SVG, PNG, JSON, CSV) where the user picks: webviews cannot download. `base64` for binary. */
  saveFile: { params: { name: string; text?: string; base64?: string }; result: { saved: boolean } };
  containerAction: { params: { action: ContainerAction; containerId: string }; result: null };
  openPanel: { params: { panel: PanelLink; subject?: string }; result: null };
};

/** A panel's contract: its own requests and notifications, plus the common ones above. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- {} is "no requests of its own"
export type NodePanelContract<R extends PanelContract['requests'] = {}, N extends PanelContract['notifications'] = {}> = {
  requests: R & NodePanelRequests;
  notifications: N & NodePanelNotifications;
};

/** The state a page keeps with `setState`, which the serializer reads to bring the panel back after a reload. */
export interface PersistedPanelState {
  nodeId: string;
  subject: string | null;
  /** The page's own view state (filters, selection, zoom), opaque to the host. */
  view?: unknown;
}
