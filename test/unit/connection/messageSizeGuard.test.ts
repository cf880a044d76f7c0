// The framing the guard follows is the base protocol's (vscode-jsonrpc's StreamMessageWriter writes it);
// messages are made here by that writer's format, cut into chunks at every place, and fed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageSizeGuard } from '../../../src/connection/messageSizeGuard';

const frame = (body: string): Buffer =>
  Buffer.concat([
    Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n`),
    Buffer.from(body),
  ]);

function feed(chunks: Buffer[], max: number): { out: Buffer; refused: string[] } {
  const refused: string[] = [];
  const g = new MessageSizeGuard(max, (why) => refused.push(why));
  const out: Buffer[] = [];
  g.on('data', (d: Buffer) => out.push(d));
  for (const c of chunks) g.write(c);
  return { out: Buffer.concat(out), refused };
}

test('messages under the bound pass unchanged, however the channel cuts them', () => {
  const all = Buffer.concat([frame('{"a":1}'), frame('{"b":"é"}'), frame('')]);
  for (let cut = 0; cut <= all.length; cut++) {
    const { out, refused } = feed([all.subarray(0, cut), all.subarray(cut)], 100);
    assert.deepEqual(refused, [], `cut at ${cut}`);
    assert.ok(out.equals(all), `cut at ${cut}`);
  }
});

test('the first message over the bound is refused once, and nothing after its header passes', () => {
  const small = frame('{"a":1}');
  const big = frame('x'.repeat(101));
  const { out, refused } = feed([small, big.subarray(0, 30), big.subarray(30), small], 100);
  assert.deepEqual(refused, ['a message of 101 B from the agent is over the 100 B a client takes']);
  // A header is passed on as it comes (at most 8 KiB of it); its length is known only at its end.
  assert.ok(out.equals(Buffer.concat([small, big.subarray(0, 30)])));
});

test('a header that never ends is refused past 8 KiB', () => {
  const { out, refused } = feed([Buffer.from('Content-Length: 1\r\n'), Buffer.alloc(9000, 0x41)], 100);
  assert.deepEqual(refused, ['a message header from the agent is over 8.0 KiB without its end']);
  assert.equal(out.length, 'Content-Length: 1\r\n'.length);
});
