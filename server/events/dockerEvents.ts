/**
 * Docker's Engine API event stream (GET /events on its unix socket), as a hint that containers changed: a
 * pass follows, and the pass reads what is true from the kernel and the engine's files as always. Nothing
 * in an event is believed or shown, so an impostor on the socket can at worst cause extra passes, and those
 * are within the watcher's budget.
 *
 * The stream is one JSON object a line. Lines are read bounded (MAX_LINE_BYTES: a longer one is dropped to
 * its end, still counted as an event); the headers must come within CONNECT_MS; a stream that ends or fails
 * is opened again after a backoff that doubles to BACKOFF_MAX_MS, and each reconnect is itself a poke, since
 * events may have been missed meanwhile.
 */
import * as http from 'http';
import type { ChangeSource } from '../watch';

const MAX_LINE_BYTES = 64 * 1024;
const CONNECT_MS = 5000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** Only container events: start, die, destroy, update, oom, … (images and volumes change nothing shown). */
const EVENTS_PATH = `/events?filters=${encodeURIComponent(JSON.stringify({ type: ['container'] }))}`;

export interface EngineEvent {
  /** `start`, `die`, `destroy`, `oom`, `update`, …; as the engine said it, cut to 64 characters. */
  action: string;
  /** The container's id as the engine said it (unchecked), or '' when the line was not readable. */
  id: string;
}

/** Streams Docker's container events from `socketPath` to `onEvent` until stopped. */
export function dockerEvents(socketPath: string, onEvent: (e: EngineEvent) => void, onReconnect: () => void): ChangeSource {
  let stopped = false;
  let backoff = BACKOFF_FIRST_MS;
  let request: http.ClientRequest | null = null;
  let retry: NodeJS.Timeout | null = null;
  let connectedOnce = false;

  const again = (): void => {
    request = null;
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = null;
      open();
    }, backoff);
    retry.unref();
    backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
  };

  const open = (): void => {
    if (stopped) return;
    const req = http.get({ socketPath, path: EVENTS_PATH, timeout: CONNECT_MS, headers: { host: 'docker' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', again);
        return void req.destroy();
      }
      // Connected: the socket timeout was for the headers; the stream may be quiet for hours.
      req.setTimeout(0);
      backoff = BACKOFF_FIRST_MS;
      if (connectedOnce) onReconnect();
      connectedOnce = true;
      const lines = new BoundedLines(MAX_LINE_BYTES, (line) => onEvent(parseEvent(line)));
      res.on('data', (chunk: Buffer) => lines.push(chunk));
      res.on('end', again);
      res.on('error', again);
    });
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.on('error', again);
    req.on('close', () => request === req && again());
    request = req;
  };

  open();
  return {
    stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      request?.destroy();
    },
  };
}

function parseEvent(line: Buffer | null): EngineEvent {
  if (!line) return { action: '', id: '' };
  try {
    const e = JSON.parse(line.toString('utf8')) as { Action?: unknown; status?: unknown; id?: unknown; Actor?: { ID?: unknown } };
    const action = typeof e.Action === 'string' ? e.Action : typeof e.status === 'string' ? e.status : '';
    const id = typeof e.Actor?.ID === 'string' ? e.Actor.ID : typeof e.id === 'string' ? e.id : '';
    return { action: action.slice(0, 64), id: id.slice(0, 128) };
  } catch {
    return { action: '', id: '' };
  }
}

/**
 * Newline-separated lines from chunks, each at most `max` bytes: a longer line is not kept, and is handed
 * on as null when it ends (something was said, too long to read). Memory stays under `max` whatever comes.
 */
export class BoundedLines {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowed = false;

  constructor(
    private readonly max: number,
    private readonly onLine: (line: Buffer | null) => void,
  ) {}

  push(chunk: Buffer): void {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      this.keep(chunk.subarray(from, nl));
      const line = this.overflowed ? null : Buffer.concat(this.parts, this.size);
      this.parts = [];
      this.size = 0;
      this.overflowed = false;
      if (line === null || line.length > 0) this.onLine(line);
      from = nl + 1;
    }
    this.keep(chunk.subarray(from));
  }

  private keep(part: Buffer): void {
    if (this.overflowed || part.length === 0) return;
    if (this.size + part.length > this.max) {
      this.overflowed = true;
      this.parts = [];
      this.size = 0;
      return;
    }
    // A copy: the chunk's buffer may be reused by the stream.
    this.parts.push(Buffer.from(part));
    this.size += part.length;
  }
}
