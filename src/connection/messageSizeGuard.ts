/**
 * A bound on one message from the agent. vscode-jsonrpc's reader keeps whatever arrives until a message's
 * Content-Length bytes are there, and keeps a header until its blank line: an agent that is broken, or a
 * node that is hostile, could make the extension host grow without limit by announcing 10 GB and sending
 * it, or by never ending a header. This stream sits between the channel and the reader, follows the base
 * protocol's framing (`Content-Length: N\r\n…\r\n\r\n` then N bytes) without copying, and refuses the
 * first message over the bound: it passes nothing more on and says why once.
 *
 * No `vscode` import anywhere under src/connection/.
 */
import { Transform, type TransformCallback } from 'stream';
import { formatBytes } from '../../server/units';

/** One message's body at most: a snapshot of a busy node is tens of MB; 256 MiB stays a JS string's size. */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** A header is a line or two (`Content-Length`, perhaps `Content-Type`). */
const MAX_HEADER_BYTES = 8 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

export class MessageSizeGuard extends Transform {
  /** Bytes of the current body still to come; -1 while in a header. */
  private remaining = -1;
  private header = Buffer.alloc(0);
  private refused: string | null = null;

  constructor(
    private readonly maxBytes: number,
    private readonly onRefused: (why: string) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.refused !== null) return done();
    const why = this.follow(chunk);
    if (why === null) return done(null, chunk);
    this.refused = why;
    this.header = Buffer.alloc(0);
    this.onRefused(why);
    done();
  }

  /** Advances the framing over `chunk`; the reason to refuse it, or null. */
  private follow(chunk: Buffer): string | null {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining >= 0) {
        const n = Math.min(this.remaining, chunk.length - at);
        this.remaining -= n;
        at += n;
        if (this.remaining === 0) this.remaining = -1;
        continue;
      }
      const before = this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(at)]);
      const end = this.header.indexOf(HEADER_END);
      if (end < 0) {
        if (this.header.length > MAX_HEADER_BYTES)
          return `a message header from the agent is over ${formatBytes(MAX_HEADER_BYTES)} without its end`;
        return null;
      }
      at += end + HEADER_END.length - before;
      const m = /^content-length:\s*(\d+)\s*$/im.exec(this.header.toString('latin1', 0, end));
      this.header = Buffer.alloc(0);
      // No or a malformed length: passed on, for the reader to refuse with its own error.
      if (!m) continue;
      const length = Number(m[1]);
      if (length > this.maxBytes)
        return `a message of ${formatBytes(length)} from the agent is over the ${formatBytes(this.maxBytes)} a client takes`;
      this.remaining = length === 0 ? -1 : length;
    }
    return null;
  }
}
