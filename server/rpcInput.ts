/**
 * What reaches the agent's JSON-RPC connection, checked first. vscode-jsonrpc logs a message it cannot
 * parse or classify and answers nothing, so a client that sent one would wait for ever; JSON-RPC 2.0
 * (section 5.1) answers both, with id null when the id cannot be known:
 *  - ErrorCodes.ParseError (-32700): the body is not JSON (or the frame around it is broken);
 *  - ErrorCodes.InvalidRequest (-32600): JSON that is not a request, a notification nor a response (an array, a
 *    number, an id that is an object, a missing "jsonrpc": "2.0", cancel params without an id).
 * Everything else passes on unchanged, in order.
 */
import type { Disposable, Event, Message, MessageReader, PartialMessageInfo } from 'vscode-jsonrpc/node';
import { ErrorCodes } from './protocol';
import { echo } from './failure';

export interface ErrorReply {
  jsonrpc: '2.0';
  id: string | number | null;
  error: { code: (typeof ErrorCodes)['ParseError' | 'InvalidRequest']; message: string };
}

const isId = (v: unknown): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Why `m` is not a JSON-RPC 2.0 message, or null when it is one. */
export function invalidMessage(m: unknown): string | null {
  if (Array.isArray(m)) return 'batches are not supported: send one request per message';
  if (m === null || typeof m !== 'object') return `a message is a JSON object, not ${m === null ? 'null' : typeof m}`;
  const o = m as Record<string, unknown>;
  if (o.jsonrpc !== '2.0') return '"jsonrpc" must be "2.0"';
  if ('method' in o) {
    if (typeof o.method !== 'string') return '"method" must be a string';
    if ('id' in o && !isId(o.id)) return '"id" must be a string or a number';
    if ('params' in o && (o.params === null || typeof o.params !== 'object')) return '"params" must be an object or an array';
    const p = o.params as Record<string, unknown> | undefined;
    if (o.method === '$/cancelRequest' && !isId(p?.id)) return '$/cancelRequest needs params.id';
    return null;
  }
  // A response to a request of ours (the agent sends none today; vscode-jsonrpc drops unknown ids).
  if (('result' in o || 'error' in o) && (isId(o.id) || o.id === null)) return null;
  return 'neither a request, a notification nor a response';
}

/** Wraps a reader: invalid messages and unreadable frames get their error reply through `reply`, and go no further. */
export class CheckedMessageReader implements MessageReader {
  constructor(
    private readonly inner: MessageReader,
    private readonly reply: (r: ErrorReply) => void,
  ) {
    inner.onError((err) => this.reply(errorReply(null, ErrorCodes.ParseError, `parse error: ${echo(err.message)}`)));
  }

  get onError(): Event<Error> {
    return this.inner.onError;
  }
  get onClose(): Event<void> {
    return this.inner.onClose;
  }
  get onPartialMessage(): Event<PartialMessageInfo> {
    return this.inner.onPartialMessage;
  }

  listen(callback: (message: Message) => void): Disposable {
    return this.inner.listen((message) => {
      const why = invalidMessage(message);
      if (why === null) return callback(message);
      const id = (message as { id?: unknown } | null)?.id;
      this.reply(errorReply(isId(id) ? id : null, ErrorCodes.InvalidRequest, `invalid request: ${why}`));
    });
  }

  dispose(): void {
    this.inner.dispose();
  }
}

function errorReply(id: string | number | null, code: ErrorReply['error']['code'], message: string): ErrorReply {
  return { jsonrpc: '2.0', id, error: { code, message } };
}
