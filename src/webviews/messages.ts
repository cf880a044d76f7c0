/** Messages between the overview panel's host and its browser code. The webview speaks first (`ready`). */
import type { Snapshot } from '../../server/protocol';

export type ToWebview = { type: 'snapshot'; node: string; snapshot: Snapshot } | { type: 'disconnected'; node: string; reason: string | null };
export type FromWebview = { type: 'ready' } | { type: 'enter'; containerId: string } | { type: 'inspect'; containerId: string };
