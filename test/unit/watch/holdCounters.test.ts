/**
 * A pass made for an event sends what the event was about: a container whose counters alone moved keeps
 * its last-sent facts (the backstop pass sends the counters), and the copy a client builds still equals
 * the state the agent keeps, since the agent keeps what it held back.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { holdCounters, snapshotChanges } from '../../../server/watch/snapshotDiff';
import { applyChanges } from '../../../src/connection/snapshotChanges';
import { sampleContainer, sampleSnapshot } from '../cli/sampleSnapshot';

describe('counters held back after an event', () => {
  it('keeps a container whose counters alone moved as it was; sends a started one and a changed limit', () => {
    const prev = sampleSnapshot();
    const taken = sampleSnapshot();
    taken.containers[0].cgroup!.memory!.usageBytes = 123_456_789;
    taken.containers[1].cgroup!.memory!.limitBytes = 96 * 1048576 + 4096;
    taken.containers.push(sampleContainer('f'.repeat(64), 'gamma', 300));
    const next = holdCounters(prev, taken);
    assert.equal(next.containers[0], prev.containers[0], 'counters only: the object sent before');
    assert.equal(next.containers[1], taken.containers[1], 'a limit is a fact, not a counter');
    const change = snapshotChanges(prev, next, 1)!;
    assert.deepEqual(
      change.containersUpserted.map((c) => c.name),
      [taken.containers[1].name, 'gamma'],
    );
    assert.deepEqual(
      applyChanges(prev, JSON.parse(JSON.stringify(change))),
      JSON.parse(JSON.stringify(next)),
      'the copy equals what the agent keeps',
    );
  });

  it('gives the snapshot back untouched when no container moved only in counters', () => {
    const taken = sampleSnapshot();
    assert.equal(holdCounters(sampleSnapshot(), taken), taken);
  });
});
