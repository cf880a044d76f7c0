/**
 * What state a node is really in, and the words the tree and the status bar use for it. A node whose
 * data is older than what the node shows now is never called live: it is stale since the moment the
 * data was last known to match (with why), or its agent is being restarted, or Nodescope gave up.
 * No vscode import: unit tests check the words.
 */

export type NodeHealth =
  /** Not connected, and nobody asked (or the user disconnected). */
  | { kind: 'off' }
  | { kind: 'connecting' }
  /** Connected; the data matches the node (live updates arrive, or nothing has failed since the last snapshot). */
  | { kind: 'live' }
  /** Connected, but the data is older than it should be. `since`: when it last matched the node. */
  | { kind: 'stale'; since: number | null; why: string }
  /** The agent died or stopped answering; a new one is being started. The data shown is as of `since`. */
  | { kind: 'restarting'; unresponsive: boolean; since: number | null; why: string; attempt: number; maxAttempts: number }
  /** Nodescope stopped trying (retries used up, or the first connect failed): Retry starts again. */
  | { kind: 'failed'; since: number | null; error: string };

export interface HealthWords {
  /** A few words for a tree row's description or the status bar: "stale since 14:02:11". */
  short: string;
  /** A sentence or two for a tooltip: why, and what Retry does. */
  detail: string;
  level: 'ok' | 'busy' | 'warning' | 'error';
}

/** HH:MM:SS in this machine's local time, as people read a clock. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function describeHealth(h: NodeHealth): HealthWords {
  const asOf = (since: number | null): string => (since === null ? '' : ` The data shown is as of ${clockTime(since)}.`);
  // Reasons are one-line messages that may or may not end with a full stop.
  const reason = (s: string): string => s.replace(/\.+$/, '');
  switch (h.kind) {
    case 'off':
      return { short: 'disconnected', detail: 'Not connected.', level: 'ok' };
    case 'connecting':
      return { short: 'connecting…', detail: 'Starting the agent and reading the node.', level: 'busy' };
    case 'live':
      return { short: 'live', detail: 'Connected; what is shown is the node as it is now.', level: 'ok' };
    case 'stale':
      return {
        short: h.since === null ? 'stale' : `stale since ${clockTime(h.since)}`,
        detail: `Stale: ${reason(h.why)}.${asOf(h.since)} Retry reads the node again.`,
        level: 'warning',
      };
    case 'restarting': {
      const what = h.unresponsive ? 'unresponsive, restarting' : 'reconnecting';
      const attempt = h.attempt > 0 ? ` (attempt ${h.attempt} of ${h.maxAttempts})` : '';
      const stale = h.since === null ? '' : ` · stale since ${clockTime(h.since)}`;
      return {
        short: `${what}${attempt}${stale}`,
        detail: `${h.unresponsive ? 'The agent stopped answering; a new one is being started' : 'The connection dropped; connecting again'}${attempt}: ${reason(h.why)}.${asOf(h.since)}`,
        level: 'busy',
      };
    }
    case 'failed':
      // The data kept under a failed node is old: the row says so before the error, which may be cut off.
      return {
        short: `failed${h.since === null ? '' : ` · stale since ${clockTime(h.since)}`}: ${h.error}`,
        detail: `Failed: ${reason(h.error)}.${asOf(h.since)} Retry connects again.`,
        level: 'error',
      };
  }
}
