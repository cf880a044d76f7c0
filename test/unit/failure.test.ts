/** What the agent quotes back in an error is bounded and stays on one line (issue 8: a 50 MB name came back whole). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refuse, echo, ECHO_MAX } from '../../server/failure';
import { ErrorCodes } from '../../server/protocol';
import { invalidMessage } from '../../server/rpcInput';

describe('echo and refuse', () => {
  it('leaves a short value as it is, and cuts a long one saying how long it was', () => {
    assert.equal(echo('web'), 'web');
    const cut = echo('x'.repeat(50 * 1024 * 1024));
    assert.equal(cut, `${'x'.repeat(ECHO_MAX)}… (52428800 characters)`);
  });

  it('never splits a surrogate pair, and escapes control characters', () => {
    const s = 'a'.repeat(ECHO_MAX - 1) + '😀' + 'b';
    assert.equal(echo(s), `${'a'.repeat(ECHO_MAX - 1)}… (${s.length} characters)`);
    assert.equal(echo('a\nb\u001b[31mc\u009bd\u202e'), 'a\\nb\\x1b[31mc\\x9bd\\u202e');
  });

  it('keeps any message on one line of at most about a thousand characters, head and tail kept', () => {
    const f = refuse(ErrorCodes.NotFound, `no container "${'y'.repeat(100_000)}"\non this node; refresh and try again`);
    assert.doesNotMatch(f.message, /\n/);
    assert.ok(f.message.length <= 1010, `${f.message.length}`);
    assert.ok(f.message.startsWith('no container "yyy'));
    assert.ok(f.message.endsWith('on this node; refresh and try again'));
  });
});

describe('invalidMessage', () => {
  it('accepts requests, notifications and responses as JSON-RPC 2.0 defines them', () => {
    for (const m of [
      { jsonrpc: '2.0', id: 1, method: 'snapshot' },
      { jsonrpc: '2.0', id: 'a', method: 'whence', params: { container: 'x' } },
      { jsonrpc: '2.0', method: 'note', params: [1] },
      { jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 3 } },
      { jsonrpc: '2.0', id: 2, result: null },
      { jsonrpc: '2.0', id: null, error: { code: 1, message: 'm' } },
    ]) {
      assert.equal(invalidMessage(m), null, JSON.stringify(m));
    }
  });

  it('says what is wrong with everything else', () => {
    const cases: [unknown, RegExp][] = [
      [[], /batches/],
      [42, /not number/],
      [null, /not null/],
      [{ id: 1, method: 'x' }, /"jsonrpc" must be "2\.0"/],
      [{ jsonrpc: '2.0', id: {}, method: 'x' }, /"id" must be a string or a number/],
      [{ jsonrpc: '2.0', id: 1, method: 5 }, /"method" must be a string/],
      [{ jsonrpc: '2.0', id: 1, method: 'x', params: 'p' }, /"params" must be an object or an array/],
      [{ jsonrpc: '2.0', method: '$/cancelRequest', params: {} }, /needs params\.id/],
      [{ jsonrpc: '2.0' }, /neither/],
    ];
    for (const [m, why] of cases) assert.match(invalidMessage(m) ?? 'valid', why, JSON.stringify(m));
  });
});
