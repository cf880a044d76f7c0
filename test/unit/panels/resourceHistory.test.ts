// The per-node resource history the extension keeps: sampled on model changes and on the interval while a
// panel listens, only while connected; bounded; kept after the last listener goes so a reopened panel
// continues the timeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot } from '../../../server/protocol';
import { NodeResourceHistory } from '../../../src/panels/resources/history';
import { sampleSnapshot } from '../cli/sampleSnapshot';

function fakeSession() {
  const listeners = new Set<() => void>();
  const s = {
    id: 'local',
    state: 'connected',
    model: {
      snapshot: sampleSnapshot() as Snapshot | null,
      onDidChange: (l: () => void) => (listeners.add(l), () => void listeners.delete(l)),
    },
    change: () => listeners.forEach((l) => l()),
    listeners,
  };
  return s;
}

test('samples on subscribe and on each model change; stops with the last listener, keeps the ring', () => {
  const session = fakeSession();
  let now = 1000;
  const h = new NodeResourceHistory(session, 60_000, () => now);
  const seen: number[] = [];
  const off = h.subscribe((s) => seen.push(s.t));
  assert.deepEqual(seen, [1000]);
  now = 3000;
  session.change();
  now = 3050;
  session.change(); // closer than 100 ms: the same pass
  assert.deepEqual(seen, [1000, 3000]);
  off();
  assert.equal(h.sampling, false);
  assert.equal(session.listeners.size, 0, 'the model listener is removed');
  assert.equal(h.ring.length, 2, 'the history stays for the next panel');
  session.state = 'reconnecting';
  assert.equal(h.sample(), null, 'no sample while not connected');
});

test('the ring holds at least ten minutes at the interval, then drops the oldest', () => {
  const session = fakeSession();
  let now = 0;
  const h = new NodeResourceHistory(session, 2000, () => now);
  assert.ok(h.ring.capacity * 2000 >= 10 * 60_000);
  for (let i = 0; i < h.ring.capacity + 5; i++) {
    now += 2000;
    h.sample();
  }
  assert.equal(h.ring.length, h.ring.capacity);
  assert.equal(h.ring.toArray()[0].t, 6 * 2000);
});

test('the interval samples when nothing changed', async () => {
  const session = fakeSession();
  const h = new NodeResourceHistory(session, 250);
  const off = h.subscribe(() => undefined);
  await new Promise((r) => setTimeout(r, 700));
  off();
  assert.ok(h.ring.length >= 3, `${h.ring.length} samples in 700 ms at 250 ms`);
});
