/** A request answered by a promise fails at its deadline with what it was doing, and not before it. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withDeadline } from '../../server/requestDeadline';
import { AgentError } from '../../server/agentError';
import { ErrorCodes } from '../../server/protocol';

describe('withDeadline', () => {
  it('fails a promise that never settles at the deadline, naming what it was doing', async () => {
    const t0 = Date.now();
    const err = await withDeadline(new Promise(() => undefined), 300, 'answering launch.start (from web)').catch((e: unknown) => e);
    assert.ok(err instanceof AgentError);
    assert.equal(err.code, ErrorCodes.Timeout);
    assert.equal(err.message, 'answering launch.start (from web): no answer in 300 ms');
    assert.ok(Date.now() - t0 >= 290);
  });

  it('passes on an answer or a failure that comes in time, and leaves no timer behind', async () => {
    assert.equal(await withDeadline(Promise.resolve(42), 60_000, 'x'), 42);
    await assert.rejects(withDeadline(Promise.reject(new Error('own failure')), 60_000, 'x'), /own failure/);
    // A 60 s timer left running would keep this test file alive for a minute: the runner's duration shows it.
  });
});
