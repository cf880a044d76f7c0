/**
 * JSON for the agent's replies, written as UTF-8 in chunks rather than as one string.
 *
 * vscode-jsonrpc's default encoder is JSON.stringify of the whole message, then a Buffer of it. A
 * snapshot is the one large reply, and V8 refuses a string past about 512 MiB ("Invalid string length":
 * what a node whose processes carried megabyte command lines got before they were capped), while a
 * Buffer may be far larger. Here only the small parts (one process, one container, one mount) become
 * strings; the message is the concatenation of their bytes. The caps in discover/bounded.ts keep each
 * part small, so no string the agent builds grows with the size of the node.
 *
 * The output is byte for byte JSON.stringify's (test/unit/jsonChunks.test.ts): keys in insertion order,
 * an undefined or function member left out of an object and written as null in an array, toJSON honoured.
 */
import type { Message } from 'vscode-jsonrpc';

/** Levels of nesting walked before a value is handed to JSON.stringify whole (message → result → snapshot
 * → processes[] → one process): deeper values are small by the caps. */
const SPLIT_DEPTH = 4;
/** Text gathered before it is turned into bytes: large enough that Buffer.from is not called per comma. */
const CHUNK_CHARS = 64 * 1024;

class ChunkSink {
  private readonly chunks: Buffer[] = [];
  private pending = '';
  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }
  bytes(): Buffer {
    this.flush();
    return Buffer.concat(this.chunks);
  }
  private flush(): void {
    if (!this.pending) return;
    this.chunks.push(Buffer.from(this.pending, 'utf8'));
    this.pending = '';
  }
}

const isPlainContainer = (v: unknown): v is Record<string, unknown> | unknown[] =>
  typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON !== 'function';

/** Writes `value` as JSON; false when JSON.stringify would leave it out (undefined, a function, a symbol). */
function writeValue(sink: ChunkSink, value: unknown, depth: number): boolean {
  if (depth >= SPLIT_DEPTH || !isPlainContainer(value)) {
    const text = JSON.stringify(value);
    if (text === undefined) return false;
    sink.write(text);
    return true;
  }
  if (Array.isArray(value)) {
    sink.write('[');
    // An index loop, not forEach: a hole in a sparse array is null in JSON too.
    for (let i = 0; i < value.length; i++) {
      if (i) sink.write(',');
      if (!writeValue(sink, value[i], depth + 1)) sink.write('null');
    }
    sink.write(']');
    return true;
  }
  sink.write('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const member = value[key];
    // Members JSON.stringify leaves out are known before anything of them is written.
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    sink.write(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    writeValue(sink, member, depth + 1);
  }
  sink.write('}');
  return true;
}

/** `value` as the UTF-8 bytes of its JSON text, built from small strings. */
export function jsonBytes(value: unknown): Buffer {
  const sink = new ChunkSink();
  if (!writeValue(sink, value, 0)) throw new TypeError('nothing to write: the value has no JSON form');
  return sink.bytes();
}

/** A content type encoder for vscode-jsonrpc's StreamMessageWriter (application/json, UTF-8). */
export const chunkedJsonEncoder = {
  name: 'application/json',
  encode: (msg: Message): Promise<Uint8Array> => Promise.resolve(jsonBytes(msg)),
};
