/**
 * The loop of `nodescope watch`: the node's snapshot once, then the agent's changes applied to it
 * (src/connection/snapshotChanges.ts), each printed as the lines of watchEvents.ts, until Ctrl-C or the
 * agent's end. A change that cannot be applied (the copy was lost: seq 0) is answered with a new snapshot,
 * and what differs from it is printed as well, so nothing is skipped. A pass the agent says failed goes to
 * stderr, once per message.
 */
import type { AgentClient } from '../connection/agentClient';
import { applyChanges } from '../connection/snapshotChanges';
import type { ChangedNotification, Snapshot } from '../../server/protocol';
import { escapeControls, escapeControlsInJson } from '../../server/escapeControls';
import { renderWatchEvent, watchEvents } from './watchEvents';

/** Where the lines go (stdout), and who hears that the first snapshot is in (tests: changes made before it are not changes). */
export interface WatchOutput {
  line(text: string): void;
  ready?(): void;
}

const stdout: WatchOutput = { line: (l) => void process.stdout.write(`${l}\n`) };

export async function watchNode(client: AgentClient, json: boolean, out: WatchOutput = stdout): Promise<number> {
  let copy: Snapshot = await client.request('snapshot', {});
  out.ready?.();
  let lastProblem = '';
  const show = (next: Snapshot): void => {
    for (const e of watchEvents(copy, next)) out.line(json ? escapeControlsInJson(JSON.stringify(e)) : renderWatchEvent(e));
    copy = next;
  };
  // Changes are applied in the order they come; a resync waits its turn so that none is applied to the wrong copy.
  let queue = Promise.resolve();
  const onChange = async (n: ChangedNotification): Promise<void> => {
    const failed = n.problems?.find((p) => p.source === 'watch');
    if (failed) {
      if (failed.message !== lastProblem) process.stderr.write(`${escapeControls(`nodescope watch: ${failed.message}`)}\n`);
      lastProblem = failed.message;
      return;
    }
    lastProblem = '';
    show(n.seq === 0 ? await client.request('snapshot', {}) : applyChanges(copy, n));
  };
  client.onChanged((n) => {
    queue = queue
      .then(() => onChange(n))
      .catch((err: unknown) => void process.stderr.write(`nodescope watch: ${escapeControls((err as Error).message)}\n`));
  });
  return new Promise<number>((resolve) => {
    const stop = (): void => resolve(0);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    client.onClose((reason) => {
      if (reason) process.stderr.write(`${escapeControls(`nodescope watch: the agent's channel closed: ${reason}`)}\n`);
      resolve(reason ? 1 : 0);
    });
  });
}
