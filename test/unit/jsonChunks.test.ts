// The agent's reply encoder (server/jsonChunks.ts) writes what JSON.stringify writes, byte for byte, for
// every shape a reply can take, while building no string larger than one small part of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonBytes } from '../../server/jsonChunks';
import sample from '../fixtures/rig-snapshot.json';

const same = (value: unknown): void => assert.equal(jsonBytes(value).toString('utf8'), JSON.stringify(value));

test('a real snapshot, as a JSON-RPC response, is byte for byte JSON.stringify', () => {
  same({ jsonrpc: '2.0', id: 7, result: sample });
});

test('members JSON.stringify leaves out or turns to null are left out or null here too', () => {
  const sparse: unknown[] = [1];
  sparse[3] = 4;
  same({ a: undefined, b: () => 1, c: Symbol('x'), d: [undefined, () => 1, Symbol('y')], e: null, f: sparse });
  same({ jsonrpc: '2.0', id: 1, result: { deep: { deeper: { deepest: { gone: undefined, kept: [undefined] } } } } });
});

test('toJSON is honoured at every depth, and strings keep their escapes and non-ASCII text', () => {
  same({ when: new Date(0), list: [{ toJSON: () => 'custom' }], text: 'a"\\\n\u0000\u001b[31m é 漢 😀', n: [-0, 1e21, 0.1] });
});

test('the message is not one string: a reply far larger than one chunk is built from parts', () => {
  const processes = Array.from({ length: 5000 }, (_, i) => ({ pid: i, cmdline: 'x'.repeat(4096), truncated: true }));
  const value = { jsonrpc: '2.0', id: 2, result: { processes } };
  let longest = 0;
  // Every string the encoder passes to Buffer.from is a chunk; the largest must stay far below the whole.
  const from = Buffer.from;
  (Buffer as unknown as { from: unknown }).from = (v: unknown, ...rest: unknown[]) => {
    if (typeof v === 'string') longest = Math.max(longest, v.length);
    return (from as (...a: unknown[]) => Buffer).call(Buffer, v, ...rest);
  };
  try {
    const bytes = jsonBytes(value);
    assert.equal(bytes.length, Buffer.byteLength(JSON.stringify(value)));
  } finally {
    (Buffer as unknown as { from: unknown }).from = from;
  }
  assert.ok(longest > 0 && longest < 200_000, `largest string turned into bytes: ${longest} characters, of a reply of about 20 million`);
});
