/**
 * The watcher's limits (issue 8): an interval is clamped to what a timer can hold (`watchIntervalMs` of
 * 1e12 once overflowed setTimeout to 1 ms: 77 % of a core), a pass that throws never ends the agent, and
 * snapshots are compared without building their JSON text.
 */
import { describe, it } from 'node:test';
import { inspect } from 'util';
import assert from 'node:assert/strict';
import { nextDelay, sameData, watchInterval, Watcher, WATCH_INTERVAL_MAX_MS, WATCH_INTERVAL_MIN_MS } from '../../../server/watch';
import type { AgentMethods } from '../../../server/methods';
import type { ChangedNotification, Snapshot } from '../../../server/protocol';
import { sampleSnapshot } from '../cli/sampleSnapshot';

/** setTimeout's own limit: Node fires a longer delay after 1 ms (TimeoutOverflowWarning). */
const TIMER_MAX = 2 ** 31 - 1;

describe('watch interval', () => {
  it('is off for 0, absent, negative or not a number', () => {
    for (const v of [0, undefined, null, -1, -1e12, Number.NaN, '2000', {}, true]) assert.equal(watchInterval(v), 0, inspect(v));
  });

  it('is clamped to [250 ms, 1 h]', () => {
    assert.equal(WATCH_INTERVAL_MIN_MS, 250);
    assert.equal(WATCH_INTERVAL_MAX_MS, 3_600_000);
    assert.equal(watchInterval(1), 250);
    assert.equal(watchInterval(249.6), 250);
    assert.equal(watchInterval(2000), 2000);
    assert.equal(watchInterval(3_600_000), 3_600_000);
    assert.equal(watchInterval(1e12), 3_600_000);
    assert.equal(watchInterval(Number.POSITIVE_INFINITY), 3_600_000);
    assert.equal(watchInterval(Number.MAX_VALUE), 3_600_000);
  });

  it('gives a delay a timer can hold, however long a pass took', () => {
    assert.equal(nextDelay(2000, 10), 2000);
    assert.equal(nextDelay(250, 100), 900);
    assert.equal(nextDelay(WATCH_INTERVAL_MAX_MS, 1e9), TIMER_MAX);
    assert.ok(nextDelay(1e12, 0) <= TIMER_MAX);
  });

  it('is clamped by the watcher itself, whoever constructs it', async () => {
    // A watcher asked for 1e12 ms whose timer overflowed would pass again within milliseconds.
    let passes = 0;
    const methods = { snapshot: () => (passes++, sampleSnapshot()) } as unknown as AgentMethods;
    const w = new Watcher(methods, 1e12, () => undefined);
    w.start();
    await new Promise((r) => setTimeout(r, 300));
    w.stop();
    assert.equal(passes, 1, 'only the first pass');
  });
});

describe('a watcher pass that fails', () => {
  it('leaves the agent running, says so to the client, and passes again', async () => {
    // Stand-in for the agent's methods: the snapshot source is what is under test here (pure timer logic).
    let calls = 0;
    const methods = {
      snapshot: (): Snapshot => {
        calls++;
        if (calls === 2) throw new RangeError('Invalid string length');
        const s = sampleSnapshot();
        if (calls >= 3) s.containers[0].name = 'renamed';
        return s;
      },
    } as unknown as AgentMethods;
    const sent: ChangedNotification[] = [];
    const w = new Watcher(methods, 250, (n) => void sent.push(n));
    w.start();
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !sent.some((n) => n.containersUpserted.length)) await new Promise((r) => setTimeout(r, 50));
    w.stop();
    assert.ok(calls >= 3, `${calls} passes`);
    const problem = sent[0];
    assert.deepEqual(problem.containersUpserted, []);
    assert.equal(problem.takenAt, sampleSnapshot().takenAt, 'the time of the state that stands');
    assert.match(problem.problems![0].message, /^watch: a pass failed: Invalid string length; the last state sent stands$/);
    const change = sent.find((n) => n.containersUpserted.length)!;
    assert.equal(change.containersUpserted[0].name, 'renamed');
    assert.equal(change.seq, problem.seq + 1);
  });

  it('survives a send that rejects (a notification too large to write)', async () => {
    let calls = 0;
    const methods = {
      snapshot: () => Object.assign(sampleSnapshot(), { takenAt: String(calls++) }, calls > 1 ? { containers: [] } : {}),
    } as unknown as AgentMethods;
    let sends = 0;
    const w = new Watcher(methods, 250, () => {
      sends++;
      return Promise.reject(new RangeError('Invalid string length'));
    });
    w.start();
    await new Promise((r) => setTimeout(r, 700));
    w.stop();
    assert.ok(calls >= 2 && sends >= 1, `${calls} passes, ${sends} sends`);
  });
});

describe('sameData', () => {
  it('compares JSON values as JSON.stringify would, without the text', () => {
    assert.equal(sameData({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }), true);
    assert.equal(sameData({ a: 1, u: undefined }, { a: 1 }), true);
    assert.equal(sameData({ a: null }, { a: undefined }), false);
    assert.equal(sameData([1, 2], [2, 1]), false);
    assert.equal(sameData([], {}), false);
    assert.equal(sameData({ a: 1 }, { b: 1 }), false);
    assert.equal(sameData('1', 1), false);
    assert.equal(sameData(sampleSnapshot(), sampleSnapshot()), true);
  });

  it('compares process lists far larger than one string can hold', () => {
    // 300 entries of 2 MB each: their JSON text would be 600 MB, past V8's longest string (~512 MB).
    const big = 'x'.repeat(2 * 1024 * 1024);
    const list = (): { cmdline: string }[] => Array.from({ length: 300 }, () => ({ cmdline: big }));
    assert.throws(() => JSON.stringify(list()), RangeError, 'control: the text cannot be built');
    assert.equal(sameData(list(), list()), true);
  });
});
