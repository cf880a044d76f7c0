/**
 * The words a node's state is shown in (tree row, status bar): pure logic. What matters: stale data is
 * never called live and always says since when and why; restarting says which attempt of how many;
 * failed carries the error and says what Retry does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clockTime, describeHealth } from '../../../src/model/nodeHealth';

const at = (h: number, m: number, s: number): number => new Date(2026, 11, 2, h, m, s).getTime();

describe('node health words', () => {
  it('clock time is HH:MM:SS, local, zero-padded', () => {
    assert.equal(clockTime(at(14, 2, 11)), '14:02:11');
    assert.equal(clockTime(at(4, 5, 6)), '04:05:06');
  });

  it('stale says since when and why, and what Retry does', () => {
    const w = describeHealth({ kind: 'stale', since: at(14, 2, 11), why: 'refresh failed: snapshot: no answer in 30 s' });
    assert.equal(w.short, 'stale since 14:02:11');
    assert.equal(
      w.detail,
      'Stale: refresh failed: snapshot: no answer in 30 s. The data shown is as of 14:02:11. Retry reads the node again.',
    );
    assert.equal(w.level, 'warning');
    // A reason that ends with its own full stop does not get a second one.
    assert.match(describeHealth({ kind: 'stale', since: null, why: 'gone.' }).detail, /^Stale: gone\. Retry/);
    assert.equal(describeHealth({ kind: 'stale', since: null, why: 'x' }).short, 'stale');
  });

  it('restarting says unresponsive or reconnecting, the attempt, and how old the data shown is', () => {
    const w = describeHealth({
      kind: 'restarting',
      unresponsive: true,
      since: at(14, 2, 11),
      why: 'unresponsive: initialize: no answer in 20 s',
      attempt: 2,
      maxAttempts: 5,
    });
    assert.equal(w.short, 'unresponsive, restarting (attempt 2 of 5) · stale since 14:02:11');
    assert.match(
      w.detail,
      /^The agent stopped answering; a new one is being started \(attempt 2 of 5\): unresponsive: initialize: no answer in 20 s\. The data shown is as of 14:02:11\.$/,
    );
    assert.equal(w.level, 'busy');
    const dropped = describeHealth({
      kind: 'restarting',
      unresponsive: false,
      since: null,
      why: 'connection lost',
      attempt: 1,
      maxAttempts: 5,
    });
    assert.equal(dropped.short, 'reconnecting (attempt 1 of 5)');
  });

  it('failed carries the error and says Retry connects again', () => {
    const w = describeHealth({ kind: 'failed', since: at(9, 0, 0), error: 'initialize: no answer in 20 s (gave up after 5 retries)' });
    assert.equal(w.short, 'failed · stale since 09:00:00: initialize: no answer in 20 s (gave up after 5 retries)');
    assert.equal(describeHealth({ kind: 'failed', since: null, error: 'refused' }).short, 'failed: refused');
    assert.equal(
      w.detail,
      'Failed: initialize: no answer in 20 s (gave up after 5 retries). The data shown is as of 09:00:00. Retry connects again.',
    );
    assert.equal(w.level, 'error');
  });

  it('only live data is called live', () => {
    assert.equal(describeHealth({ kind: 'live' }).short, 'live');
    for (const h of [
      { kind: 'stale', since: 0, why: 'x' },
      { kind: 'restarting', unresponsive: true, since: 0, why: 'x', attempt: 1, maxAttempts: 1 },
      { kind: 'failed', since: 0, error: 'x' },
    ] as const) {
      assert.doesNotMatch(describeHealth(h).short, /\blive\b/);
      assert.match(describeHealth(h).short, /stale|failed/);
    }
  });
});
